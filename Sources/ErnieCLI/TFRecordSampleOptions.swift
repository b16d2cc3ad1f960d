import ArgumentParser
import ErnieData
import ErnieTraining

/// How `ernie prepare --output_format tfrecord` makes its samples (Google BERT's create_pretraining_data.py names).
struct TFRecordSampleOptions: ParsableArguments {
    @Option(name: .customLong("max_seq_len"), parsing: .unconditional, help: "Sample length (also --max_seq_length).")
    var maxSeqLen = 128
    @Option(name: .customLong("max_seq_length"), parsing: .unconditional, help: .hidden) var maxSeqLength: Int?
    @Option(name: .customLong("max_predictions_per_seq"), parsing: .unconditional, help: "Masked positions per sample (default: ⌈masked_lm_prob × max_seq_len⌉, 20 at 128).")
    var maxPredictionsPerSeq: Int?
    @Option(name: .customLong("masked_lm_prob"), parsing: .unconditional) var maskedLMProb = 0.15
    @Option(name: .customLong("short_seq_prob"), parsing: .unconditional) var shortSeqProb = 0.1
    @Option(name: .customLong("max_ngrams"), parsing: .unconditional) var maxNgrams = 3
    @Option(name: .customLong("pair_objective"), help: "nsp (BERT's next-sentence labels, what TensorFlow and MindSpore BERT train) or sop.")
    var pairObjective = "nsp"
    @Option(name: .customLong("dupe_factor"), parsing: .unconditional, help: "Passes over the corpus, each with other masks.")
    var dupeFactor = 1
    @Option(name: [.customLong("random_seed"), .customLong("seed")], parsing: .unconditional) var seed: Int32 = 12345

    func validate() throws {
        try FlagRange.positive("--max_seq_len", maxSeqLength ?? maxSeqLen)
        try FlagRange.positive("--max_predictions_per_seq", maxPredictionsPerSeq)
        try FlagRange.positive("--dupe_factor", dupeFactor)
        try FlagRange.positive("--random_seed", seed)
        try FlagRange.probability("--masked_lm_prob", maskedLMProb)
        try FlagRange.within("--short_seq_prob", shortSeqProb, 0...1, "[0, 1]")
        guard ["nsp", "sop"].contains(pairObjective) else { throw ValidationError("--pair_objective must be nsp or sop") }
    }

    /// Writes `<prefix>.tfrecord` and `<prefix>_schema.json` from the prepared corpus at `prefix`.
    func write(corpusPrefix: String, vocabulary: MaskingVocabulary) throws -> Int {
        let length = maxSeqLength ?? maxSeqLen
        let masking = MaskingSettings(maxSeqLen: length, maskedLMProb: maskedLMProb, maxNgrams: maxNgrams,
                                      pairObjective: pairObjective == "sop" ? .sentenceOrder : .nextSentence)
        return try TFRecordPretrainingWriter.write(
            corpusPrefix: corpusPrefix, vocabulary: vocabulary, masking: masking, shortSeqProb: shortSeqProb, seed: seed, dupeFactor: dupeFactor,
            maxPredictions: maxPredictionsPerSeq ?? Int((maskedLMProb * Double(length)).rounded(.up)),
            to: corpusPrefix + ".tfrecord", schemaPath: corpusPrefix + "_schema.json")
    }
}
