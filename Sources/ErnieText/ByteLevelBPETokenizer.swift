import Foundation

/// One line of a BPE model's merges: the two tokens whose concatenation is a vocabulary token.
public struct BPEMerge: Sendable, Equatable {
    public var left: String
    public var right: String

    public init(_ left: String, _ right: String) {
        self.left = left
        self.right = right
    }
}

/// RoBERTa's (GPT-2's) byte-level BPE tokenizer with the semantics of Hugging Face's `RobertaTokenizerFast`: added and
/// special tokens matched in the raw text, the `ByteLevel` pre-tokenizer (an optional prefix space, GPT-2's regex,
/// each UTF-8 byte written as a character of `ByteLevelAlphabet`), BPE merges by rank, `RobertaProcessing`'s offset
/// trimming, offsets into the original text in Unicode scalars (a token made of some bytes of a scalar covers the
/// whole scalar).
///
/// Thread-safe and cheap to share; the hot entry point is `appendPieces(of:to:scratch:)` on scalar buffers.
public final class ByteLevelBPETokenizer: Sendable {
    /// Model tokens by id (vocab.json), then added tokens with new ids.
    public let vocabulary: Vocabulary
    /// In rank order.
    public let merges: [BPEMerge]
    public let addedTokens: [AddedToken]
    /// Prepend a space to each text (and to each stretch between added tokens) that does not start with one, so its
    /// first word is encoded like a word inside a sentence.
    public let addPrefixSpace: Bool
    /// Drop the spaces a token starts or ends with from its offsets (`RobertaProcessing(trim_offsets=True)`).
    public let trimOffsets: Bool
    /// `<s>`: RoBERTa's classifier and beginning-of-sequence token.
    public let classifierToken: String
    /// `</s>`: separator and end-of-sequence token.
    public let separatorToken: String
    public let paddingToken: String
    public let maskToken: String
    public let unknownToken: String

    let table: BPEMergeTable
    /// Per byte: the id of its alphabet character, -1 when the vocabulary lacks it (HF then drops the byte).
    let byteIds: [Int32]
    /// Per id: how many spaces (`Ġ` or whitespace) the token starts / ends with, for offset trimming.
    let leadingSpaces: [UInt8]
    let trailingSpaces: [UInt8]
    /// Per id: an added token (its offsets cover the text it matched).
    let isAddedId: [Bool]
    /// `ByteLevelPreTokenizer.bmpClasses`, held here so the hot loop reads it without a global's once-check.
    let classTable: [UInt8]
    let addedScalars: [[UInt32]]
    let addedFirstScalars: Set<UInt32>
    /// Per ASCII scalar: may start an added token.
    let asciiStartsAdded: [Bool]
    /// Some added token starts with a non-ASCII scalar (else the set is never asked: hashing per CJK character).
    let addedNonASCIIStarts: Bool
    let specialIds: Set<Int>

    /// The `AddedToken`s `RobertaTokenizerFast` registers for a vocab.json + merges.txt: its special tokens that the
    /// vocabulary has, `<mask>` stripping the whitespace on its left.
    public static func robertaAddedTokens(vocabulary: Vocabulary, tokens: [String] = ["<s>", "<pad>", "</s>", "<unk>"],
                                          maskToken: String = "<mask>") -> [AddedToken] {
        var added = tokens.compactMap { token in vocabulary[token].map { AddedToken(content: token, id: $0) } }
        if let id = vocabulary[maskToken] { added.append(AddedToken(content: maskToken, id: id, leftStrip: true)) }
        return added.sorted { $0.id < $1.id }
    }

