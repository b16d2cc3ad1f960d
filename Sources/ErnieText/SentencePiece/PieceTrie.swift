/// A byte trie of vocabulary pieces as a double array: the longest match and every prefix match at a position, as
/// the unigram lattice, BPE's piece lookups and the user-defined-symbol matcher need. Node n's child along byte c
/// sits at `base[n] + c` when `check` there names n, so a step is two loads (`units` interleaves base and check).
struct PieceTrie: Sendable {
    /// `units[2n]` = base of node n, `units[2n + 1]` = its parent (check); -1 marks a free slot.
    private let units: [Int32]
    /// The piece id ending at each node, or -1.
    let values: [Int32]

    static let root: Int32 = 0

    /// A trie of `pieces` (UTF-8 bytes and id); a later duplicate does not replace an earlier one.
    init(_ pieces: [(bytes: [UInt8], id: Int)]) {
        // A plain trie first (children by byte), then laid out breadth-first into the double array.
        var children: [[(byte: UInt8, node: Int)]] = [[]]
        var edges: [Int: Int] = [:]
        var ids: [Int32] = [-1]
        for (bytes, id) in pieces where !bytes.isEmpty {
            var node = 0
            for byte in bytes {
                if let child = edges[node << 8 | Int(byte)] {
                    node = child
                } else {
                    children.append([])
                    ids.append(-1)
                    children[node].append((byte, children.count - 1))
                    edges[node << 8 | Int(byte)] = children.count - 1
                    node = children.count - 1
                }
            }
            if ids[node] < 0 { ids[node] = Int32(id) }
        }
        var units = [Int32](repeating: -1, count: 2 * 512)
        var values = [Int32](repeating: -1, count: 512)
        // Free slots as a doubly linked list (slot count = the list's end marker), so the search for a base skips
        // occupied stretches instead of walking them: building stays near-linear for a million pieces.
        var nextFree = (0..<512).map { Int32($0 + 1) }
        var previousFree = (0..<512).map { Int32($0 - 1) }
        var firstFree = 1
        func take(_ slot: Int) {
            let next = Int(nextFree[slot]), previous = Int(previousFree[slot])
            if previous >= 0 { nextFree[previous] = Int32(next) }
            if next < nextFree.count { previousFree[next] = Int32(previous) }
            if slot == firstFree { firstFree = next }
        }
        func grow(to size: Int) {
            let old = values.count
            units += [Int32](repeating: -1, count: 2 * (size - old))
            values += [Int32](repeating: -1, count: size - old)
            // Link the new slots after the old list's last free slot.
            var last = firstFree >= old ? -1 : firstFree
            if last >= 0 { while Int(nextFree[last]) < old { last = Int(nextFree[last]) } }
            nextFree += (old..<size).map { Int32($0 + 1) }
            previousFree += (old..<size).map { Int32($0 - 1) }
            previousFree[old] = Int32(last)
            if last >= 0 { nextFree[last] = Int32(old) } else { firstFree = old }
        }
        var position = [Int](repeating: -1, count: children.count)
        position[0] = 0
        units[1] = 0  // the root's slot is taken (its own parent)
        values[0] = ids[0]
        take(0)
        var queue = [0]
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            let labels = children[node].sorted { $0.byte < $1.byte }
            guard !labels.isEmpty else { continue }
            let slot = position[node]
            // The first free slot that can hold the first child and leaves room for the others.
            var free = firstFree
            var base = 0
            search: while true {
                if free >= values.count { grow(to: max(values.count * 2, free + 512)) }
                base = free - Int(labels[0].byte)
                if base >= 1 {
                    let last = base + Int(labels[labels.count - 1].byte)
                    if last >= values.count { grow(to: max(values.count * 2, last + 512)) }
                    if labels.dropFirst().allSatisfy({ units[2 * (base + Int($0.byte)) + 1] == -1 }) { break search }
                }
                free = Int(nextFree[free])
            }
            units[2 * slot] = Int32(base)
            for child in labels {
                let target = base + Int(child.byte)
                units[2 * target + 1] = Int32(slot)
                take(target)
                position[child.node] = target
                values[target] = ids[child.node]
                queue.append(child.node)
            }
        }
        self.units = units
        self.values = values
    }

    /// The trie's tables as unsafe buffers for hot loops (valid inside `body` only).
    struct View {
        let units: UnsafeBufferPointer<Int32>
        let values: UnsafeBufferPointer<Int32>

        /// The child of `node` along `byte`, or -1.
        @inline(__always)
        func child(_ node: Int32, _ byte: UInt8) -> Int32 {
            let target = Int(units[2 &* Int(node)]) &+ Int(byte)
            guard target > 0, target < values.count, units[2 &* target &+ 1] == node else { return -1 }
            return Int32(truncatingIfNeeded: target)
        }
    }

    func withView<Result>(_ body: (View) -> Result) -> Result {
        units.withUnsafeBufferPointer { units in
            values.withUnsafeBufferPointer { values in body(View(units: units, values: values)) }
        }
    }

    /// The child of `node` along `byte`, or -1.
    @inline(__always)
    func child(_ node: Int32, _ byte: UInt8) -> Int32 {
        let base = Int(units[2 * Int(node)])
        guard base >= 0 else { return -1 }
        let target = base + Int(byte)
        guard target > 0, target < values.count, units[2 * target + 1] == node else { return -1 }
        return Int32(target)
    }

    /// The id of the piece spelled exactly by `bytes[range]`, or nil.
    @inline(__always)
    func id(of bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int32? {
        var node = Self.root
        for index in range {
            node = child(node, bytes[index])
            if node < 0 { return nil }
        }
        let value = values[Int(node)]
        return value >= 0 ? value : nil
    }

    /// The longest piece that starts `bytes` at `start`: its length in bytes and id.
    func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (length: Int, id: Int32)? {
        var node = Self.root
        var best: (length: Int, id: Int32)?
        var index = start
        while index < bytes.count {
            node = child(node, bytes[index])
            if node < 0 { break }
            index += 1
            let value = values[Int(node)]
            if value >= 0 { best = (index - start, value) }
        }
        return best
    }
}
