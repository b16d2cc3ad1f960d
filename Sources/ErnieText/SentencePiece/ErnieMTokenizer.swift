import Foundation

/// ERNIE-M's tokenizer as transformers 4.x `ErnieMTokenizer` (after PaddleNLP's) runs it: the text is split at its
/// special tokens, each part is encoded by SentencePiece, and the pieces are cut again before and after every CJK
/// character (U+4E00…U+9FFF) and ASCII/CJK punctuation mark of `,;:.?!~，；：。？！《》【】`, and at every boundary
/// between digits and non-digits; a lone `▁` piece survives only before a piece without one. Ids come from
/// `vocab.txt` (index = line; unknown pieces → `[UNK]`); pairs are `[CLS] A [SEP] [SEP] B [SEP]`.
public final class ErnieMTokenizer: Sendable {
    public let sentencePiece: SentencePieceModel
    public let vocabulary: Vocabulary
    public let addedTokens: [AddedToken]
    /// `do_lower_case` (off for ERNIE-M).
    public let lowercase: Bool
    public let classifierToken = "[CLS]"
    public let separatorToken = "[SEP]"
    public let paddingToken = "[PAD]"
    public let maskToken = "[MASK]"
    public let unknownToken = "[UNK]"
    /// Special-token texts as scalars, for splitting.
    let specialScalars: [(scalars: [UInt32], id: Int32)]

    /// - Parameters:
    ///   - vocabulary: `vocab.txt`; nil takes the SentencePiece pieces in id order (then the special tokens must be
    ///     among them).
    ///   - vocabularySource: the vocabulary's file, for errors.
    /// - Throws: `TokenizerError.missingToken` when a special token is missing from the vocabulary;
    ///   `TokenizerError.invalidConfiguration` when the vocabulary lacks more than 1% of the model's pieces (a
    ///   vocab.txt of another model: most text would become `[UNK]`).
    public init(sentencePiece: SentencePieceModel, vocabulary: Vocabulary? = nil, lowercase: Bool = false,
                vocabularySource: String = "vocab.txt") throws {
        self.sentencePiece = sentencePiece
        if let vocabulary {
            let pieces = sentencePiece.pieces.indices.filter { sentencePiece.types[$0] == .normal }
            let missing = pieces.filter { vocabulary[sentencePiece.pieces[$0]] == nil }
            if missing.count * 100 > pieces.count {
                throw TokenizerError.invalidConfiguration(
                    path: vocabularySource,
                    reason: "it lacks \(missing.count) of the SentencePiece model's \(pieces.count) pieces (e.g. " +
                        missing.prefix(5).map { "\"\(sentencePiece.pieces[$0])\" (piece \($0))" }.joined(separator: ", ") +
                        "): it belongs to another model")
            }
        }
        let vocabulary = try vocabulary ?? Vocabulary(tokens: sentencePiece.pieces, source: "SentencePiece pieces",
                                                      requireSpecialTokens: false)
        self.vocabulary = vocabulary
        self.lowercase = lowercase
        var added: [AddedToken] = []
        for (role, token) in [("unknown token", "[UNK]"), ("separator token", "[SEP]"), ("padding token", "[PAD]"),
                              ("classifier token", "[CLS]"), ("mask token", "[MASK]")] {
            guard let id = vocabulary[token] else { throw TokenizerError.missingToken(token, role: role) }
            added.append(AddedToken(content: token, id: id))
        }
        addedTokens = added
        specialScalars = added.map { (Array($0.content.unicodeScalars.map(\.value)), Int32($0.id)) }
    }

    public struct Scratch {
        var sentencePiece = SentencePieceModel.Scratch()
        var utf8: [UInt8] = []
        var origins: [Int32] = []
        /// Each vocabulary piece's re-split, as met.
        var parts: [Int32: [Part]] = [:]
        public init() {}
    }

    /// Appends the tokens of `text` (scalars) with offsets into it.
    public func appendPieces(of text: UnsafeBufferPointer<UInt32>, to pieces: inout TokenPieces, scratch: inout Scratch) {
        var segmentStart = 0
        var index = 0
        while index < text.count {
            // The longest special token starting here (HF's added-token trie).
            var match: (length: Int, id: Int32)?
            for (scalars, id) in specialScalars where scalars.count <= text.count - index && scalars.count > (match?.length ?? 0) {
                if (0..<scalars.count).allSatisfy({ text[index + $0] == scalars[$0] }) { match = (scalars.count, id) }
            }
            if let match {
                appendSegment(text, segmentStart..<index, to: &pieces, scratch: &scratch)
                pieces.append(match.id, Int32(index), Int32(index + match.length))
                index += match.length
                segmentStart = index
            } else {
                index += 1
            }
        }
        appendSegment(text, segmentStart..<text.count, to: &pieces, scratch: &scratch)
    }

