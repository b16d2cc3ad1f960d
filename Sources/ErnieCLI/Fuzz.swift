import ArgumentParser
import ErnieBasics
import ErnieData
import ErnieModels
import ErnieText
import ErnieTraining
import Foundation

/// `ernie fuzz`: seeded mutation fuzzing of every reader of untrusted bytes. Each target has a folder of valid seed
/// files (Tests/FuzzSeeds/<target>, written by tools/fuzz_seeds.py); every iteration takes one seed file, mutates it
/// (byte flips, boundary integers, cuts, insertions, duplicated chunks), writes it into a work folder beside the
/// other seed files unchanged, and runs the reader on it. A reader may accept the input or throw; anything else — a
/// trap, a signal, an allocation that never ends — kills the process, and the work folder keeps the input that did it.
/// `crash-*` files in a seed folder are replayed unmutated first (the regression inputs of earlier finds).
struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mutation-fuzz the readers of untrusted files (developers; tools/fuzz.sh runs the long form).",
        shouldDisplay: false)

    @Option(help: "Targets, comma-separated, or all: \(FuzzTarget.all.map(\.name).joined(separator: ", ")).")
    var targets = "all"

    @Option(help: "The seed folders' parent.")
    var seeds = "Tests/FuzzSeeds"

    @Option(help: "Inputs per target (the run for a target stops at this count or at --seconds, whichever comes first).")
    var iterations = 1_000_000

    @Option(help: "Seconds per target at most.")
    var seconds: Double = 10

    @Option(help: "The mutation stream's seed.")
    var seed: UInt64 = 1

    @Option(name: .customLong("work_dir"),
            help: "Work folder (inputs are written here; the last one stays after a crash). Default: in /dev/shm when there is one (10× faster than a disk).")
    var workDir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/ernie-fuzz" : NSTemporaryDirectory() + "ernie-fuzz"

    func validate() throws {
        guard iterations > 0, seconds > 0 else { throw ValidationError("--iterations and --seconds must be positive") }
    }

    func run() throws {
        let names = targets == "all" ? FuzzTarget.all.map(\.name) : targets.split(separator: ",").map(String.init)
        for name in names {
            guard let target = FuzzTarget.all.first(where: { $0.name == name }) else {
                throw ValidationError("unknown fuzz target \(name)")
            }
            let started = Date()
            let (count, accepted) = try target.run(seeds: URL(fileURLWithPath: seeds).appendingPathComponent(name),
                                                   work: URL(fileURLWithPath: workDir).appendingPathComponent(name),
                                                   iterations: iterations, seconds: seconds, seed: seed)
            let elapsed = Date().timeIntervalSince(started)
            print("{\"fuzz\": \"\(name)\", \"inputs\": \(count), \"accepted\": \(accepted), \"refused\": \(count - accepted), \"seconds\": \(String(format: "%.1f", elapsed))}")
        }
    }
}

/// A reader under test: `read` opens the file named by the seed's main file in the work folder.
struct FuzzTarget: Sendable {
    let name: String
    /// Rewrites a mutated input before it is read (e.g. valid checksums, so the mutation reaches the parser behind them).
    var repair: (@Sendable ([UInt8]) -> [UInt8])? = nil
    /// The file a seed folder's reader is given (others in the folder are its companions, e.g. a .bin beside an .idx).
    let main: @Sendable (URL) -> URL
    let read: @Sendable (URL) throws -> Void

    init(name: String, main: @escaping @Sendable (URL) -> URL, repair: (@Sendable ([UInt8]) -> [UInt8])? = nil,
         read: @escaping @Sendable (URL) throws -> Void) {
        self.name = name
        self.main = main
        self.repair = repair
        self.read = read
    }

    static func file(_ folder: URL) -> URL { folder }

    /// Reads every tensor a checkpoint lists (bounded: the reader has checked the sizes against the file).
    static func readAll(_ weights: any CheckpointWeights) throws {
        for name in weights.shapes.keys.sorted() {
            guard let count = CheckedSize.product(weights.shapes[name]!), count <= 1 << 24 else { continue }
            _ = try? weights.floats(named: name)
        }
    }

