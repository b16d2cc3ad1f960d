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
        var pieceScalars: [UInt32] = []
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
            let piece = sentencePiece.piece(at: index, of: encoded)
            let begin = scratch.origins[Int(encoded.begins[index])], end = scratch.origins[Int(encoded.ends[index])]
            if piece == "▁" {
                // `pieces[pi + 1]` in HF: a trailing lone ▁ would raise there; it adds nothing here.
                if index > 0 && index + 1 < count && !sentencePiece.piece(at: index + 1, of: encoded).hasPrefix("▁") {
                    append("▁", begin, end, to: &pieces)
                }
                continue
            }
            scratch.pieceScalars.removeAll(keepingCapacity: true)
            scratch.pieceScalars.append(contentsOf: piece.unicodeScalars.map(\.value))
            // Where each scalar of the piece starts in the input: through the normalised text when the piece is
            // a span of it, else (a byte-fallback piece) the piece's own offsets.
            let range = encoded.pieceRanges[index]
            let fromText = !range.isEmpty
            var scalarStarts: [Int32] = []
            if fromText {
                var byte = Int(range.lowerBound)
                for scalar in scratch.pieceScalars {
                    scalarStarts.append(scratch.origins[Int(encoded.normalizedToOriginal[byte])])
                    byte += scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : scalar < 0x10000 ? 3 : 4
                }
                scalarStarts.append(end)
            }
            func emit(_ lower: Int, _ upper: Int) {
                let text = String(String.UnicodeScalarView(scratch.pieceScalars[lower..<upper].compactMap(Unicode.Scalar.init)))
                if fromText {
                    append(text, scalarStarts[lower], max(scalarStarts[lower], scalarStarts[upper]), to: &pieces)
                } else {
                    append(text, begin, end, to: &pieces)
                }
            }
            let scalars = scratch.pieceScalars
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
        }
    }

    private func append(_ token: String, _ start: Int32, _ end: Int32, to pieces: inout TokenPieces) {
        pieces.append(Int32(vocabulary[token] ?? vocabulary[unknownToken]!), start, end)
    }

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
