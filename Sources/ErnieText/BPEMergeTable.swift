/// The merges of a BPE model: for a pair of token ids, its rank (line order in merges.txt, lower merges first) and the
/// id of the merged token. An open-addressing hash table: a word's merge loop looks pairs up many times.
struct BPEMergeTable: Sendable {
    /// Per slot: the pair's key, then rank << 32 | merged id (side by side: one cache line per probe).
    private var slots: [UInt64]
    private let mask: Int
    private static let empty = UInt64.max
    let count: Int

    /// `merges[rank]` = (left id, right id, merged id). A pair listed twice keeps its last rank (HF builds a map).
    init(_ merges: [(left: Int32, right: Int32, merged: Int32)]) {
        var capacity = 16
        while capacity < merges.count * 2 { capacity *= 2 }
        var slots = [UInt64](repeating: Self.empty, count: 2 * capacity)
        mask = capacity - 1
        var distinct = 0
        for (rank, merge) in merges.enumerated() {
            let key = Self.key(merge.left, merge.right)
            var slot = Self.slot(key, mask)
            while slots[2 * slot] != Self.empty && slots[2 * slot] != key { slot = (slot + 1) & mask }
            if slots[2 * slot] == Self.empty { distinct += 1 }
            slots[2 * slot] = key
            slots[2 * slot + 1] = UInt64(rank) << 32 | UInt64(UInt32(merge.merged))
        }
        self.slots = slots
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
        slots.withUnsafeBufferPointer { Self.lookup(left, right, $0.baseAddress!, mask) }
    }

    @inline(__always)
    private static func lookup(_ left: Int32, _ right: Int32, _ slots: UnsafePointer<UInt64>, _ mask: Int) -> UInt64 {
        let key = Self.key(left, right)
        var slot = Self.slot(key, mask)
        while true {
            let found = slots[2 &* slot]
            if found == key { return slots[2 &* slot &+ 1] }
            if found == Self.empty { return UInt64.max }
            slot = (slot &+ 1) & mask
        }
    }

    /// Words up to this many bytes take `mergeShort`.
    static let shortWord = 16

    /// `merge` for a short word without the heap and the linked list: the ranks of adjacent pairs in an array, the
    /// lowest (leftmost among equals, as the heap pops them) merged and its two neighbours' ranks refreshed, until no
    /// pair is a merge. The same result as `merge`.
    @inline(__always)
    func mergeShort(_ ids: UnsafeMutablePointer<Int32>, _ lengths: UnsafeMutablePointer<Int32>, count: Int) -> Int {
        guard count > 1 else { return count }
        precondition(count <= Self.shortWord)
        let mask = self.mask
        return slots.withUnsafeBufferPointer { slots in
            let slots = slots.baseAddress!
            // found[i]: rank << 32 | merged id of (ids[i], ids[i + 1]), UInt64.max when none.
            var found: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
                (.max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max, .max)
            return withUnsafeMutableBytes(of: &found) { raw in
                let found = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
                var count = count
                for index in 0..<(count - 1) { found[index] = Self.lookup(ids[index], ids[index + 1], slots, mask) }
                while true {
                    var best = -1
                    var bestRank = UInt64.max
                    for index in 0..<(count - 1) where found[index] >> 32 < bestRank >> 32 {
                        best = index
                        bestRank = found[index]
                    }
                    guard best >= 0, bestRank != .max else { return count }
                    ids[best] = Int32(truncatingIfNeeded: bestRank & 0xFFFF_FFFF)
                    lengths[best] &+= lengths[best + 1]
                    for index in (best + 1)..<(count - 1) {
                        ids[index] = ids[index + 1]
                        lengths[index] = lengths[index + 1]
                        found[index] = found[index + 1]
                    }
                    count -= 1
                    if best > 0 { found[best - 1] = Self.lookup(ids[best - 1], ids[best], slots, mask) }
                    found[best] = best + 1 < count ? Self.lookup(ids[best], ids[best + 1], slots, mask) : .max
                }
            }
        }
    }

