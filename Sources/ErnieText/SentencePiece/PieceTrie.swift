/// A byte trie of vocabulary pieces: the longest match and every prefix match at a position, as the unigram
/// lattice, BPE's piece lookups and the user-defined-symbol matcher need. Edges live in one open-addressing table
/// keyed by (node, byte), so a step is one multiply and (usually) one probe.
struct PieceTrie: Sendable {
    /// Edge keys `(node + 1) << 8 | byte` (0 marks an empty slot) and the child each leads to.
    private let keys: [UInt64]
    private let children: [Int32]
    private let mask: Int
    /// The piece id ending at each node, or -1.
    let values: [Int32]
    /// The root's children by byte (the hottest lookup), -1 for none.
    private let rootChildren: [Int32]

    static let root: Int32 = 0

    /// A trie of `pieces` (UTF-8 bytes and id); a later duplicate does not replace an earlier one.
    init(_ pieces: [(bytes: [UInt8], id: Int)]) {
        var edges: [UInt64: Int32] = [:]
        var values: [Int32] = [-1]
        for (bytes, id) in pieces where !bytes.isEmpty {
            var node: Int32 = 0
            for byte in bytes {
                let key = UInt64(node + 1) << 8 | UInt64(byte)
                if let child = edges[key] {
                    node = child
                } else {
                    let child = Int32(values.count)
                    values.append(-1)
                    edges[key] = child
                    node = child
                }
            }
            if values[Int(node)] < 0 { values[Int(node)] = Int32(id) }
        }
        var capacity = 16
        while capacity < edges.count * 2 { capacity <<= 1 }
        var keys = [UInt64](repeating: 0, count: capacity)
        var children = [Int32](repeating: -1, count: capacity)
        var rootChildren = [Int32](repeating: -1, count: 256)
        for (key, child) in edges {
            var slot = Self.slot(key, mask: capacity - 1)
            while keys[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            keys[slot] = key
            children[slot] = child
            if key >> 8 == 1 { rootChildren[Int(key & 0xFF)] = child }
        }
        self.keys = keys
        self.children = children
        self.mask = capacity - 1
        self.values = values
        self.rootChildren = rootChildren
    }

    @inline(__always)
    private static func slot(_ key: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    /// The trie's tables as unsafe buffers for hot loops (valid inside `body` only).
    struct View {
        let keys: UnsafeBufferPointer<UInt64>
        let children: UnsafeBufferPointer<Int32>
        let values: UnsafeBufferPointer<Int32>
        let rootChildren: UnsafeBufferPointer<Int32>
        let mask: Int

        @inline(__always)
        func child(_ node: Int32, _ byte: UInt8) -> Int32 {
            if node == 0 { return rootChildren[Int(byte)] }
            let key = UInt64(node &+ 1) << 8 | UInt64(byte)
            var slot = PieceTrie.slot(key, mask: mask)
            while true {
                let stored = keys[slot]
                if stored == key { return children[slot] }
                if stored == 0 { return -1 }
                slot = (slot &+ 1) & mask
            }
        }
    }

    func withView<Result>(_ body: (View) -> Result) -> Result {
        keys.withUnsafeBufferPointer { keys in
            children.withUnsafeBufferPointer { children in
                values.withUnsafeBufferPointer { values in
                    rootChildren.withUnsafeBufferPointer { rootChildren in
                        body(View(keys: keys, children: children, values: values, rootChildren: rootChildren, mask: mask))
                    }
                }
            }
        }
    }

    /// The child of `node` along `byte`, or -1.
    @inline(__always)
    func child(_ node: Int32, _ byte: UInt8) -> Int32 {
        if node == 0 { return rootChildren[Int(byte)] }
        let key = UInt64(node + 1) << 8 | UInt64(byte)
        var slot = Self.slot(key, mask: mask)
        while true {
            let stored = keys[slot]
            if stored == key { return children[slot] }
            if stored == 0 { return -1 }
            slot = (slot + 1) & mask
        }
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
