import Foundation

/// Words already merged, by their bytes: HF's BPE cache. One per `ByteLevelBPETokenizer.Scratch` (per thread), so it
/// needs no lock. Once full it takes no more words, as HF's cache (the first words met are mostly the frequent ones).
struct BPEWordCache {
    /// Per slot: the word's hash (0: empty), where its bytes and pieces are in the arenas.
    private var hashes: [UInt64]
    private var entries: [(bytes: Int32, byteCount: Int32, pieces: Int32, pieceCount: Int32)]
    private var bytes: [UInt8] = []
    private var pieceIds: [Int32] = []
    private var pieceLengths: [Int32] = []
    private var count = 0
    private var mask: Int
    /// Longer words are not cached (long runs of CJK letters rarely repeat).
    static let maxWordBytes = 48
    /// The table starts small (a scratch made for one text stays cheap) and doubles up to this many slots (half
    /// of them used: 32,768 words).
    static let maxSlots = 1 << 16

    init() {
        hashes = [UInt64](repeating: 0, count: 64)
        entries = Array(repeating: (0, 0, 0, 0), count: 64)
        mask = 63
    }

    /// FNV-1a of the word, never 0 (the empty mark).
    @inline(__always)
    static func hash(_ word: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in word { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return value | 1
    }

    /// Writes the cached pieces of `word` (ids, byte lengths) and returns their count; -1 when it is not cached.
    @inline(__always)
    func lookup(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, ids: UnsafeMutablePointer<Int32>,
                lengths: UnsafeMutablePointer<Int32>) -> Int {
        var slot = Int(truncatingIfNeeded: hash >> 17) & mask
        while hashes[slot] != 0 {
            if hashes[slot] == hash {
                let entry = entries[slot]
                // Words are short (a few bytes): inline loops beat calls to memcmp and memmove.
                if Int(entry.byteCount) == word.count && bytes.withUnsafeBufferPointer({ stored in
                    let base = stored.baseAddress! + Int(entry.bytes)
                    for index in 0..<word.count where base[index] != word[index] { return false }
                    return true
                }) {
                    let first = Int(entry.pieces), count = Int(entry.pieceCount)
                    pieceIds.withUnsafeBufferPointer { stored in
                        for index in 0..<count { ids[index] = stored[first &+ index] }
                    }
                    pieceLengths.withUnsafeBufferPointer { stored in
                        for index in 0..<count { lengths[index] = stored[first &+ index] }
                    }
                    return count
                }
            }
            slot = (slot + 1) & mask
        }
        return -1
    }

    mutating func insert(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, ids: UnsafeBufferPointer<Int32>,
                         lengths: UnsafeBufferPointer<Int32>) {
        guard word.count <= Self.maxWordBytes else { return }
        if count * 2 >= hashes.count {
            guard hashes.count < Self.maxSlots else { return }
            grow()
        }
        var slot = Int(truncatingIfNeeded: hash >> 17) & mask
        while hashes[slot] != 0 { slot = (slot + 1) & mask }
        hashes[slot] = hash
        entries[slot] = (Int32(bytes.count), Int32(word.count), Int32(pieceIds.count), Int32(ids.count))
        bytes.append(contentsOf: word)
        pieceIds.append(contentsOf: ids)
        pieceLengths.append(contentsOf: lengths)
        count += 1
    }

    /// Doubles the slots, re-placing the entries (their arenas stay).
    private mutating func grow() {
        let oldHashes = hashes, oldEntries = entries
        hashes = [UInt64](repeating: 0, count: oldHashes.count * 2)
        entries = Array(repeating: (0, 0, 0, 0), count: oldHashes.count * 2)
        mask = hashes.count - 1
        for (hash, entry) in zip(oldHashes, oldEntries) where hash != 0 {
            var slot = Int(truncatingIfNeeded: hash >> 17) & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = hash
            entries[slot] = entry
        }
    }
}