    static func examples(_ task: FineTuningTask) -> @Sendable (URL) throws -> Void {
        { url in _ = try TaskExamples.read(task, path: url.path, issues: DataIssues()) }
    }

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "config", main: file) { url in try BertConfig(contentsOf: url).validate(source: url.path) },
        FuzzTarget(name: "vocab", main: file) { url in
            _ = try BertTokenizer(vocabFile: url).pieces(of: "中国人 Hello, world! ##x [UNK]")
        },
        FuzzTarget(name: "tokenizer_json", main: file) { url in
            _ = try BertTokenizer(tokenizerJSON: url).encode("中国人 Hello [SEP] world", pair: "第二句")
        },
        FuzzTarget(name: "merges", main: file) { url in
            let folder = url.deletingLastPathComponent()
            _ = try ByteLevelBPETokenizer(vocabFile: folder.appendingPathComponent("vocab.json"),
                                          mergesFile: folder.appendingPathComponent("merges.txt")).pieces(of: "Hello world 中国 😀")
        },
        FuzzTarget(name: "safetensors", main: file) { url in try readAll(SafetensorsCheckpoint(file: url)) },
        FuzzTarget(name: "torch", main: file) { url in try readAll(PyTorchWeights(file: url)) },
        FuzzTarget(name: "pdparams", main: file) { url in try readAll(PaddleWeights(file: url)) },
        FuzzTarget(name: "ckpt", main: file) { url in try readAll(MindSporeWeights(file: url)) },
        FuzzTarget(name: "tfrecord", main: file) { url in
            let data = try TFRecordPretrainingData(paths: [url.path], idCount: 1 << 20, maxSeqLen: 512, samples: 4)
            for index in 0..<min(data.recordCount, 8) { _ = try data.sample(at: index) }
        },
        // The same reader with valid framing: each mutation is re-framed (lengths and masked CRC-32Cs recomputed),
        // so it reaches the Example protobuf parser instead of the checksum.
        FuzzTarget(name: "tfrecord_examples", main: file, repair: reframeTFRecords) { url in
            let data = try TFRecordPretrainingData(paths: [url.path], idCount: 1 << 20, maxSeqLen: 512, samples: 4)
            for index in 0..<min(data.recordCount, 8) { _ = try data.sample(at: index) }
        },
        FuzzTarget(name: "corpus_npy", main: { $0.deletingLastPathComponent().appendingPathComponent("corpus") },
                   read: readCorpus),
        FuzzTarget(name: "corpus_megatron", main: { $0.deletingLastPathComponent().appendingPathComponent("corpus") },
                   read: readCorpus),
        FuzzTarget(name: "seqcls_jsonl", main: file, read: examples(.sequenceClassification)),
        FuzzTarget(name: "seqcls_tsv", main: file, read: examples(.sequenceClassification)),
        FuzzTarget(name: "conll", main: file, read: examples(.tokenClassification)),
        FuzzTarget(name: "squad", main: file, read: examples(.questionAnswering)),
    ]

    /// `bytes` as TFRecord records with correct framing: the seed's records are found by their lengths (as far as
    /// they still parse), and whatever follows the last one becomes one more record's payload.
    @Sendable static func reframeTFRecords(_ bytes: [UInt8]) -> [UInt8] {
        var payloads: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset + 12 <= bytes.count {
            var length = 0
            for index in 0..<8 { length |= Int(bytes[offset + index]) << (8 * index) }
            guard length >= 0, length <= bytes.count - offset - 16 else { break }
            payloads.append(bytes[(offset + 12)..<(offset + 12 + length)])
            offset += 16 + length
        }
        if offset < bytes.count { payloads.append(bytes[offset...]) }
        var out: [UInt8] = []
        func append32(_ value: UInt32) { for index in 0..<4 { out.append(UInt8(truncatingIfNeeded: value >> (8 * index))) } }
        for payload in payloads {
            var header: [UInt8] = []
            for index in 0..<8 { header.append(UInt8(truncatingIfNeeded: UInt64(payload.count) >> (8 * UInt64(index)))) }
            out += header
            append32(CRC32C.masked(CRC32C.checksum(header)))
            out += payload
            append32(CRC32C.masked(CRC32C.checksum(payload)))
        }
        return out
    }

    /// Opens a PaddleNLP or Megatron corpus prefix with the vocab.txt beside it and draws a few samples (no index
    /// cache: nothing is written).
    @Sendable static func readCorpus(_ prefix: URL) throws {
        let vocabulary = try Vocabulary(contentsOf: prefix.deletingLastPathComponent().appendingPathComponent("vocab.txt"))
        var settings = PretrainingDataSettings(masking: MaskingSettings(maxSeqLen: 32, pairObjective: .sentenceOrder))
        settings.useIndexCache = false
        let data = try PretrainingData(inputs: try DataInputs.parse(prefix.path), vocabulary: try MaskingVocabulary(vocabulary: vocabulary),
                                       settings: settings)
        if let dataset = try data.dataset(.train, samples: 4) {
            for index in 0..<min(dataset.count, 4) { _ = try dataset.sample(at: index) }
        }
    }

    /// Replays the `crash-*` inputs, then mutates the seeds until `iterations` or `seconds`.
    /// - Returns: inputs run and how many the reader accepted.
    func run(seeds: URL, work: URL, iterations: Int, seconds: Double, seed: UInt64) throws -> (Int, Int) {
        let manager = FileManager.default
        let names = try manager.contentsOfDirectory(atPath: seeds.path).sorted()
        let seedFiles = names.filter { !$0.hasPrefix("crash-") && !$0.hasPrefix(".") }
        guard !seedFiles.isEmpty else { throw ValidationError("no seed files in \(seeds.path) (tools/fuzz_seeds.py writes them)") }
        try? manager.removeItem(at: work)
        try manager.createDirectory(at: work, withIntermediateDirectories: true)
        var originals: [String: [UInt8]] = [:]
        for name in seedFiles {
            originals[name] = [UInt8](try Data(contentsOf: seeds.appendingPathComponent(name)))
            try Data(originals[name]!).write(to: work.appendingPathComponent(name))
        }
        // The seeds themselves must be read: a target whose seed is refused fuzzes nothing but its first check.
        do { try read(main(work.appendingPathComponent(seedFiles[0]))) } catch {
            throw ValidationError("fuzz target \(name): its seed \(seeds.appendingPathComponent(seedFiles[0]).path) is refused: \(error)")
        }
        var count = 0, accepted = 0
        func attempt(_ file: String) {
            count += 1
            do {
                try read(main(work.appendingPathComponent(file)))
                accepted += 1
            } catch {}
        }
        // Regression inputs: each stands in for the seed file whose name follows "crash-<n>-".
        for name in names where name.hasPrefix("crash-") {
            let replaced = name.split(separator: "-", maxSplits: 2).last.map(String.init) ?? ""
            guard originals[replaced] != nil else { continue }
            try Data(contentsOf: seeds.appendingPathComponent(name)).write(to: work.appendingPathComponent(replaced))
            attempt(replaced)
            try Data(originals[replaced]!).write(to: work.appendingPathComponent(replaced))
        }
        var random = SplitMix64(seed: seed)
        let deadline = Date().addingTimeInterval(seconds)
        let files = seedFiles.sorted()
        while count < iterations {
            if count % 64 == 0 && Date() >= deadline { break }
            let file = files[Int(random.next() % UInt64(files.count))]
            var mutated = FuzzMutation.mutate(originals[file]!, random: &random)
            if let repair { mutated = repair(mutated) }
            let url = work.appendingPathComponent(file)
            // Not atomic on purpose: the file is rewritten in place, and a crash leaves it for the developer.
            guard FileManager.default.createFile(atPath: url.path, contents: Data(mutated)) else {
                throw ValidationError("cannot write \(url.path)")
            }
            attempt(file)
            _ = FileManager.default.createFile(atPath: url.path, contents: Data(originals[file]!))
        }
        return (count, accepted)
    }
}

