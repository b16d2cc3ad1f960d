/// Builds the darts-clone double array that `DoubleArrayTrie` (and the `sentencepiece` library) read: unit p of a
/// node holds its label, a leaf flag and the XOR offset to its base b; the child along byte c sits at b ^ c and the
/// node's value in a leaf unit at b ^ 0. Bases are unique, so a byte that is not a child never meets a unit whose
/// label matches; the array covers every 256-unit block a base lies in, so no lookup reads past its end.
enum DoubleArrayBuilder {
    /// The units for `keys` (non-empty byte strings without NUL, distinct) and their values (< 2³¹).
    static func build(_ keys: [(key: [UInt8], value: Int)]) -> [UInt32] {
        // A plain trie: children by label (0 = the value's leaf).
        var children: [[UInt8: Int]] = [[:]]
        var values: [Int?] = [nil]
        for (key, value) in keys {
            precondition(!key.isEmpty && !key.contains(0) && value >= 0 && value < 1 << 31, "darts keys are non-empty, NUL-free, values 31-bit")
            var node = 0
            for byte in key {
                if let child = children[node][byte] {
                    node = child
                } else {
                    children.append([:])
                    values.append(nil)
                    children[node][byte] = children.count - 1
                    node = children.count - 1
                }
            }
            values[node] = value
        }

        var units: [UInt32] = []
        var used: [Bool] = []
        var usedBase = Set<Int>()
        // Free slots of the last 16 blocks as a doubly linked list in position order (Int.max ends it): the base
        // search visits only these; an older block's leftover slots are given up (marked used), as darts-clone does.
        var nextFree: [Int] = [], previousFree: [Int] = []
        var firstFree = Int.max, lastFree = -1
        let openBlocks = 16
        func take(_ slot: Int) {
            used[slot] = true
            let next = nextFree[slot], previous = previousFree[slot]
            if previous >= 0 { nextFree[previous] = next } else { firstFree = next }
            if next != Int.max { previousFree[next] = previous } else { lastFree = previous }
        }
        func ensure(_ size: Int) {
            while size > units.count {
                let old = units.count
                units += [UInt32](repeating: 0, count: 256)
                used += [Bool](repeating: false, count: 256)
                nextFree += (old..<(old + 256)).map { $0 + 1 }
                previousFree += (old..<(old + 256)).map { $0 - 1 }
                nextFree[old + 255] = Int.max
                previousFree[old] = lastFree
                if lastFree >= 0 { nextFree[lastFree] = old } else { firstFree = old }
                lastFree = old + 255
                let closing = old - openBlocks * 256
                if closing >= 0 {
                    for slot in closing..<(closing + 256) where !used[slot] { take(slot) }
                }
            }
        }
        ensure(256)
        take(0)
        // Breadth-first: (trie node, its unit position, its label).
        var queue: [(node: Int, position: Int, label: UInt8)] = [(0, 0, 0)]
        var head = 0
        while head < queue.count {
            let (node, position, label) = queue[head]
            head += 1
            var labels = children[node].keys.sorted()
            let hasLeaf = values[node] != nil
            if hasLeaf { labels.insert(0, at: 0) }
            guard !labels.isEmpty else {
                units[position] = UInt32(label)
                continue
            }
            var base = 0
            var free = firstFree
            while true {
                if free == Int.max {
                    // A fresh block: every slot in it is free.
                    let start = units.count
                    ensure(start + 256)
                    base = start ^ Int(labels[0])
                    break
                }
                base = free ^ Int(labels[0])
                if base > 0 && !usedBase.contains(base) && labels.allSatisfy({ !used[base ^ Int($0)] }) { break }
                free = nextFree[free]
            }
            usedBase.insert(base)
            let offset = position ^ base
            precondition(offset < 1 << 21, "double array too large for plain offsets")
            units[position] = UInt32(label) | (hasLeaf ? 1 << 8 : 0) | UInt32(offset) << 10
            for child in labels { take(base ^ Int(child)) }
            if let value = values[node] { units[base] = UInt32(value) | 1 << 31 }
            for (byte, child) in children[node].sorted(by: { $0.key < $1.key }) {
                queue.append((child, base ^ Int(byte), byte))
            }
        }
        return units
    }
}
