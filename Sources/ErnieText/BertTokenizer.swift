import Foundation

/// A token matched in the raw text before normalization (HF's `AddedToken`), e.g. `[CLS]` or `[MASK]` typed in the input.
public struct AddedToken: Sendable, Equatable {
    public var content: String
    public var id: Int
    /// Special tokens are dropped by `decode(skipSpecialTokens: true)`.
    public var special: Bool
    /// Also swallow whitespace on the left / right of the match.
    public var leftStrip: Bool
    public var rightStrip: Bool
    /// Only match when not inside a word (no letter, digit or `_` right before or after).
    public var singleWord: Bool

    public init(content: String, id: Int, special: Bool = true, leftStrip: Bool = false, rightStrip: Bool = false,
                singleWord: Bool = false) {
        self.content = content
        self.id = id
        self.special = special
        self.leftStrip = leftStrip
        self.rightStrip = rightStrip
        self.singleWord = singleWord
    }
}

/// BERT's WordPiece tokenizer with the semantics of Hugging Face's `BertTokenizerFast`: added/special tokens matched in
/// the raw text, `BertNormalizer` (clean text, CJK splitting, accent stripping, lower-casing), `BertPreTokenizer`
/// (whitespace and punctuation), WordPiece greedy longest match with `##` continuations, offsets into the original
/// text in Unicode scalars.
///
/// Thread-safe and cheap to share; the hot entry point is `appendPieces(of:to:scratch:)` on scalar buffers.
public final class BertTokenizer: Sendable {
    public let vocabulary: Vocabulary
    public let normalizer: BertNormalizer
    public let unknownToken: String
    public let continuingSubwordPrefix: String
    /// Longer words (in normalized scalars) become the unknown token.
    public let maxInputCharsPerWord: Int
    public let addedTokens: [AddedToken]
    public let classifierToken: String
    public let separatorToken: String
    public let paddingToken: String
    public let maskToken: String

    let trie: WordPieceTrie
    let table: BertCharacterTable
    let unknownId: Int32
    let mode: BertNormalizer.Mode
    /// Per ASCII scalar: bit 0 removed, 1 whitespace, 2 punctuation, 3 may start an added token.
    let asciiClass: [UInt8]
    let addedScalars: [[UInt32]]
    let addedFirstScalars: Set<UInt32>
    /// Some added token starts with a non-ASCII scalar (else the set is never asked: hashing per CJK character).
    let addedNonASCIIStarts: Bool
    let specialIds: Set<Int>