    /// - Parameters:
    ///   - vocabulary: tokens by id (`vocab.json`, then added tokens beyond it).
    ///   - merges: in rank order; each side and their concatenation must be vocabulary tokens.
    ///   - addedTokens: tokens matched in the raw text; `nil` gives `robertaAddedTokens`.
    ///   - source: names the merges in errors (their file).
    ///   - mergeLines: the line (or position) of each merge in `source`, for errors; default: its 1-based index.
    /// - Throws: `TokenizerError.unknownMergeToken` for a merge over tokens the vocabulary lacks,
    ///   `TokenizerError.missingToken` for a special token it lacks.
    public init(vocabulary: Vocabulary, merges: [BPEMerge], addedTokens: [AddedToken]? = nil,
                addPrefixSpace: Bool = false, trimOffsets: Bool = true, classifierToken: String = "<s>",
                separatorToken: String = "</s>", paddingToken: String = "<pad>", maskToken: String = "<mask>",
                unknownToken: String = "<unk>", source: String = "merges", mergeLines: [Int]? = nil) throws {
        for (token, role) in [(classifierToken, "classifier token"), (separatorToken, "separator token"),
                              (paddingToken, "padding token")] where vocabulary[token] == nil {
            throw TokenizerError.missingToken(token, role: role)
        }
        var table = [(left: Int32, right: Int32, merged: Int32)]()
        table.reserveCapacity(merges.count)
        for (index, merge) in merges.enumerated() {
            let line = mergeLines?[index] ?? index + 1
            for token in [merge.left, merge.right, merge.left + merge.right] where vocabulary[token] == nil {
                throw TokenizerError.unknownMergeToken(path: source, line: line, merge: "\(merge.left) \(merge.right)",
                                                       token: token)
            }
            table.append((Int32(vocabulary[merge.left]!), Int32(vocabulary[merge.right]!),
                          Int32(vocabulary[merge.left + merge.right]!)))
        }
        self.vocabulary = vocabulary
        self.merges = merges
        self.table = BPEMergeTable(table)
        self.addPrefixSpace = addPrefixSpace
        self.trimOffsets = trimOffsets
        self.classifierToken = classifierToken
        self.separatorToken = separatorToken
        self.paddingToken = paddingToken
        self.maskToken = maskToken
        self.unknownToken = unknownToken
        let added = addedTokens ?? Self.robertaAddedTokens(vocabulary: vocabulary, maskToken: maskToken)
        self.addedTokens = added.filter { !$0.content.isEmpty }
        let scalars = self.addedTokens.map { $0.content.unicodeScalars.map(\.value) }
        let firstScalars = Set(scalars.map { $0[0] })
        addedScalars = scalars
        addedFirstScalars = firstScalars
        asciiStartsAdded = (0..<UInt32(128)).map { firstScalars.contains($0) }
        addedNonASCIIStarts = firstScalars.contains { $0 >= 128 }
        specialIds = Set(self.addedTokens.filter(\.special).map(\.id))
        byteIds = ByteLevelAlphabet.characters.map { character in
            vocabulary[String(Unicode.Scalar(character)!)].map(Int32.init) ?? -1
        }
        func spaces<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> UInt8 {
            UInt8(min(255, scalars.prefix { $0.value == 0x120 || $0.properties.isWhitespace }.count))
        }
        leadingSpaces = vocabulary.tokens.map { spaces($0.unicodeScalars) }
        var isAdded = [Bool](repeating: false, count: vocabulary.count)
        for token in self.addedTokens where token.id >= 0 && token.id < vocabulary.count { isAdded[token.id] = true }
        isAddedId = isAdded
        classTable = ByteLevelPreTokenizer.bmpClasses
        trailingSpaces = vocabulary.tokens.map { spaces($0.unicodeScalars.reversed()) }
    }

    /// This tokenizer with another `addPrefixSpace` (`RobertaTokenizerFast(…, add_prefix_space=…)`).
    public func with(addPrefixSpace: Bool) throws -> ByteLevelBPETokenizer {
        try ByteLevelBPETokenizer(vocabulary: vocabulary, merges: merges, addedTokens: addedTokens,
                                  addPrefixSpace: addPrefixSpace, trimOffsets: trimOffsets,
                                  classifierToken: classifierToken, separatorToken: separatorToken,
                                  paddingToken: paddingToken, maskToken: maskToken, unknownToken: unknownToken)
    }

    // MARK: - Tokens

    /// Ids and offsets of `text`'s tokens (no special tokens added; offsets trimmed when `trimOffsets`).
    public func pieces(of text: String) -> TokenPieces {
        pieces(of: text, trim: trimOffsets)
    }

    func pieces(of text: String, trim: Bool) -> TokenPieces {
        pieces(of: text.unicodeScalars.map(\.value), trim: trim)
    }

    func pieces(of scalars: [UInt32], trim: Bool) -> TokenPieces {
        var pieces = TokenPieces()
        var scratch = Scratch()
        scalars.withUnsafeBufferPointer { appendPieces(of: $0, to: &pieces, scratch: &scratch, trim: trim) }
        return pieces
    }

    /// Reusable buffers for `appendPieces`, and the cache of merged words.
    public struct Scratch {
        var buffers = BPEWordBuffers(capacity: 0)
        var merging = BPEMergeBuffers(capacity: 0)
        var cache = BPEWordCache()
        public init() {}
    }

