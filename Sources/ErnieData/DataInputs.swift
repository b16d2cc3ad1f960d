import ErnieBasics
import Foundation

/// Which corpora to train on, as PaddleNLP's `--input_dir` says it.
public enum DataInputs: Sendable, Equatable {
    /// One corpus prefix: used directly (no blending).
    case single(prefix: String)
    /// `"w1 prefix1 w2 prefix2 …"` or a folder of several corpora (weight 1 each): blended by weight, each corpus asked
    /// for `ceil(n × w × 1.005)` samples (even a single weighted pair goes through blending, as in PaddleNLP).
    case weighted([(weight: Double, prefix: String)])

    public static func == (lhs: DataInputs, rhs: DataInputs) -> Bool {
        switch (lhs, rhs) {
        case (.single(let a), .single(let b)): a == b
        case (.weighted(let a), .weighted(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.weight == $1.weight && $0.prefix == $1.prefix }
        default: false
        }
    }

    /// Parses `--input_dir`: whitespace-separated weight/prefix pairs; or a folder (every `*_idx.npz` / `*.idx` in it,
    /// sorted by name — PaddleNLP takes `os.listdir` order); or a corpus prefix.
    public static func parse(_ text: String) throws -> DataInputs {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        if parts.count > 1 {
            guard parts.count % 2 == 0 else {
                throw DataError.invalidArgument(name: "--input_dir", reason: "'\(text)' is not \"weight prefix weight prefix …\"")
            }
            var pairs: [(Double, String)] = []
            for index in stride(from: 0, to: parts.count, by: 2) {
                guard let weight = Double(parts[index]), weight >= 0, weight.isFinite else {
                    throw DataError.invalidArgument(name: "--input_dir", reason: "'\(parts[index])' is not a weight (expected \"1.0 prefix 2.0 prefix\")")
                }
                pairs.append((weight, parts[index + 1]))
            }
            guard pairs.contains(where: { $0.0 > 0 }) else {
                throw DataError.invalidArgument(name: "--input_dir", reason: "weights add up to 0")
            }
            return .weighted(pairs)
        }
        guard let path = parts.first else { throw DataError.invalidArgument(name: "--input_dir", reason: "empty") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            var prefixes = Set<String>()
            for name in names {
                if name.hasSuffix("_idx.npz") { prefixes.insert(String(name.dropLast("_idx.npz".count))) }
                if name.hasSuffix(".idx") { prefixes.insert(String(name.dropLast(".idx".count))) }
            }
            let sorted = prefixes.sorted().map { (path as NSString).appendingPathComponent($0) }
            switch sorted.count {
            case 0:
                throw DataError.io(path: path, reason: "no *_idx.npz (or *.idx) corpus in this folder; run `ernie prepare` first")
            case 1: return .single(prefix: sorted[0])
            default: return .weighted(sorted.map { (1.0, $0) })
            }
        }
        return .single(prefix: path)
    }
}

/// Samples each split must provide, as PaddleNLP's `run_pretrain.py` computes them.
public struct PretrainingSampleCounts: Sendable, Equatable {
    public var train: Int
    public var valid: Int
    public var test: Int

    /// The most samples a split may ask for: 2^32, a sample index of 48 GiB (three u32 per sample); far beyond
    /// any pretraining run, and half `SampleIndexSettings.maxNumSamplesLimit` to leave room for blending margins.
    public static let limit = 1 << 32

    public init(train: Int, valid: Int, test: Int) {
        self.train = train
        self.valid = valid
        self.test = test
    }

    /// train = global_batch × max_steps; valid = micro × (max_steps / eval_freq + 1) × eval_iters × acc × world;
    /// test = micro × 10 × eval_iters × acc × world, with acc = global_batch / world / micro.
    /// - Throws: `DataError.invalidArgument` naming the flag when a count is negative or a split would need more
    ///   than `limit` samples (the sample index is built in memory, so `--max_steps 1e11` would reserve terabytes).
    public init(globalBatchSize: Int, microBatchSize: Int, dataParallelSize: Int, maxSteps: Int, evalFreq: Int, evalIters: Int) throws {
        guard microBatchSize > 0, dataParallelSize > 0, evalFreq > 0, globalBatchSize > 0 else {
            throw DataError.invalidArgument(name: "batch sizes", reason: "micro batch, world size, eval_freq and global batch must be positive")
        }
        guard globalBatchSize % (microBatchSize * dataParallelSize) == 0 else {
            throw DataError.invalidArgument(
                name: "--global_batch_size",
                reason: "\(globalBatchSize) is not a multiple of micro batch \(microBatchSize) × data-parallel size \(dataParallelSize)")
        }
        for (flag, value) in [("--max_steps", maxSteps), ("--eval_iters", evalIters)] where value < 0 {
            throw DataError.invalidArgument(name: flag, reason: "must not be negative, found \(value)")
        }
        // global_batch = micro × acc × world, so each eval split is global_batch × eval_iters × its eval count.
        func bounded(_ factors: [Int], flag: String, _ what: String) throws -> Int {
            guard let samples = CheckedSize.product(factors, atMost: Self.limit) else {
                throw DataError.invalidArgument(
                    name: flag, reason: "\(what) needs more than \(Self.limit) samples, more than ernie's sample index holds; lower \(flag)")
            }
            return samples
        }
        train = try bounded([globalBatchSize, maxSteps], flag: "--max_steps",
                            "training \(maxSteps) steps of global_batch_size \(globalBatchSize)")
        valid = try bounded([globalBatchSize, maxSteps / evalFreq + 1, evalIters], flag: "--eval_iters",
                            "evaluating \(evalIters) batches every \(evalFreq) of \(maxSteps) steps")
        test = try bounded([globalBatchSize, 10, evalIters], flag: "--eval_iters", "testing 10 × \(evalIters) batches")
    }

    public subscript(split: DataSplit) -> Int {
        switch split {
        case .train: train
        case .valid: valid
        case .test: test
        }
    }
}

/// One of the three document splits.
public enum DataSplit: Int, Sendable, CaseIterable {
    case train = 0, valid, test

    /// PaddleNLP's name in cache files.
    public var name: String { DocumentSplit.names[rawValue] }
}
