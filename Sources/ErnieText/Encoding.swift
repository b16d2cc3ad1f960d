/// One encoded input as Hugging Face's `Encoding`: ids with their type ids, tokens, offsets and masks, plus the
/// windows that truncation cut off (`overflowing`, each a complete encoding with its own special tokens).
public struct Encoding: Sendable, Equatable {
    public var ids: [Int]
    /// Segment ids: 0 for the first sequence (and `[CLS]`, its `[SEP]`), 1 for the pair.
    public var typeIds: [Int]
    public var tokens: [String]
    /// Character offsets into the input the token came from (Unicode scalars); `0..<0` for added special tokens.
    public var offsets: [Range<Int>]
    /// 1 for tokens added by the template or padding.
    public var specialTokensMask: [Int]
    /// 0 for padding.
    public var attentionMask: [Int]
    /// Which input each token came from (0 or 1), `nil` for special tokens.
    public var sequenceIds: [Int?]
    public var overflowing: [Encoding]

    public init() {
        ids = []; typeIds = []; tokens = []; offsets = []; specialTokensMask = []; attentionMask = []; sequenceIds = []
        overflowing = []
    }

    public var count: Int { ids.count }

    /// This encoding and its overflowing windows, in HF's `return_overflowing_tokens` order.
    public var windows: [Encoding] {
        var first = self
        first.overflowing = []
        return [first] + overflowing.map { var window = $0; window.overflowing = []; return window }
    }

    init(pieces: TokenPieces, vocabulary: Vocabulary, typeId: Int, sequenceId: Int) {
        ids = pieces.ids.map(Int.init)
        tokens = pieces.ids.map { vocabulary.tokens[Int($0)] }
        offsets = pieces.offsets
        typeIds = Array(repeating: typeId, count: ids.count)
        specialTokensMask = Array(repeating: 0, count: ids.count)
        attentionMask = Array(repeating: 1, count: ids.count)
        sequenceIds = Array(repeating: sequenceId, count: ids.count)
        overflowing = []
    }

    static func special(id: Int, token: String, typeId: Int) -> Encoding {
        var encoding = Encoding()
        encoding.ids = [id]; encoding.tokens = [token]; encoding.offsets = [0..<0]; encoding.typeIds = [typeId]
        encoding.specialTokensMask = [1]; encoding.attentionMask = [1]; encoding.sequenceIds = [nil]
        return encoding
    }

    func slice(_ range: Range<Int>) -> Encoding {
        var part = Encoding()
        part.ids = Array(ids[range]); part.typeIds = Array(typeIds[range]); part.tokens = Array(tokens[range])
        part.offsets = Array(offsets[range]); part.specialTokensMask = Array(specialTokensMask[range])
        part.attentionMask = Array(attentionMask[range]); part.sequenceIds = Array(sequenceIds[range])
        return part
    }

    /// HF `Encoding::truncate` (right side): keep `maxLength` tokens; the rest becomes overflowing windows of
    /// `maxLength` tokens that overlap by `stride`.
    mutating func truncate(maxLength: Int, stride: Int) throws {
        let length = ids.count
        guard maxLength < length else { return }
        if maxLength == 0 {
            var whole = self
            whole.overflowing = []
            self = Encoding()
            overflowing = [whole]
            return
        }
        guard stride < maxLength else { throw TokenizerError.strideTooLarge(stride: stride, room: maxLength) }
        var parts = [Range<Int>]()
        var start = 0
        while true {
            let stop = min(start + maxLength, length)
            parts.append(start..<stop)
            if stop == length { break }
            start += maxLength - stride
        }
        var result = slice(parts[0])
        result.overflowing = parts.dropFirst().map { slice($0) }
        self = result
    }

    /// HF `Encoding::merge_with`: appends `other`; overflowing windows combine as HF does (each of ours with `other`
    /// and its windows, then ours with `other`'s windows). Offsets are not shifted (templates never grow them).
    mutating func merge(with other: Encoding) {
        var combined = [Encoding]()
        for mine in overflowing {
            combined.append(mine.appending(other))
            for theirs in other.overflowing { combined.append(mine.appending(theirs)) }
        }
        for theirs in other.overflowing {
            var me = self
            me.overflowing = []
            combined.append(me.appending(theirs))
        }
        ids += other.ids; typeIds += other.typeIds; tokens += other.tokens; offsets += other.offsets
        specialTokensMask += other.specialTokensMask; attentionMask += other.attentionMask
        sequenceIds += other.sequenceIds
        overflowing = combined
    }

    private func appending(_ other: Encoding) -> Encoding {
        var result = self
        result.overflowing = []
        var tail = other
        tail.overflowing = []
        result.merge(with: tail)
        return result
    }

    /// Right padding to `length` (and of every overflowing window).
    mutating func pad(to length: Int, id: Int, token: String, typeId: Int = 0) {
        for index in overflowing.indices { overflowing[index].pad(to: length, id: id, token: token, typeId: typeId) }
        let missing = length - ids.count
        guard missing > 0 else { return }
        ids += Array(repeating: id, count: missing)
        typeIds += Array(repeating: typeId, count: missing)
        tokens += Array(repeating: token, count: missing)
        offsets += Array(repeating: 0..<0, count: missing)
        specialTokensMask += Array(repeating: 1, count: missing)
        attentionMask += Array(repeating: 0, count: missing)
        sequenceIds += Array(repeating: nil, count: missing)
    }
}