    /// - Parameters:
    ///   - addedTokens: tokens matched before normalization; `nil` gives the vocabulary's `[PAD] [UNK] [CLS] [SEP]
    ///     [MASK]` as special tokens (what `BertTokenizerFast(vocab_file=…)` registers).
    /// - Throws: `TokenizerError.missingToken` when the unknown token or a special token is not in the vocabulary.
    public init(vocabulary: Vocabulary, normalizer: BertNormalizer = BertNormalizer(), unknownToken: String = "[UNK]",
                continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100,
                addedTokens: [AddedToken]? = nil, classifierToken: String = "[CLS]", separatorToken: String = "[SEP]",
                paddingToken: String = "[PAD]", maskToken: String = "[MASK]") throws {
        guard let unknownId = vocabulary[unknownToken] else {
            throw TokenizerError.missingToken(unknownToken, role: "unknown token")
        }
        for (token, role) in [(classifierToken, "classifier token"), (separatorToken, "separator token"),
                              (paddingToken, "padding token")] where vocabulary[token] == nil {
            throw TokenizerError.missingToken(token, role: role)
        }
        self.vocabulary = vocabulary
        self.normalizer = normalizer
        self.unknownToken = unknownToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.classifierToken = classifierToken
        self.separatorToken = separatorToken
        self.paddingToken = paddingToken
        self.maskToken = maskToken
        let added = addedTokens ?? [paddingToken, unknownToken, classifierToken, separatorToken, maskToken]
            .compactMap { token in vocabulary[token].map { AddedToken(content: token, id: $0) } }
        self.addedTokens = added.filter { !$0.content.isEmpty }
        self.addedScalars = self.addedTokens.map { $0.content.unicodeScalars.map(\.value) }
        self.addedFirstScalars = Set(addedScalars.map { $0[0] })
        addedNonASCIIStarts = addedFirstScalars.contains { $0 >= 128 }
        self.specialIds = Set(self.addedTokens.filter(\.special).map(\.id))
        self.trie = WordPieceTrie(tokens: vocabulary.tokens, continuingSubwordPrefix: continuingSubwordPrefix)
        self.table = BertCharacterTable.shared
        self.unknownId = Int32(unknownId)
        self.mode = normalizer.mode
        var ascii = [UInt8](repeating: 0, count: 128)
        for value in 0..<UInt32(128) {
            let flags = BertCharacterTable.baseFlags(Unicode.Scalar(value)!)
            if flags.contains(.removed) && normalizer.cleanText { ascii[Int(value)] |= 1 }
            if flags.contains(.whitespace) { ascii[Int(value)] |= 2 }
            if flags.contains(.punctuation) { ascii[Int(value)] |= 4 }
            if addedFirstScalars.contains(value) { ascii[Int(value)] |= 8 }
        }
        self.asciiClass = ascii
    }

    /// Reads `vocab.txt` and tokenizes like `BertTokenizerFast(vocab_file, do_lower_case=…)`.
    /// - Parameter neverSplit: extra strings kept whole (matched in the raw text like the special tokens, not
    ///   lower-cased); the vocabulary's id, or the unknown token's when it has none.
    public convenience init(vocabFile: URL, doLowerCase: Bool = true, stripAccents: Bool? = nil,
                            tokenizeChineseChars: Bool = true, neverSplit: [String] = []) throws {
        let vocabulary = try Vocabulary(contentsOf: vocabFile)
        var added = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { token in
            vocabulary[token].map { AddedToken(content: token, id: $0) }
        }
        for token in neverSplit where !added.contains(where: { $0.content == token }) {
            added.append(AddedToken(content: token, id: vocabulary[token] ?? vocabulary.unkId!, special: false))
        }
        try self.init(vocabulary: vocabulary,
                      normalizer: BertNormalizer(handleChineseChars: tokenizeChineseChars, stripAccents: stripAccents,
                                                 lowercase: doLowerCase),
                      addedTokens: added)
    }

    // MARK: - Tokens

    /// Reusable word buffers for `appendPieces`.
    public struct Scratch {
        var word: [UInt32] = []
        var origins: [Int32] = []
        public init() {}
    }

    /// Appends the tokens of `text` (Unicode scalar values) to `pieces`; offsets are indices into `text`.
    public func appendPieces(of text: UnsafeBufferPointer<UInt32>, to pieces: inout TokenPieces, scratch: inout Scratch) {
        guard !addedTokens.isEmpty else {
            appendNormalizedPieces(of: text, range: 0..<text.count, to: &pieces, scratch: &scratch)
            return
        }
        var segmentStart = 0
        var index = 0
        while index < text.count {
            let value = text[index]
            let mayStart = value < 128 ? asciiClass[Int(value)] & 8 != 0
                : addedNonASCIIStarts && addedFirstScalars.contains(value)
            if mayStart, let match = addedTokenMatch(in: text, at: index) {
                appendNormalizedPieces(of: text, range: segmentStart..<match.range.lowerBound, to: &pieces,
                                       scratch: &scratch)
                pieces.append(Int32(match.id), Int32(match.range.lowerBound), Int32(match.range.upperBound))
                index = match.range.upperBound
                segmentStart = index
            } else {
                index += 1
            }
        }
        appendNormalizedPieces(of: text, range: segmentStart..<text.count, to: &pieces, scratch: &scratch)
    }

