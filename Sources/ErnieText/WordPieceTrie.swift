/// A character trie over a WordPiece vocabulary for greedy longest-match lookups.
///
/// Node 0 roots word-initial pieces (every token as written); node 1 roots continuation pieces (tokens that start with
/// the continuing-subword prefix, prefix removed). Walking from a root along a word's scalars and remembering the last
/// node that ends a token gives exactly the longest vocabulary piece HF's WordPiece loop would find.
struct WordPieceTrie: Sendable {
    static let wordRoot: Int32 = 0
    static let continuationRoot: Int32 = 1

    /// Token id ending at each node, or -1.
    private(set) var tokenIds: [Int32] = [-1, -1]
    /// Children of the two roots for BMP scalars: `root << 16 | scalar` → node (0 = none; node 0 is never a child).
    private var rootChildren = [Int32](repeating: 0, count: 2 << 16)
    /// All other edges: open addressing on `(node << 21 | scalar) + 1` (0 marks an empty slot).
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int

    init(tokens: [String], continuingSubwordPrefix: String) {
        let edgeEstimate = tokens.reduce(0) { $0 + $1.unicodeScalars.count } + 16
        var capacity = 1024
        while capacity < edgeEstimate * 2 { capacity <<= 1 }
        keys = [UInt64](repeating: 0, count: capacity)
        values = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        let prefix = Array(continuingSubwordPrefix.unicodeScalars)
        for (id, token) in tokens.enumerated() {
            let scalars = token.unicodeScalars.map(\.value)
            guard !scalars.isEmpty else { continue }
            insert(scalars[...], root: Self.wordRoot, id: Int32(id))
            if !prefix.isEmpty, scalars.count > prefix.count,
               zip(scalars, prefix).allSatisfy({ $0 == $1.value }) {
                insert(scalars[prefix.count...], root: Self.continuationRoot, id: Int32(id))
            }
        }
    }

    private mutating func insert(_ scalars: ArraySlice<UInt32>, root: Int32, id: Int32) {
        var node = root
        for scalar in scalars {
            if let next = child(node, scalar) {
                node = next
            } else {
                let next = Int32(tokenIds.count)
                tokenIds.append(-1)
                setChild(node, scalar, next)
                node = next
            }
        }
        // The first id wins, as a vocab.txt dictionary would keep it (duplicates are rejected earlier anyway).
        if tokenIds[Int(node)] < 0 { tokenIds[Int(node)] = id }
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    @inline(__always)
    func child(_ node: Int32, _ scalar: UInt32) -> Int32? {
        if node < 2 && scalar < 0x10000 {
            let next = rootChildren[Int(node) << 16 | Int(scalar)]
            return next == 0 ? nil : next
        }
        let key = (UInt64(node) << 21 | UInt64(scalar)) &+ 1
        var index = Self.slot(key, mask)
        while true {
            let found = keys[index]
            if found == key { return values[index] }
            if found == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    private mutating func setChild(_ node: Int32, _ scalar: UInt32, _ next: Int32) {
        if node < 2 && scalar < 0x10000 {
            rootChildren[Int(node) << 16 | Int(scalar)] = next
            return
        }
        if (tokenIds.count + 1) * 2 > keys.count { grow() }
        let key = (UInt64(node) << 21 | UInt64(scalar)) &+ 1
        var index = Self.slot(key, mask)
        while keys[index] != 0 { index = (index + 1) & mask }
        keys[index] = key
        values[index] = next
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (key, value) in zip(oldKeys, oldValues) where key != 0 {
            var index = Self.slot(key, mask)
            while keys[index] != 0 { index = (index + 1) & mask }
            keys[index] = key
            values[index] = value
        }
    }

    /// The longest piece of `word[start...]` in the vocabulary, starting from `root`.
    /// - Returns: (end index, token id), or nil when no piece matches.
    @inline(__always)
    func longestMatch(_ word: UnsafeBufferPointer<UInt32>, from start: Int, root: Int32) -> (end: Int, id: Int32)? {
        var node = root
        var best: (Int, Int32)? = nil
        var index = start
        while index < word.count, let next = child(node, word[index]) {
            node = next
            index += 1
            let id = tokenIds[Int(node)]
            if id >= 0 { best = (index, id) }
        }
        return best
    }
}