    /// `_tokenize` of one part between special tokens.
    private func appendSegment(_ text: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, to pieces: inout TokenPieces,
                               scratch: inout Scratch) {
        guard !range.isEmpty else { return }
        scratch.utf8.removeAll(keepingCapacity: true)
        scratch.origins.removeAll(keepingCapacity: true)
        if lowercase {
            let lowered = String(String.UnicodeScalarView(text[range].compactMap(Unicode.Scalar.init))).lowercased()
            let scalars = lowered.unicodeScalars.map(\.value)
            scalars.withUnsafeBufferPointer { UTF8Text.append($0, to: &scratch.utf8, origins: &scratch.origins) }
            // Lower-casing may change the length: offsets then point at the lowered text, clamped to the part.
            for index in scratch.origins.indices {
                scratch.origins[index] = Int32(min(range.lowerBound + Int(scratch.origins[index]), range.upperBound))
            }
        } else {
            UTF8Text.append(UnsafeBufferPointer(rebasing: text[range]), to: &scratch.utf8, origins: &scratch.origins)
            for index in scratch.origins.indices { scratch.origins[index] += Int32(range.lowerBound) }
        }
        scratch.utf8.withUnsafeBufferPointer { sentencePiece.encode(utf8: $0, scratch: &scratch.sentencePiece) }
        let encoded = scratch.sentencePiece
        let count = encoded.ids.count
        for index in 0..<count {
            let id = Int(encoded.ids[index])
            let range = encoded.pieceRanges[index]
            let begin = scratch.origins[Int(encoded.begins[index])], end = scratch.origins[Int(encoded.ends[index])]
            let isUnknownRun = id == sentencePiece.unknownId && !range.isEmpty
            if id == sentencePiece.spaceId {
                // A lone ▁ stays only before a piece without one (HF's `pieces[pi + 1]`, which would raise on a
                // trailing one; it adds nothing here).
                if index > 0 && index + 1 < count && !startsWithSpace(index + 1, encoded) {
                    pieces.append(spaceVocabularyId, begin, end)
                }
                continue
            }
            // The piece's re-split: cached per vocabulary piece; computed each time for an unknown run (its text is
            // the normalised input) and a byte-fallback piece.
            let parts: [Part]
            if isUnknownRun {
                let text = String(decoding: encoded.normalized[Int(range.lowerBound)..<Int(range.upperBound)], as: UTF8.self)
                parts = split(text)
            } else if let cached = scratch.parts[Int32(id)] {
                parts = cached
            } else {
                parts = split(sentencePiece.pieces[id])
                scratch.parts[Int32(id)] = parts
            }
            // Offsets through the normalised text when the piece is a span of it, else (a byte-fallback piece) the
            // piece's own.
            guard !range.isEmpty else {
                for part in parts { pieces.append(part.id, begin, end) }
                continue
            }
            let length = Int(range.upperBound - range.lowerBound)
            for part in parts {
                let start = scratch.origins[Int(encoded.normalizedToOriginal[Int(range.lowerBound) + Int(part.bytes.lowerBound)])]
                let stop = Int(part.bytes.upperBound) == length ? end
                    : scratch.origins[Int(encoded.normalizedToOriginal[Int(range.lowerBound) + Int(part.bytes.upperBound)])]
                pieces.append(part.id, start, max(start, stop))
            }
        }
    }

    /// A token of a re-split piece: its vocabulary id and its bytes within the piece.
    struct Part: Sendable {
        var id: Int32
        var bytes: Range<Int32>
    }

    /// Whether result `index` starts with `▁` (for an unknown run, its normalised text).
    private func startsWithSpace(_ index: Int, _ encoded: SentencePieceModel.Scratch) -> Bool {
        let id = Int(encoded.ids[index]), range = encoded.pieceRanges[index]
        if id == sentencePiece.unknownId && !range.isEmpty {
            let bytes = encoded.normalized[Int(range.lowerBound)..<Int(range.upperBound)]
            return bytes.starts(with: SentencePieceNormalizer.spaceSymbol)
        }
        return sentencePiece.pieces[id].hasPrefix("▁")
    }

    /// `_tokenize`'s cut of one piece: before and after every CJK character and listed punctuation mark, at every
    /// digit/non-digit boundary; a part that is a lone `▁` is dropped.
    func split(_ piece: String) -> [Part] {
        let scalars = piece.unicodeScalars.map(\.value)
        var byteStarts = [Int32](repeating: 0, count: scalars.count + 1)
        for (index, scalar) in scalars.enumerated() {
            byteStarts[index + 1] = byteStarts[index] + (scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : scalar < 0x10000 ? 3 : 4)
        }
        var parts: [Part] = []
        func emit(_ lower: Int, _ upper: Int) {
            let text = String(String.UnicodeScalarView(scalars[lower..<upper].compactMap(Unicode.Scalar.init)))
            parts.append(Part(id: Int32(vocabulary[text] ?? vocabulary[unknownToken]!), bytes: byteStarts[lower]..<byteStarts[upper]))
        }
        let isUnderline = { (lower: Int, upper: Int) in upper - lower == 1 && scalars[lower] == 0x2581 }
        var last = 0
        for (position, scalar) in scalars.enumerated() {
            if scalar == 0x2581 { continue }
            if Self.isCJK(scalar) || Self.isPunctuation(scalar) {
                if position > last && !isUnderline(last, position) { emit(last, position) }
                emit(position, position + 1)
                last = position + 1
            } else if position > 0 && Self.isDigit(scalar) != Self.isDigit(scalars[position - 1]) {
                if position > last && !isUnderline(last, position) { emit(last, position) }
                last = position
            }
        }
        if scalars.count > last { emit(last, scalars.count) }
        return parts
    }

    /// The vocabulary id of a kept lone `▁`.
    var spaceVocabularyId: Int32 { Int32(vocabulary["▁"] ?? vocabulary[unknownToken]!) }

    static func isCJK(_ scalar: UInt32) -> Bool { (0x4E00...0x9FFF).contains(scalar) }

    static let punctuation = Set(",;:.?!~，；：。？！《》【】".unicodeScalars.map(\.value))
    static func isPunctuation(_ scalar: UInt32) -> Bool { punctuation.contains(scalar) }

    /// Python's `str.isdigit`: numeric type decimal or digit.
    static func isDigit(_ scalar: UInt32) -> Bool {
        if scalar < 0x80 { return scalar >= 0x30 && scalar <= 0x39 }
        guard let value = Unicode.Scalar(scalar) else { return false }
        return value.properties.numericType == .decimal || value.properties.numericType == .digit
    }
}