    /// The longest added token starting at `index` (with its whitespace swallowed by left/right strip).
    func addedTokenMatch(in text: UnsafeBufferPointer<UInt32>, at index: Int) -> (id: Int, range: Range<Int>)? {
        var best: (id: Int, range: Range<Int>)? = nil
        for (tokenIndex, scalars) in addedScalars.enumerated() where scalars[0] == text[index] {
            guard index + scalars.count <= text.count,
                  (0..<scalars.count).allSatisfy({ text[index + $0] == scalars[$0] }) else { continue }
            let token = addedTokens[tokenIndex]
            var lower = index, upper = index + scalars.count
            if token.singleWord {
                let isWordScalar = { (value: UInt32) -> Bool in
                    guard let scalar = Unicode.Scalar(value) else { return false }
                    return scalar.properties.isAlphabetic || scalar.properties.numericType != nil || value == 0x5F
                }
                if lower > 0 && isWordScalar(text[lower - 1]) { continue }
                if upper < text.count && isWordScalar(text[upper]) { continue }
            }
            if token.leftStrip { while lower > 0 && table.flags(text[lower - 1]).contains(.whitespace) { lower -= 1 } }
            if token.rightStrip { while upper < text.count && table.flags(text[upper]).contains(.whitespace) { upper += 1 } }
            if best == nil || upper - index > best!.range.upperBound - index { best = (token.id, lower..<upper) }
        }
        return best
    }

    /// Normalizes, pre-tokenizes and WordPiece-encodes `text[range]`.
    @inline(__always)
    private func appendNormalizedPieces(of text: UnsafeBufferPointer<UInt32>, range: Range<Int>,
                                        to pieces: inout TokenPieces, scratch: inout Scratch) {
        var sink = WordPieceSink(tokenizer: self)
        swap(&sink.pieces, &pieces)
        normalizeAndSplit(text, range: range, into: &sink, scratch: &scratch)
        swap(&sink.pieces, &pieces)
    }

    /// BertNormalizer + BertPreTokenizer on `text[range]`: hands each word (normalized scalars with the index of the
    /// original scalar each came from) to `sink`.
    @inline(__always)
    func normalizeAndSplit<Sink: BertWordSink>(_ text: UnsafeBufferPointer<UInt32>, range: Range<Int>,
                                               into sink: inout Sink, scratch: inout Scratch) {
        let clean = normalizer.cleanText, chinese = normalizer.handleChineseChars
        let lower = mode == .lowercase || mode == .lowercaseAndStripAccents
        let changeFlag: BertCharacterTable.Flags = switch mode {
        case .none: []
        case .lowercase: .lowerChanges
        case .stripAccents: .stripChanges
        case .lowercaseAndStripAccents: .lowerStripChanges
        }
        var index = range.lowerBound
        while index < range.upperBound {
            let value = text[index]
            let origin = Int32(index)
            index += 1
            if value < 128 {
                let kind = asciiClass[Int(value)]
                if kind & 7 == 0 {
                    let normalized = lower && value >= 0x41 && value <= 0x5A ? value + 32 : value
                    scratch.word.append(normalized)
                    scratch.origins.append(origin)
                } else if kind & 1 != 0 {
                    continue
                } else if kind & 2 != 0 {
                    flush(&scratch, into: &sink)
                } else {
                    flush(&scratch, into: &sink)
                    sink.single(value, origin: origin)
                }
                continue
            }
            let flags = table.flags(value)
            if clean && flags.contains(.removed) { continue }
            if flags.contains(.whitespace) {
                flush(&scratch, into: &sink)
                continue
            }
            if chinese && flags.contains(.chinese) {
                flush(&scratch, into: &sink)
                if !flags.contains(changeFlag) || changeFlag.isEmpty {
                    sink.single(value, origin: origin)
                } else {
                    appendNormalized(value, origin, to: &scratch, sink: &sink)
                    flush(&scratch, into: &sink)
                }
                continue
            }
            if changeFlag.isEmpty || !flags.contains(changeFlag) {
                if flags.contains(.punctuation) {
                    flush(&scratch, into: &sink)
                    sink.single(value, origin: origin)
                } else {
                    scratch.word.append(value)
                    scratch.origins.append(origin)
                }
            } else {
                appendNormalized(value, origin, to: &scratch, sink: &sink)
            }
        }
        flush(&scratch, into: &sink)
    }

