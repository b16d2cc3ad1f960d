import ArgumentParser
import ErnieBasics
import ErnieData
import ErnieText
import ErnieTraining
import Foundation

/// `ernie samples`: the first N samples of a split, exactly as PaddleNLP's ErnieDataset builds them, as JSON lines
/// (`index`, `input_ids`, `token_type_ids`, `masked_lm_positions`, `masked_lm_labels`, `sentence_order_label`).
struct Samples: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samples",
        abstract: "Print pretraining samples (masked, paired, padded) as PaddleNLP's ErnieDataset makes them, one JSON line each.")

    @Option(name: [.customLong("input_dir"), .customLong("input-dir")],
            help: "Corpus prefix, folder of *_idx.npz corpora, or \"w1 prefix1 w2 prefix2 …\".")
    var inputDir: String

    @Option(name: [.customLong("tokenizer_name_or_path"), .customLong("tokenizer-name-or-path")],
            help: "Folder holding vocab.txt, or the vocab file (optional with --input_format tfrecord).")
    var tokenizer: String?

    @Option(name: .customLong("input_format"), help: "mmap (PaddleNLP's token files) or tfrecord (stored samples, read as `ernie pretrain` reads them).")
    var inputFormat = "mmap"

    @Option(name: .customLong("seed"), parsing: .unconditional) var seed: Int32 = 1234
    @Option(name: [.customLong("max_seq_len"), .customLong("max-seq-len")], parsing: .unconditional) var maxSeqLen = 512
    @Option(name: [.customLong("binary_head"), .customLong("binary-head")], help: "Pair objective on (true) or MLM only (false).")
    var binaryHead = "true"
    @Option(name: [.customLong("pair_objective"), .customLong("pair-objective")], help: "sop (PaddleNLP) or nsp (BERT).")
    var pairObjective = "sop"
    @Option(name: .customLong("split")) var split = "949,50,1"
    @Option(name: [.customLong("data_split"), .customLong("data-split")], help: "train, valid or test.")
    var dataSplit = "train"
    @Option(name: .customLong("count"), parsing: .unconditional, help: "Samples to print.") var count = 16
    @Option(name: [.customLong("num_samples"), .customLong("num-samples")], parsing: .unconditional,
            help: "Samples the split is built for (PaddleNLP's max_num_samples; default: --count).")
    var numSamples: Int?
    @Option(name: [.customLong("masked_lm_prob"), .customLong("masked-lm-prob")], parsing: .unconditional) var maskedLMProb = 0.15
    @Option(name: [.customLong("short_seq_prob"), .customLong("short-seq-prob")], parsing: .unconditional) var shortSeqProb = 0.1
    @Option(name: [.customLong("max_ngrams"), .customLong("max-ngrams")], parsing: .unconditional) var maxNgrams = 3
    @Option(name: [.customLong("favor_longer_ngram"), .customLong("favor-longer-ngram")]) var favorLongerNgram = "false"
    @Option(name: [.customLong("cache_dir"), .customLong("cache-dir")],
            help: "Folder for index-map caches (default: next to each corpus, PaddleNLP's names).")
    var cacheDirectory: String?
    @Option(name: [.customLong("no_index_cache"), .customLong("no-index-cache")], help: "Build index maps in memory only.")
    var noIndexCache = false
    @Option(name: .customLong("output"), help: "JSON-lines file (folders are created), or - for stdout.")
    var output = "-"

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        for (flag, value) in [("--max_seq_len", maxSeqLen), ("--count", count), ("--num_samples", numSamples), ("--max_ngrams", maxNgrams)] {
            try FlagRange.positive(flag, value)
        }
        try FlagRange.positive("--seed", seed, " (PaddleNLP's sample index needs seed > 0)")
        try FlagRange.probability("--masked_lm_prob", maskedLMProb)
        try FlagRange.within("--short_seq_prob", shortSeqProb, 0...1, "[0, 1]")
    }

    func run() async throws {
        let usesPair = try parseBool(binaryHead, flag: "--binary_head")
        let split: DataSplit
        switch dataSplit {
        case "train": split = .train
        case "valid", "validation": split = .valid
        case "test": split = .test
        default: throw ValidationError("--data_split must be train, valid or test")
        }
        let objective: PairObjective
        switch (usesPair, pairObjective.lowercased()) {
        case (false, _): objective = .none
        case (true, "sop"): objective = .sentenceOrder
        case (true, "nsp"): objective = .nextSentence
        default: throw ValidationError("--pair_objective must be sop or nsp")
        }
        guard count > 0 else { throw ValidationError("--count must be positive") }

        if inputFormat == "tfrecord" { return try printStoredSamples() }
        guard inputFormat == "mmap" else { throw ValidationError("--input_format must be mmap or tfrecord") }
        guard let tokenizer else { throw ValidationError("give the vocabulary with --tokenizer_name_or_path") }
        let masking = try MaskingVocabulary(tokenizer: try TokenizerLocation.tokenizer(tokenizer, flag: "--tokenizer_name_or_path"))
        var settings = PretrainingDataSettings(
            masking: MaskingSettings(
                maxSeqLen: maxSeqLen, maskedLMProb: maskedLMProb, maxNgrams: maxNgrams,
                favorLongerNgram: try parseBool(favorLongerNgram, flag: "--favor_longer_ngram"), pairObjective: objective))
        settings.shortSeqProb = shortSeqProb
        settings.seed = seed
        settings.split = self.split
        settings.cacheDirectory = cacheDirectory
        settings.useIndexCache = !noIndexCache

        let started = Date()
        let data = try PretrainingData(inputs: try DataInputs.parse(inputDir), vocabulary: masking, settings: settings)
        let opened = Date().timeIntervalSince(started)
        let indexing = Date()
        guard let dataset = try data.dataset(split, samples: numSamples ?? count) else {
            throw ValidationError("the \(split.name) split of --split \(self.split) has no documents")
        }
        let indexed = Date().timeIntervalSince(indexing)
        for warning in dataset.warnings { printError("warning: \(warning)") }
        for part in dataset.parts {
            let s = part.statistics
            printError(
                "\(part.corpus.prefix) [\(part.corpus.format.rawValue)] \(split.name): documents \(part.documents.lowerBound)..<\(part.documents.upperBound), "
                    + "\(s.usableDocuments) usable of \(s.documents) (\(s.oneSentenceDocuments) one-sentence, \(s.longSentenceDocuments) long), "
                    + "\(part.count) samples" + (part.indexMap.path.map { " (index \($0))" } ?? " (index in memory)"))
        }

        let shown = min(count, dataset.count)
        var json: [UInt8] = []
        var building = 0.0
        let sampling = Date()
        for index in 0..<shown {
            let before = Date()
            let sample = try dataset.sample(at: index)
            building += Date().timeIntervalSince(before)
            json += Self.line(sample, index: index, sequenceLength: maxSeqLen, padId: masking.padId)
        }
        let sampled = Date().timeIntervalSince(sampling)
        try write(json)
        printError(String(format: "%d samples in %.3f s with JSON (%.0f samples/s built, %.0f/s with JSON); open + id check %.3f s; index maps %.3f s",
                          shown, sampled, Double(shown) / max(building, 1e-9), Double(shown) / max(sampled, 1e-9), opened, indexed))
    }

    /// One sample as a JSON line, padded to `sequenceLength`.
    static func line(_ sample: PretrainingSample, index: Int, sequenceLength: Int, padId: Int32) -> [UInt8] {
        let batch = PretrainingBatch(samples: [sample], sequenceLength: sequenceLength, padId: padId)
        func integers(_ values: [Int32]) -> JSONValue { .array(values.map { .integer(Int($0)) }) }
        return Array((JSONWriter.pythonLine(.object(JSONObject([
            ("index", .integer(index)), ("input_ids", integers(batch.inputIds)), ("token_type_ids", integers(batch.tokenTypeIds)),
            ("masked_lm_positions", integers(sample.maskedPositions)), ("masked_lm_labels", integers(sample.maskedLabels)),
            ("sentence_order_label", .integer(Int(sample.sentenceOrderLabel))),
        ]))) + "\n").utf8)
    }

    private func write(_ json: [UInt8]) throws {
        if output == "-" {
            FileHandle.standardOutput.write(Data(json))
        } else {
            try AtomicFile.write(json, to: URL(fileURLWithPath: output))
        }
    }

    /// `--input_format tfrecord`: the first --count stored samples (padding dropped, then padded to their stored length).
    private func printStoredSamples() throws {
        var idCount = Int(Int32.max), padId: Int32 = 0
        if let tokenizer {
            let masking = try MaskingVocabulary(tokenizer: try TokenizerLocation.tokenizer(tokenizer, flag: "--tokenizer_name_or_path"))
            (idCount, padId) = (masking.baseCount, masking.padId)
        }
        let data = try TFRecordPretrainingData(paths: try TFRecordFiles.paths(inputDir), idCount: idCount, maxSeqLen: Int(Int32.max), samples: 1)
        var json: [UInt8] = []
        for index in 0..<min(count, data.recordCount) {
            json += Self.line(try data.sample(at: index), index: index, sequenceLength: data.sequenceLength, padId: padId)
        }
        try write(json)
        printError("\(min(count, data.recordCount)) of \(data.recordCount) TFRecord samples")
    }

    private func parseBool(_ value: String, flag: String) throws -> Bool {
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ValidationError("\(flag) takes true or false, not \(value)")
        }
    }
}

private func printError(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
