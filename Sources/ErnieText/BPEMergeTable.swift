/// The merges of a BPE model: for a pair of token ids, its rank (line order in merges.txt, lower merges first) and the
/// id of the merged token. An open-addressing hash table: a word's merge loop looks pairs up many times.
struct BPEMergeTable: Sendable {
    private var keys: [UInt64]
    /// rank << 32 | merged id.
    private var values: [UInt64]
    private let mask: Int
    private static let empty = UInt64.max
    let count: Int

    /// `merges[rank]` = (left id, right id, merged id). A pair listed twice keeps its last rank (HF builds a map).
    init(_ merges: [(left: Int32, right: Int32, merged: Int32)]) {
        var capacity = 16
        while capacity < merges.count * 2 { capacity *= 2 }
        keys = [UInt64](repeating: Self.empty, count: capacity)
        values = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        var distinct = 0
        for (rank, merge) in merges.enumerated() {
            let key = Self.key(merge.left, merge.right)
            var slot = Self.slot(key, mask)
            while keys[slot] != Self.empty && keys[slot] != key { slot = (slot + 1) & mask }
            if keys[slot] == Self.empty { distinct += 1 }
            keys[slot] = key
            values[slot] = UInt64(rank) << 32 | UInt64(UInt32(merge.merged))
        }
        count = distinct
    }

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 { UInt64(UInt32(left)) << 32 | UInt64(UInt32(right)) }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// rank << 32 | merged id of the pair, or `UInt64.max` when the pair is not a merge.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64 {
        let key = Self.key(left, right)
        var slot = Self.slot(key, mask)
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let found = keys[slot]
                if found == key { return values[slot] }
                if found == Self.empty { return UInt64.max }
                slot = (slot + 1) & mask
            }
        }
    }

    /// BPE on one word: `ids` (one symbol per byte at first) are merged in place, the lowest-ranked adjacent pair
    /// first and the leftmost among equals (HF's heap of (rank, position)), until no adjacent pair is a merge;
    /// `lengths` (bytes per symbol) follow. `ranks` is scratch.
    @inline(__always)
    func merge(_ ids: inout [Int32], _ lengths: inout [Int32], ranks: inout [UInt64]) {
        var count = ids.count
        guard count > 1 else { return }
        ranks.removeAll(keepingCapacity: true)
        for index in 0..<(count - 1) { ranks.append(lookup(ids[index], ids[index + 1])) }
        while true {
            // rank << 32 | id compares by rank first; equal ranks are the same pair, so the first minimum is leftmost.
            var best = UInt64.max, at = -1
            for index in 0..<(count - 1) where ranks[index] < best {
                best = ranks[index]
                at = index
            }
            if at < 0 { break }
            ids[at] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
            lengths[at] += lengths[at + 1]
            ids.remove(at: at + 1)
            lengths.remove(at: at + 1)
            ranks.remove(at: at)
            count -= 1
            if at > 0 { ranks[at - 1] = lookup(ids[at - 1], ids[at]) }
            if at < count - 1 { ranks[at] = lookup(ids[at], ids[at + 1]) }
        }
    }
}
