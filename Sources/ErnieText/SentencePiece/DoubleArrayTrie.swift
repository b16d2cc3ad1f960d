/// A read-only darts-clone double array, the trie SentencePiece stores its normalisation rules in
/// (`precompiled_charsmap`). Each 32-bit unit packs a label byte, a leaf flag and the offset to its children
/// (darts-clone's `DoubleArrayUnit`); a leaf unit holds a 31-bit value.
struct DoubleArrayTrie: Sendable {
    let units: [UInt32]

    /// - Throws: `SentencePieceError.malformedModel` when the array is empty.
    init(units: [UInt32], source: String) throws {
        guard !units.isEmpty else { throw SentencePieceError.malformedModel(path: source, reason: "the normalisation trie is empty") }
        self.units = units
    }

    @inline(__always) private static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ unit: UInt32) -> Int { Int(unit & ((1 << 31) - 1)) }
    @inline(__always) private static func label(_ unit: UInt32) -> UInt32 { unit & ((1 << 31) | 0xFF) }
    @inline(__always) private static func offset(_ unit: UInt32) -> Int { Int((unit >> 10) << ((unit & (1 << 9)) >> 6)) }

    /// The longest key that is a prefix of `key[start..<end]`: its length in bytes and value, or nil.
    ///
    /// Like `commonPrefixSearch` followed by SentencePiece's "longest of the first 32 results"; a position outside
    /// the array (a corrupt file) ends the search instead of trapping.
    func longestPrefix(_ key: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> (length: Int, value: Int)? {
        var best: (length: Int, value: Int)?
        var results = 0
        units.withUnsafeBufferPointer { units in
            var position = Self.offset(units[0])
            var index = start
            while index < end {
                let byte = key[index]
                position ^= Int(byte)
                guard position < units.count else { return }
                let unit = units[position]
                guard Self.label(unit) == UInt32(byte) else { return }
                position ^= Self.offset(unit)
                guard position < units.count else { return }
                index += 1
                if Self.hasLeaf(unit) {
                    // SentencePiece keeps only the first kMaxTrieResultsSize (32) matches.
                    if results < 32 { best = (index - start, Self.value(units[position])) }
                    results += 1
                }
            }
        }
        return best
    }
}
