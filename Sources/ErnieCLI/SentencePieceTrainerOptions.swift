import ArgumentParser
import ErnieText

/// `spm_train`'s flags for `ernie vocab --type sentencepiece` (same names and defaults).
struct SentencePieceTrainerOptions: ParsableArguments {
    @Option(name: .customLong("model_prefix"), help: "sentencepiece: write <prefix>.model and <prefix>.vocab (or give --output X.model).")
    var modelPrefix: String?

    @Option(name: .customLong("model_type"), help: "sentencepiece: unigram (BPE models: train with the sentencepiece library).")
    var modelType: String = "unigram"

    @Option(name: .customLong("character_coverage"), help: "sentencepiece: share of the characters the vocabulary covers; rarer ones become <unk>.")
    var characterCoverage: Double = 0.9995

    @Option(name: .customLong("max_sentencepiece_length"), help: "sentencepiece: longest piece, in characters.")
    var maxSentencePieceLength: Int = 16

    @Option(name: .customLong("num_sub_iterations"), help: "sentencepiece: EM steps between prunings.")
    var numSubIterations: Int = 2

    @Option(name: .customLong("shrinking_factor"), help: "sentencepiece: share of the pieces each pruning keeps.")
    var shrinkingFactor: Float = 0.75

    @Option(name: .customLong("seed_sentencepiece_size"), help: "sentencepiece: substrings the training starts from.")
    var seedSentencePieceSize: Int = 1_000_000

    @Option(name: .customLong("max_sentence_length"), help: "sentencepiece: longer lines (bytes) are skipped.")
    var maxSentenceLength: Int = 4192

    @Option(name: .customLong("num_threads"), help: "sentencepiece: work shares (the result does not depend on the cores).")
    var numThreads: Int = 16

    @Option(name: .customLong("split_by_whitespace")) var splitByWhitespace = true
    @Option(name: .customLong("split_by_unicode_script")) var splitByUnicodeScript = true
    @Option(name: .customLong("split_by_number")) var splitByNumber = true
    @Option(name: .customLong("split_digits")) var splitDigits = false
    @Option(name: .customLong("treat_whitespace_as_suffix")) var treatWhitespaceAsSuffix = false
    @Option(name: .customLong("allow_whitespace_only_pieces")) var allowWhitespaceOnlyPieces = false
    @Option(name: .customLong("byte_fallback")) var byteFallback = false
    @Option(name: .customLong("hard_vocab_limit")) var hardVocabLimit = true
    @Option(name: .customLong("add_dummy_prefix")) var addDummyPrefix = true
    @Option(name: .customLong("remove_extra_whitespaces")) var removeExtraWhitespaces = true

    @Option(name: .customLong("normalization_rule_name"), help: "sentencepiece: nmt_nfkc, nfkc or identity.")
    var normalizationRuleName: String = "nmt_nfkc"

    @Option(name: .customLong("control_symbols"), help: "sentencepiece: comma-separated control symbols.")
    var controlSymbols: String = ""

    @Option(name: .customLong("user_defined_symbols"), help: "sentencepiece: comma-separated symbols always kept whole.")
    var userDefinedSymbols: String = ""

    @Option(name: .customLong("unk_id")) var unknownId: Int = 0
    @Option(name: .customLong("bos_id")) var beginId: Int = 1
    @Option(name: .customLong("eos_id")) var endId: Int = 2
    @Option(name: .customLong("pad_id")) var paddingId: Int = -1
    @Option(name: .customLong("unk_piece")) var unknownPiece = "<unk>"
    @Option(name: .customLong("bos_piece")) var beginPiece = "<s>"
    @Option(name: .customLong("eos_piece")) var endPiece = "</s>"
    @Option(name: .customLong("pad_piece")) var paddingPiece = "<pad>"

    /// The trainer's options with `vocabSize`.
    func trainerOptions(vocabSize: Int) throws -> UnigramTrainer.Options {
        guard modelType == "unigram" else {
            throw ValidationError("--model_type \(modelType): ernie trains unigram SentencePiece models (train BPE ones with the sentencepiece library; ernie reads them)")
        }
        var options = UnigramTrainer.Options()
        options.vocabSize = vocabSize
        options.characterCoverage = characterCoverage
        options.maxSentencePieceLength = maxSentencePieceLength
        options.numSubIterations = numSubIterations
        options.shrinkingFactor = shrinkingFactor
        options.seedSentencePieceSize = seedSentencePieceSize
        options.maxSentenceLength = maxSentenceLength
        options.numThreads = numThreads
        options.splitByWhitespace = splitByWhitespace
        options.splitByUnicodeScript = splitByUnicodeScript
        options.splitByNumber = splitByNumber
        options.splitDigits = splitDigits
        options.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        options.allowWhitespaceOnlyPieces = allowWhitespaceOnlyPieces
        options.byteFallback = byteFallback
        options.hardVocabLimit = hardVocabLimit
        options.addDummyPrefix = addDummyPrefix
        options.removeExtraWhitespaces = removeExtraWhitespaces
        options.normalizationRuleName = normalizationRuleName
        options.controlSymbols = Self.list(controlSymbols)
        options.userDefinedSymbols = Self.list(userDefinedSymbols)
        options.unknownId = unknownId
        options.beginId = beginId
        options.endId = endId
        options.paddingId = paddingId
        options.unknownPiece = unknownPiece
        options.beginPiece = beginPiece
        options.endPiece = endPiece
        options.paddingPiece = paddingPiece
        return options
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map(String.init).filter { !$0.isEmpty }
    }
}
