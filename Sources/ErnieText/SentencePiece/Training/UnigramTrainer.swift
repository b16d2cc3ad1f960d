import Dispatch
import Foundation

/// Trains a SentencePiece unigram model as `spm_train --model_type=unigram` does (`unigram_model_trainer.cc`):
/// sentences normalised and rare characters (beyond `character_coverage`) masked; seed pieces = every character plus
/// the most frequent substrings of the suffix array (score = occurrences × length); then rounds of two EM steps
/// (forward-backward expectations, a Bayesian M-step with digamma) and pruning of the pieces whose removal costs the
/// least likelihood, until 1.1 × the wanted size; finally the required characters and the best pieces up to the
/// vocabulary size. The result is a `.model` file that the `sentencepiece` library and `SentencePieceModel` load.
///
/// Not bit-identical to the library's trainer (its suffix-array node order and multi-threaded float sums decide ties
/// differently), but the same algorithm and rules: see `tools/sentencepiece_trainer_check.py` for the comparison.
public struct UnigramTrainer: Sendable {
    /// `spm_train`'s options, with its defaults.
    public struct Options: Sendable {
        public var vocabSize = 8000
        public var characterCoverage = 0.9995
        public var maxSentencePieceLength = 16
        public var numSubIterations = 2
        public var shrinkingFactor: Float = 0.75
        public var seedSentencePieceSize = 1_000_000
        /// Longer lines (bytes) are skipped.
        public var maxSentenceLength = 4192
        public var splitByWhitespace = true
        public var splitByUnicodeScript = true
        public var splitByNumber = true
        public var splitDigits = false
        public var treatWhitespaceAsSuffix = false
        public var allowWhitespaceOnlyPieces = false
        public var byteFallback = false
        public var hardVocabLimit = true
        public var controlSymbols: [String] = []
        public var userDefinedSymbols: [String] = []
        public var unknownId = 0, beginId = 1, endId = 2, paddingId = -1
        public var unknownPiece = "<unk>", beginPiece = "<s>", endPiece = "</s>", paddingPiece = "<pad>"
        /// `identity` (no map) or `nfkc` / `nmt_nfkc` (NFKC per `NormalizationRules`).
        public var normalizationRuleName = "nmt_nfkc"
        public var addDummyPrefix = true
        public var removeExtraWhitespaces = true
        /// Work split into this many interleaved shares (as the library's threads; sums are merged in share order,
        /// so the result does not depend on how many cores run them).
        public var numThreads = 16

        public init() {}
    }

    public let options: Options
    /// Meta pieces by id: unknown, control, user-defined and byte pieces.
    let metaPieces: [Int: (piece: String, type: SentencePieceModel.PieceType)]
    let normalizerFile: SentencePieceModelFile
    let normalizer: SentencePieceNormalizer
    private let metaMatcher: PieceTrie
    /// Normalised sentences with their frequency (the library's `sentences_`).
    private(set) var sentences: [(text: [UInt8], frequency: Int64)] = []
    private(set) var tooLongLines = 0

    static let spaceCharacter: UInt32 = 0x2581
    static let unknownCharacter: UInt32 = 0x2585
    static let boundaryCharacter: UInt32 = 0x09