    /// Appends the tokens of `text` (Unicode scalar values) to `pieces`; offsets are indices into `text`.
    public func appendPieces(of text: UnsafeBufferPointer<UInt32>, to pieces: inout TokenPieces,
                             scratch: inout Scratch) {
        appendPieces(of: text, to: &pieces, scratch: &scratch, trim: trimOffsets)
    }

    func appendPieces(of text: UnsafeBufferPointer<UInt32>, to pieces: inout TokenPieces, scratch: inout Scratch,
                      trim: Bool) {
        let first = pieces.count
        var segmentStart = 0
        var index = 0
        if !addedTokens.isEmpty {
            while index < text.count {
                let value = text[index]
                let mayStart = value < 128 ? asciiStartsAdded[Int(value)]
                    : addedNonASCIIStarts && addedFirstScalars.contains(value)
                if mayStart, let match = addedTokenMatch(in: text, at: index, after: segmentStart) {
                    appendSegment(text, match.stripped.lowerBound > segmentStart ? segmentStart..<match.stripped.lowerBound
                                                                                  : segmentStart..<segmentStart,
                                  to: &pieces, scratch: &scratch)
                    // HF's token is the text it matched, whitespace included; trimming takes the whitespace off.
                    pieces.append(Int32(match.id), Int32(match.stripped.lowerBound), Int32(match.stripped.upperBound))
                    index = match.stripped.upperBound
                    segmentStart = index
                } else {
                    index += 1
                }
            }
        }
        appendSegment(text, segmentStart..<text.count, to: &pieces, scratch: &scratch)
        if trim { trimOffsets(of: &pieces, from: first, text: text) }
    }

    /// The longest added token at `index`: its id, the scalars it spans, and the span with the whitespace its
    /// left/right strip swallows (never reaching back before `after`, the end of the previous match).
    func addedTokenMatch(in text: UnsafeBufferPointer<UInt32>, at index: Int, after: Int)
        -> (id: Int, content: Range<Int>, stripped: Range<Int>)? {
        var best: (id: Int, content: Range<Int>, stripped: Range<Int>)? = nil
        for (tokenIndex, scalars) in addedScalars.enumerated() where scalars[0] == text[index] {
            guard index + scalars.count <= text.count,
                  best == nil || scalars.count > best!.content.count,
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
            if token.leftStrip { while lower > after && Self.isWhitespace(text[lower - 1]) { lower -= 1 } }
            if token.rightStrip { while upper < text.count && Self.isWhitespace(text[upper]) { upper += 1 } }
            best = (token.id, index..<(index + scalars.count), lower..<upper)
        }
        return best
    }

    /// Rust's `char::is_whitespace` (White_Space), what HF's left/right strip swallows.
    @inline(__always)
    static func isWhitespace(_ value: UInt32) -> Bool {
        ByteLevelPreTokenizer.classOf(value) == ByteLevelPreTokenizer.Class.space.rawValue
    }

    /// Pre-tokenizes and BPE-encodes `text[range]` (a stretch between added tokens).
    private func appendSegment(_ text: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, to pieces: inout TokenPieces,
                               scratch: inout Scratch) {
        guard !range.isEmpty else { return }
        // The words are scanned on a copy that may start with the prefix space (it points at the first scalar).
        let prefixed = addPrefixSpace && text[range.lowerBound] != 0x20
        let count = range.count + (prefixed ? 1 : 0)
        if scratch.buffers.capacity < count {
            scratch.buffers = BPEWordBuffers(capacity: max(count, 2 * scratch.buffers.capacity, 256))
        }
        let buffers = scratch.buffers
        let characters = buffers.characters, classes = buffers.classes
        var at = 0
        if prefixed {
            characters[0] = 0x20
            classes[0] = ByteLevelPreTokenizer.Class.space.rawValue
            at = 1
        }
        classTable.withUnsafeBufferPointer { table in
            for index in range {
                let value = text[index]
                characters[at] = value
                classes[at] = value < 0x10000 ? table[Int(value)] : ByteLevelPreTokenizer.classOf(value)
                at &+= 1
            }
        }
        let shift = range.lowerBound - (prefixed ? 1 : 0)
        let characterBuffer = UnsafeBufferPointer(start: characters, count: count)
        let classBuffer = UnsafeBufferPointer(start: classes, count: count)
        // The segment's tokens are gathered in the scratch (at most one per byte) and appended at once.
        var start = 0, written = 0
        while start < count {
            let end = ByteLevelPreTokenizer.wordEnd(characterBuffer, classes: classBuffer, from: start)
            written = appendWord(characterBuffer, start..<end, shift: shift, floor: range.lowerBound,
                                 written: written, scratch: &scratch)
            start = end
        }
        pieces.append(ids: UnsafeBufferPointer(start: buffers.outIds, count: written),
                      starts: UnsafeBufferPointer(start: buffers.outStarts, count: written),
                      ends: UnsafeBufferPointer(start: buffers.outEnds, count: written))
    }