    /// BPE on one word, as HF's `Word::merge_all`: `ids` (one symbol per byte at first) are merged in place, the
    /// lowest-ranked adjacent pair first and the leftmost among equals (a heap of rank << 32 | position over a
    /// linked list), until no adjacent pair is a merge; `lengths` (bytes per symbol) follow. Returns how many
    /// symbols are left (compacted at the front).
    @inline(__always)
    func merge(_ ids: UnsafeMutablePointer<Int32>, _ lengths: UnsafeMutablePointer<Int32>, count: Int,
               buffers: BPEMergeBuffers) -> Int {
        guard count > 1 else { return count }
        precondition(buffers.capacity >= count, "merge buffers for \(buffers.capacity) symbols, word of \(count)")
        let mask = self.mask
        return slots.withUnsafeBufferPointer { slots in
            do {
                let slots = slots.baseAddress!
                let next = buffers.next, previous = buffers.previous
                var heap = BPEMergeHeap(storage: buffers.heap)
                for index in 0..<count {
                    next[index] = Int32(truncatingIfNeeded: index &+ 1)
                    previous[index] = Int32(truncatingIfNeeded: index &- 1)
                }
                next[count - 1] = -1
                for index in 0..<(count - 1) {
                    let found = Self.lookup(ids[index], ids[index + 1], slots, mask)
                    if found != UInt64.max { heap.push(found, position: index, ids[index], ids[index + 1]) }
                }
                while let (found, position, pairLeft, pairRight) = heap.pop() {
                    // A stale entry: its left symbol was merged away, or the pair there is another now.
                    guard lengths[position] > 0, next[position] >= 0 else { continue }
                    let right = Int(next[position])
                    let merged = Int32(truncatingIfNeeded: found & 0xFFFF_FFFF)
                    // HF compares the merged id of the pair now there; the same merged id means the same pair (its
                    // bytes span the same symbols), so the pair ids are compared.
                    guard ids[position] == pairLeft, ids[right] == pairRight else { continue }
                    ids[position] = merged
                    lengths[position] &+= lengths[right]
                    lengths[right] = 0
                    next[position] = next[right]
                    if next[right] >= 0 { previous[Int(next[right])] = Int32(truncatingIfNeeded: position) }
                    if previous[position] >= 0 {
                        let left = Int(previous[position])
                        let pair = Self.lookup(ids[left], merged, slots, mask)
                        if pair != UInt64.max { heap.push(pair, position: left, ids[left], merged) }
                    }
                    if next[position] >= 0 {
                        let following = ids[Int(next[position])]
                        let pair = Self.lookup(merged, following, slots, mask)
                        if pair != UInt64.max { heap.push(pair, position: position, merged, following) }
                    }
                }
                var kept = 0
                var index = 0
                while index >= 0 {
                    ids[kept] = ids[index]
                    lengths[kept] = lengths[index]
                    kept &+= 1
                    index = Int(next[index])
                }
                return kept
            }
        }
    }
}

/// Scratch for `BPEMergeTable.merge`: the linked list and the heap of words up to `capacity` symbols. Fixed size
/// (`let`: no dynamic exclusivity checks per word); the tokenizer's scratch swaps in a larger one as words need.
final class BPEMergeBuffers {
    let capacity: Int
    let next: UnsafeMutablePointer<Int32>
    let previous: UnsafeMutablePointer<Int32>
    /// Keys rank << 32 | position and merged ids; a word of n symbols pushes at most n - 1 + 2 (n - 1) entries.
    let heap: UnsafeMutablePointer<(key: UInt64, merged: Int32, left: Int32, right: Int32)>

    init(capacity: Int) {
        self.capacity = capacity
        next = .allocate(capacity: max(1, capacity))
        previous = .allocate(capacity: max(1, capacity))
        heap = .allocate(capacity: max(3, 3 * capacity))
    }

    deinit {
        next.deallocate()
        previous.deallocate()
        heap.deallocate()
    }
}

/// A binary min-heap of (rank, position), HF's `Merge` order, in caller-owned storage.
struct BPEMergeHeap {
    let storage: UnsafeMutablePointer<(key: UInt64, merged: Int32, left: Int32, right: Int32)>
    var count = 0

    init(storage: UnsafeMutablePointer<(key: UInt64, merged: Int32, left: Int32, right: Int32)>) { self.storage = storage }

    /// `found` is a `BPEMergeTable.lookup` result (rank << 32 | merged id).
    @inline(__always)
    mutating func push(_ found: UInt64, position: Int, _ left: Int32, _ right: Int32) {
        let entry = (key: (found >> 32) << 32 | UInt64(position), merged: Int32(truncatingIfNeeded: found & 0xFFFF_FFFF),
                     left: left, right: right)
        var child = count
        count &+= 1
        while child > 0 {
            let parent = (child &- 1) >> 1
            guard entry.key < storage[parent].key else { break }
            storage[child] = storage[parent]
            child = parent
        }
        storage[child] = entry
    }

    /// The entry with the lowest (rank, position), as (rank << 32 | merged id, position, pair).
    @inline(__always)
    mutating func pop() -> (UInt64, Int, Int32, Int32)? {
        guard count > 0 else { return nil }
        let top = storage[0]
        count &-= 1
        if count > 0 {
            let last = storage[count]
            var parent = 0
            while true {
                let left = 2 &* parent &+ 1, right = left &+ 1
                var best = left
                if left >= count { break }
                if right < count && storage[right].key < storage[left].key { best = right }
                guard storage[best].key < last.key else { break }
                storage[parent] = storage[best]
                parent = best
            }
            storage[parent] = last
        }
        return ((top.key >> 32) << 32 | UInt64(UInt32(bitPattern: top.merged)), Int(top.key & 0xFFFF_FFFF), top.left,
                top.right)
    }
}