    /// Appends the normalized scalars of one changed scalar, splitting off punctuation and whitespace they produce.
    private func appendNormalized<Sink: BertWordSink>(_ value: UInt32, _ origin: Int32, to scratch: inout Scratch,
                                                      sink: inout Sink) {
        for output in table.normalized(value, mode: mode) {
            let flags = table.flags(output)
            if flags.contains(.whitespace) {
                flush(&scratch, into: &sink)
            } else if flags.contains(.punctuation) {
                flush(&scratch, into: &sink)
                sink.single(output, origin: origin)
            } else {
                scratch.word.append(output)
                scratch.origins.append(origin)
            }
        }
    }

    @inline(__always)
    private func flush<Sink: BertWordSink>(_ scratch: inout Scratch, into sink: inout Sink) {
        guard !scratch.word.isEmpty else { return }
        scratch.word.withUnsafeBufferPointer { word in
            scratch.origins.withUnsafeBufferPointer { origins in sink.word(word, origins: origins) }
        }
        scratch.word.removeAll(keepingCapacity: true)
        scratch.origins.removeAll(keepingCapacity: true)
    }

    /// A one-scalar word (punctuation, CJK ideograph): a direct trie root lookup.
    @inline(__always)
    func singleTokenId(_ value: UInt32) -> Int32 {
        if let node = trie.child(WordPieceTrie.wordRoot, value) {
            let found = trie.tokenIds[Int(node)]
            if found >= 0 { return found }
        }
        return unknownId
    }

    /// WordPiece on one word: greedy longest match, the unknown token for the whole word when a piece is missing or the
    /// word is longer than `maxInputCharsPerWord`.
    @inline(__always)
    func appendWordPieces(_ word: UnsafeBufferPointer<UInt32>, origins: UnsafeBufferPointer<Int32>,
                          to pieces: inout TokenPieces) {
        let count = word.count
        let first = origins[0], last = origins[count - 1] + 1
        if count > maxInputCharsPerWord {
            pieces.append(unknownId, first, last)
            return
        }
        let mark = pieces.count
        var start = 0
        while start < count {
            let root = start == 0 ? WordPieceTrie.wordRoot : WordPieceTrie.continuationRoot
            guard let match = trie.longestMatch(word, from: start, root: root) else {
                pieces.truncate(to: mark)
                pieces.append(unknownId, first, last)
                return
            }
            pieces.append(match.id, origins[start], origins[match.end - 1] + 1)
            start = match.end
        }
    }
}

/// Receives the words of `BertTokenizer.normalizeAndSplit`.
protocol BertWordSink {
    /// A word of one scalar (punctuation, a CJK ideograph) that came from the original scalar at `origin`.
    mutating func single(_ value: UInt32, origin: Int32)
    /// A word of normalized scalars; `origins[i]` is the original index of `word[i]`.
    mutating func word(_ word: UnsafeBufferPointer<UInt32>, origins: UnsafeBufferPointer<Int32>)
}

/// WordPiece-encodes the words into token pieces.
struct WordPieceSink: BertWordSink {
    let tokenizer: BertTokenizer
    var pieces = TokenPieces()

    init(tokenizer: BertTokenizer) { self.tokenizer = tokenizer }

    @inline(__always)
    mutating func single(_ value: UInt32, origin: Int32) {
        pieces.append(tokenizer.singleTokenId(value), origin, origin + 1)
    }