    /// BPE on one pre-tokenized word `characters[range]`; character `i` came from text scalar `max(i + shift, floor)`.
    /// Its tokens go to the scratch's output buffers from `written` on; returns the new count there.
    @inline(__always)
    private func appendWord(_ characters: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, shift: Int, floor: Int,
                            written: Int, scratch: inout Scratch) -> Int {
        let buffers = scratch.buffers
        let bytes = buffers.bytes, origins = buffers.origins, ids = buffers.ids, lengths = buffers.lengths
        var count = 0
        for index in range {
            let value = characters[index]
            let origin = Int32(truncatingIfNeeded: max(index &+ shift, floor))
            if value < 0x80 {
                bytes[count] = UInt8(truncatingIfNeeded: value)
                origins[count] = origin
                count &+= 1
            } else if value < 0x800 {
                bytes[count] = UInt8(truncatingIfNeeded: 0xC0 | value >> 6)
                bytes[count &+ 1] = UInt8(truncatingIfNeeded: 0x80 | value & 0x3F)
                origins[count] = origin
                origins[count &+ 1] = origin
                count &+= 2
            } else if value < 0x10000 {
                bytes[count] = UInt8(truncatingIfNeeded: 0xE0 | value >> 12)
                bytes[count &+ 1] = UInt8(truncatingIfNeeded: 0x80 | value >> 6 & 0x3F)
                bytes[count &+ 2] = UInt8(truncatingIfNeeded: 0x80 | value & 0x3F)
                for offset in 0..<3 { origins[count &+ offset] = origin }
                count &+= 3
            } else {
                bytes[count] = UInt8(truncatingIfNeeded: 0xF0 | value >> 18)
                bytes[count &+ 1] = UInt8(truncatingIfNeeded: 0x80 | value >> 12 & 0x3F)
                bytes[count &+ 2] = UInt8(truncatingIfNeeded: 0x80 | value >> 6 & 0x3F)
                bytes[count &+ 3] = UInt8(truncatingIfNeeded: 0x80 | value & 0x3F)
                for offset in 0..<4 { origins[count &+ offset] = origin }
                count &+= 4
            }
        }
        let outIds = buffers.outIds, outStarts = buffers.outStarts, outEnds = buffers.outEnds
        // A one-byte word (a space, a digit, a punctuation mark: a third of all words in mixed text) is its byte's token.
        if count == 1 {
            let id = byteIds[Int(bytes[0])]
            guard id >= 0 else { return written }
            outIds[written] = id
            outStarts[written] = origins[0]
            outEnds[written] = origins[0] &+ 1
            return written &+ 1
        }
        let word = UnsafeBufferPointer(start: bytes, count: count)
        let cacheable = count <= BPEWordCache.maxWordBytes
        let hash = cacheable ? BPEWordCache.hash(word) : 0
        var kept = cacheable ? scratch.cache.lookup(word, hash: hash, ids: ids, lengths: lengths) : -1
        if kept < 0 {
            byteIds.withUnsafeBufferPointer { byteIds in
                for index in 0..<count {
                    ids[index] = byteIds[Int(bytes[index])]
                    lengths[index] = 1
                }
            }
            if count <= BPEMergeTable.shortWord {
                kept = table.mergeShort(ids, lengths, count: count)
            } else {
                if scratch.merging.capacity < count {
                    scratch.merging = BPEMergeBuffers(capacity: max(count, 2 * scratch.merging.capacity, 64))
                }
                kept = table.merge(ids, lengths, count: count, buffers: scratch.merging)
            }
            if cacheable {
                scratch.cache.insert(word, hash: hash, ids: UnsafeBufferPointer(start: ids, count: kept),
                                     lengths: UnsafeBufferPointer(start: lengths, count: kept))
            }
        }
        // A byte id missing from the vocabulary gives no token.
        var position = 0, written = written
        for index in 0..<kept {
            let length = Int(lengths[index])
            let id = ids[index]
            if id >= 0 {
                outIds[written] = id
                outStarts[written] = origins[position]
                outEnds[written] = origins[position &+ length &- 1] &+ 1
                written &+= 1
            }
            position &+= length
        }
        return written
    }

