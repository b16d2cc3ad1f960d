/// 64-bit FNV-1a over Unicode scalar values (4 bytes each).
struct FNV1aScalars {
    var value: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    mutating func combine(_ scalar: UInt32) {
        value = (value ^ UInt64(scalar)) &* 0x0000_0100_0000_01B3
    }

    static func hash(_ scalars: UnsafeBufferPointer<UInt32>, _ range: Range<Int>) -> UInt64 {
        var hasher = FNV1aScalars()
        for position in range { hasher.combine(scalars[position]) }
        return hasher.value
    }
}

/// The distinct words of one sentence (as ranges of its scalars), in an open-addressing hash table reused across
/// sentences.
struct WordTable {
    private var hashes: [UInt64] = []
    private var starts: [Int32] = []
    private var ends: [Int32] = []  // ends[slot] == -1: empty slot
    private var mask = 0
    private(set) var count = 0
    /// Bit `n` set: some word has `n` scalars (63 for longer ones); and the longest word's length.
    private var lengths: UInt64 = 0
    private(set) var longestWord = 0

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    func hasWord(ofLength length: Int) -> Bool { lengths & (1 << UInt64(min(length, 63))) != 0 }

    mutating func reset(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        if hashes.count != size {
            hashes = [UInt64](repeating: 0, count: size)
            starts = [Int32](repeating: 0, count: size)
            ends = [Int32](repeating: -1, count: size)
        } else if count > 0 {
            for slot in 0..<size { ends[slot] = -1 }
        }
        mask = size - 1
        count = 0
        lengths = 0
        longestWord = 0
    }

    mutating func insert(_ sentence: UnsafeBufferPointer<UInt32>, _ word: Range<Int>) {
        let hash = FNV1aScalars.hash(sentence, word)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while ends[slot] >= 0 {
            if hashes[slot] == hash && Int(ends[slot] - starts[slot]) == word.count
                && (0..<word.count).allSatisfy({ sentence[Int(starts[slot]) + $0] == sentence[word.lowerBound + $0] }) {
                return
            }
            slot = (slot + 1) & mask
        }
        hashes[slot] = hash
        starts[slot] = Int32(word.lowerBound)
        ends[slot] = Int32(word.upperBound)
        count += 1
        lengths |= 1 << UInt64(min(word.count, 63))
        longestWord = max(longestWord, word.count)
    }

    /// Whether a word with this hash and length satisfies `matching` (which compares its scalars).
    @inline(__always)
    func contains(hash: UInt64, length: Int, sentence: UnsafeBufferPointer<UInt32>,
                  matching: (Range<Int>) -> Bool) -> Bool {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while ends[slot] >= 0 {
            if hashes[slot] == hash && Int(ends[slot] - starts[slot]) == length
                && matching(Int(starts[slot])..<Int(ends[slot])) {
                return true
            }
            slot = (slot + 1) & mask
        }
        return false
    }
}