    @inline(__always)
    mutating func word(_ word: UnsafeBufferPointer<UInt32>, origins: UnsafeBufferPointer<Int32>) {
        tokenizer.appendWordPieces(word, origins: origins, to: &pieces)
    }
}

/// Collects the words as scalar arrays (pre-tokenization only).
struct CollectingSink: BertWordSink {
    var words: [[UInt32]] = []

    mutating func single(_ value: UInt32, origin: Int32) { words.append([value]) }

    mutating func word(_ word: UnsafeBufferPointer<UInt32>, origins: UnsafeBufferPointer<Int32>) {
        words.append(Array(word))
    }
}

extension BertTokenizer {
    /// The normalized words of `text` before WordPiece (HF: `pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text))`,
    /// with added tokens kept whole), e.g. `"Héllo, 世界"` → `["hello", ",", "世", "界"]`.
    public func preTokenize(_ text: String) -> [String] {
        preTokenizedScalars(text.unicodeScalars.map(\.value)).map {
            String(String.UnicodeScalarView($0.compactMap(Unicode.Scalar.init)))
        }
    }

    /// `preTokenize` on scalar values.
    public func preTokenizedScalars(_ scalars: [UInt32]) -> [[UInt32]] {
        var sink = CollectingSink()
        var scratch = Scratch()
        scalars.withUnsafeBufferPointer { text in
            var segmentStart = 0
            var index = 0
            while index < text.count {
                if let match = addedTokens.isEmpty ? nil : addedTokenMatch(in: text, at: index) {
                    normalizeAndSplit(text, range: segmentStart..<match.range.lowerBound, into: &sink, scratch: &scratch)
                    sink.words.append(Array(text[match.range]))
                    index = match.range.upperBound
                    segmentStart = index
                } else {
                    index += 1
                }
            }
            normalizeAndSplit(text, range: segmentStart..<text.count, into: &sink, scratch: &scratch)
        }
        return sink.words
    }
}

public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case missingToken(String, role: String)
    case strideTooLarge(stride: Int, room: Int)
    case sequenceTooShort(length: Int, toRemove: Int)
    case secondSequenceNotProvided
    case maxLengthTooSmall(maxLength: Int, specialTokens: Int)
    case invalidConfiguration(path: String, reason: String)
    /// A BPE merge over a token the vocabulary lacks (a merges.txt that does not belong to the vocab.json).
    case unknownMergeToken(path: String, line: Int, merge: String, token: String)
    /// A merges.txt line that is not two tokens separated by one space.
    case malformedMerge(path: String, line: Int, text: String)

    public var description: String {
        switch self {
        case .missingToken(let token, let role):
            "the vocabulary has no \(role) \"\(token)\"; add it to vocab.txt or name another one"
        case .strideTooLarge(let stride, let room):
            "stride \(stride) must be strictly less than the room left per window (\(room) tokens after special tokens); "
                + "lower --stride or raise --max_length"
        case .sequenceTooShort(let length, let toRemove):
            "cannot truncate a sequence of \(length) tokens by \(toRemove): it is too short for this strategy; "
                + "use longest_first or a larger max length"
        case .secondSequenceNotProvided:
            "truncation only_second needs a second sequence (text pair)"
        case .maxLengthTooSmall(let maxLength, let specialTokens):
            "max length \(maxLength) leaves no room after \(specialTokens) special tokens"
        case .invalidConfiguration(let path, let reason):
            "\(path): \(reason)"
        case .unknownMergeToken(let path, let line, let merge, let token):
            "\(path):\(line): the merge \"\(merge)\" needs the token \"\(token)\", which the vocabulary (vocab.json) lacks; "
                + "merges.txt and vocab.json must come from the same training"
        case .malformedMerge(let path, let line, let text):
            "\(path):\(line): \"\(text)\" is not a merge (two tokens separated by one space)"
        }
    }
}