    /// - Throws: `SentencePieceError.invalidTrainerOptions` for options the library's `VerifySpec` refuses.
    public init(options: Options) throws {
        func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw SentencePieceError.invalidTrainerOptions(message()) }
        }
        try check(options.vocabSize > 0, "vocab_size must be positive")
        try check((0.98...1.0).contains(options.characterCoverage), "character_coverage must be in [0.98, 1]")
        try check((1...512).contains(options.maxSentencePieceLength), "max_sentencepiece_length must be in [1, 512]")
        try check((1...10).contains(options.numSubIterations), "num_sub_iterations must be in [1, 10]")
        try check((1...1024).contains(options.numThreads), "num_threads must be in [1, 1024]")
        try check((0.5...0.95).contains(options.shrinkingFactor), "shrinking_factor must be in [0.5, 0.95]")
        try check((10...1_073_741_824).contains(options.maxSentenceLength), "max_sentence_length must be in [10, 1073741824]")
        try check(options.seedSentencePieceSize > 0, "seed_sentencepiece_size must be positive")
        for piece in [options.unknownPiece, options.beginPiece, options.endPiece, options.paddingPiece] {
            try check(!piece.isEmpty, "special pieces must not be empty")
        }
        self.options = options
        metaPieces = try Self.metaPieces(options)

        var file = SentencePieceModelFile()
        file.normalizerName = options.normalizationRuleName
        file.precompiledCharsmap = try NormalizationRules.precompiledCharsmap(named: options.normalizationRuleName)
        file.addDummyPrefix = options.addDummyPrefix
        file.removeExtraWhitespaces = options.removeExtraWhitespaces
        file.escapeWhitespaces = true
        file.treatWhitespaceAsSuffix = options.treatWhitespaceAsSuffix
        file.byteFallback = options.byteFallback
        normalizerFile = file
        let userDefined = options.userDefinedSymbols.enumerated().map { (Array($0.element.utf8), $0.offset) }
        normalizer = try SentencePieceNormalizer(file, userDefined: userDefined.isEmpty ? nil : PieceTrie(userDefined),
                                                 source: "normalization rule \(options.normalizationRuleName)")
        metaMatcher = PieceTrie(metaPieces.values.enumerated().map { (Array($0.element.piece.utf8), $0.offset) })
    }

    /// `InitMetaPieces`: unknown / begin / end / padding at their ids, then control, user-defined and byte pieces at
    /// the first free ids.
    private static func metaPieces(_ options: Options) throws -> [Int: (piece: String, type: SentencePieceModel.PieceType)] {
        var meta: [Int: (piece: String, type: SentencePieceModel.PieceType)] = [:]
        for (id, piece) in [(options.unknownId, options.unknownPiece), (options.beginId, options.beginPiece),
                            (options.endId, options.endPiece), (options.paddingId, options.paddingPiece)] where id >= 0 {
            guard id < options.vocabSize, meta[id] == nil,
                  !(piece == options.unknownPiece && meta.values.contains { $0.type == .unknown }) else {
                throw SentencePieceError.invalidTrainerOptions("special piece \(piece) at id \(id): the id is taken or beyond vocab_size")
            }
            meta[id] = (piece, piece == options.unknownPiece ? .unknown : .control)
        }
        guard meta.values.contains(where: { $0.type == .unknown }) else {
            throw SentencePieceError.invalidTrainerOptions("\(options.unknownPiece) must be defined (unk_id ≥ 0)")
        }
        var seen = Set<String>()
        var next = 0
        func insert(_ piece: String, _ type: SentencePieceModel.PieceType) throws {
            guard seen.insert(piece).inserted else {
                throw SentencePieceError.invalidTrainerOptions("\(piece) is already defined. duplicated symbols are not allowed")
            }
            guard piece != options.unknownPiece else {
                throw SentencePieceError.invalidTrainerOptions("\(piece) must not be defined with --control_symbols and --user_defined_symbols")
            }
            if piece == options.beginPiece && options.beginId >= 0 { meta[options.beginId]!.type = type; return }
            if piece == options.endPiece && options.endId >= 0 { meta[options.endId]!.type = type; return }
            if piece == options.paddingPiece && options.paddingId >= 0 { meta[options.paddingId]!.type = type; return }
            while meta[next] != nil { next += 1 }
            meta[next] = (piece, type)
        }
        for piece in options.controlSymbols { try insert(piece, .control) }
        for piece in options.userDefinedSymbols { try insert(piece, .userDefined) }
        if options.byteFallback {
            for byte in 0..<256 { try insert(String(format: "<0x%02X>", byte), .byte) }
        }
        return meta
    }

    /// Adds one line of training text (UTF-8, without its newline), as `LoadSentences` reads it: empty lines, lines
    /// longer than `max_sentence_length` bytes and lines holding U+2585 are skipped; the rest is normalised and each
    /// meta piece in it becomes a boundary (tab).
    public mutating func add(line: UnsafeBufferPointer<UInt8>) {
        guard !line.isEmpty else { return }
        guard line.count <= options.maxSentenceLength else { tooLongLines += 1; return }
        // U+2585 is the trainer's own mark for rare characters.
        for index in 0..<max(0, line.count - 2) where line[index] == 0xE2 && line[index + 1] == 0x96 && line[index + 2] == 0x85 {
            return
        }
        var normalized: [UInt8] = []
        var alignment: [Int32] = []
        normalizer.normalize(line, into: &normalized, normalizedToOriginal: &alignment)
        var text: [UInt8] = []
        text.reserveCapacity(normalized.count)
        normalized.withUnsafeBufferPointer { bytes in
            var position = 0
            while position < bytes.count {
                if let match = metaMatcher.longestMatch(bytes, from: position) {
                    text.append(UInt8(ascii: "\t"))
                    position += match.length
                } else {
                    text.append(bytes[position])
                    position += 1
                }
            }
        }
        sentences.append((text, 1))
    }

    /// Adds one line given as Unicode scalar values (`TextLines`' form).
    public mutating func add(line scalars: UnsafeBufferPointer<UInt32>) {
        var utf8: [UInt8] = []
        var origins: [Int32] = []
        UTF8Text.append(scalars, to: &utf8, origins: &origins)
        utf8.withUnsafeBufferPointer { add(line: $0) }
    }

    /// The number of lines kept so far.
    public var sentenceCount: Int { sentences.count }
}

/// What `train()` did, for the command's report.
public struct UnigramTrainingSummary: Sendable {
    public var sentences = 0
    public var skippedTooLong = 0
    public var requiredCharacters = 0
    public var characterCoverage = 0.0
    public var seedPieces = 0
    public var emRounds = 0
    public var pieces = 0
}