    /// `RobertaProcessing`'s `trim_offsets` on `pieces[first...]` (one sequence of `text`): a token's leading spaces
    /// leave its start, its trailing ones its end — except the one prefix space of the sequence's first token.
    func trimOffsets(of pieces: inout TokenPieces, from first: Int, text: UnsafeBufferPointer<UInt32>) {
        let count = pieces.count
        guard first < count else { return }
        // Pointers throughout: this runs once per token.
        pieces.ids.withUnsafeBufferPointer { ids in
            pieces.starts.withUnsafeMutableBufferPointer { starts in
                pieces.ends.withUnsafeMutableBufferPointer { ends in
                    leadingSpaces.withUnsafeBufferPointer { leadingSpaces in
                        trailingSpaces.withUnsafeBufferPointer { trailingSpaces in
                            isAddedId.withUnsafeBufferPointer { isAddedId in
                                for index in first..<count {
                                    let id = Int(ids[index])
                                    // Most tokens have no space to trim.
                                    if leadingSpaces[id] == 0 && trailingSpaces[id] == 0 && !isAddedId[id] { continue }
                                    let (start, end) = trimmed(id: id, start: Int(starts[index]), end: Int(ends[index]),
                                                               first: index == first, text: text)
                                    starts[index] = Int32(truncatingIfNeeded: start)
                                    ends[index] = Int32(truncatingIfNeeded: end)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The trimmed offsets of one token. HF counts the spaces (`Ġ` or whitespace) of the token's string: a model
    /// token's are fixed, an added token's string is the text it matched (with the whitespace it stripped).
    @inline(__always)
    func trimmed(id: Int, start: Int, end: Int, first: Bool, text: UnsafeBufferPointer<UInt32>) -> (Int, Int) {
        var leading = Int(leadingSpaces[id]), trailing = Int(trailingSpaces[id])
        if isAddedId[id] {
            let isSpace = { (value: UInt32) in value == 0x120 || Self.isWhitespace(value) }
            leading = 0
            while start + leading < end && isSpace(text[start + leading]) { leading += 1 }
            trailing = 0
            while end - trailing > start && isSpace(text[end - 1 - trailing]) { trailing += 1 }
        }
        var start = start, end = end
        if leading > 0 && !((first || start == 0) && addPrefixSpace && leading == 1) {
            start = min(start + leading, end)
        }
        if trailing > 0 && end >= trailing { end = max(end - trailing, start) }
        return (start, end)
    }
}

/// Per-segment and per-word buffers of `ByteLevelBPETokenizer.Scratch`: a word's bytes are at most four per
/// character, so sizing by the segment covers all its words. Fixed size (`let`, so reading them costs no dynamic
/// exclusivity check in the per-word loop); the scratch swaps in a larger one when a text needs it.
final class BPEWordBuffers {
    let capacity: Int
    let characters: UnsafeMutablePointer<UInt32>
    let classes: UnsafeMutablePointer<UInt8>
    let bytes: UnsafeMutablePointer<UInt8>
    let origins: UnsafeMutablePointer<Int32>
    let ids: UnsafeMutablePointer<Int32>
    let lengths: UnsafeMutablePointer<Int32>
    /// A segment's tokens before they are appended (at most one per byte).
    let outIds: UnsafeMutablePointer<Int32>
    let outStarts: UnsafeMutablePointer<Int32>
    let outEnds: UnsafeMutablePointer<Int32>

    /// Room for a segment of `capacity` characters (with the prefix space) and any of its words.
    init(capacity: Int) {
        self.capacity = capacity
        characters = .allocate(capacity: max(1, capacity))
        classes = .allocate(capacity: max(1, capacity))
        bytes = .allocate(capacity: max(4, 4 * capacity))
        origins = .allocate(capacity: max(4, 4 * capacity))
        ids = .allocate(capacity: max(4, 4 * capacity))
        lengths = .allocate(capacity: max(4, 4 * capacity))
        outIds = .allocate(capacity: max(4, 4 * capacity))
        outStarts = .allocate(capacity: max(4, 4 * capacity))
        outEnds = .allocate(capacity: max(4, 4 * capacity))
    }

    deinit {
        characters.deallocate()
        classes.deallocate()
        bytes.deallocate()
        origins.deallocate()
        ids.deallocate()
        lengths.deallocate()
        outIds.deallocate()
        outStarts.deallocate()
        outEnds.deallocate()
    }
}