/// Byte-level mutations of a valid input.
enum FuzzMutation {
    /// Integers that break size arithmetic and bounds checks, written over 1, 2, 4 or 8 bytes.
    static let boundaries: [UInt64] = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000,
                                       0xFFFF_FFFF, 1 << 40, 1 << 62, 0x7FFF_FFFF_FFFF_FFFF, UInt64.max]

    static func mutate(_ original: [UInt8], random: inout SplitMix64) -> [UInt8] {
        var bytes = original
        let rounds = 1 + Int(random.next() % 4)
        for _ in 0..<rounds {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            switch random.next() % 7 {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
            case 1 where !bytes.isEmpty:
                bytes[position] = UInt8(truncatingIfNeeded: random.next())
            case 2:
                let value = boundaries[Int(random.next() % UInt64(boundaries.count))]
                let width = [1, 2, 4, 8][Int(random.next() % 4)]
                for index in 0..<width where position + index < bytes.count {
                    bytes[position + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))
                }
            case 3 where !bytes.isEmpty:
                let length = min(bytes.count - position, 1 + Int(random.next() % 16))
                bytes.removeSubrange(position..<(position + length))
            case 4:
                let length = 1 + Int(random.next() % 16)
                bytes.insert(contentsOf: (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position)
            case 5 where !bytes.isEmpty:
                let length = min(bytes.count - position, 1 + Int(random.next() % 64))
                let chunk = Array(bytes[position..<(position + length)])
                bytes.insert(contentsOf: chunk, at: Int(random.next() % UInt64(bytes.count + 1)))
            case 6:
                bytes.removeSubrange(position...)
            default:
                break
            }
        }
        return bytes
    }
}
