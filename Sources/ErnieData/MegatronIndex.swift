import ErnieBasics

/// Megatron's mmap index (`<prefix>.idx`, `paddlenlp/data/indexed_dataset.py`): magic `MMIDIDX\0\0`, u64 version 1,
/// u8 dtype code, u64 sentence count N, u64 document-index length D, then int32 sizes[N], int64 byte pointers[N],
/// int64 doc_idx[D] (D = documents + 1, starting at 0).
public struct MegatronIndex: Sendable {
    public static let magic: [UInt8] = Array("MMIDIDX".utf8) + [0, 0]

    public let dtype: NumpyDType
    public let sizes: MappedArray<Int32>
    public let pointers: MappedArray<Int64>
    public let documentIndex: MappedArray<Int64>

    public init(path: String) throws {
        let file = try MappedFile(path: path)
        let headerSize = 9 + 8 + 1 + 8 + 8
        guard file.byteCount >= headerSize, Array(file.bytes(offset: 0, count: 9)) == Self.magic else {
            throw DataError.malformed(path: path, reason: "missing the MMIDIDX magic (not a Megatron .idx)")
        }
        let version = file.load(UInt64.self, at: 9)
        guard version == 1 else { throw DataError.unsupported(path: path, reason: ".idx version \(version)") }
        let code = file.load(UInt8.self, at: 17)
        guard let dtype = NumpyDType(megatronCode: code) else {
            throw DataError.malformed(path: path, reason: "unknown dtype code \(code)")
        }
        let count = file.load(UInt64.self, at: 18), documents = file.load(UInt64.self, at: 26)
        let needed = UInt64(headerSize) &+ count &* 12 &+ documents &* 8
        guard count < 1 << 40, documents < 1 << 40, needed <= UInt64(file.byteCount) else {
            throw DataError.malformed(path: path, reason: "\(count) sentences and \(documents) document entries do not fit in \(file.byteCount) bytes")
        }
        self.dtype = dtype
        sizes = MappedArray(file: file, byteOffset: headerSize, count: Int(count))
        pointers = MappedArray(file: file, byteOffset: headerSize + 4 * Int(count), count: Int(count))
        documentIndex = MappedArray(file: file, byteOffset: headerSize + 12 * Int(count), count: Int(documents))
    }

    /// Checks that every sentence lies inside the `.bin` holding `tokenCount` ids: sizes ≥ 0, byte pointers ≥ 0 and
    /// aligned to the id size, pointer / id size + size ≤ tokenCount; and that each sentence starts where the one
    /// before it ends (Megatron's writer stores them back to back, and a sample reads its sentences as one run).
    /// Once, at open, so that reading a sentence or a run of them never leaves the file.
    /// - Throws: `DataError.malformed` naming `path` (the `.idx`) and the first bad sentence.
    func checkSentences(tokenCount: Int, path: String, binPath: String) throws {
        let idSize = dtype.size
        var previousEnd: Int?
        for index in 0..<sizes.count {
            let size = Int(sizes[index]), pointer = Int(pointers[index])
            guard size >= 0, pointer >= 0, pointer % idSize == 0,
                  let end = CheckedSize.sum(pointer / idSize, size), end <= tokenCount else {
                throw DataError.malformed(
                    path: path,
                    reason: "sentence \(index) (byte pointer \(pointer), \(size) ids) lies outside \(binPath), which holds \(tokenCount) \(idSize)-byte ids")
            }
            if let previousEnd, pointer / idSize != previousEnd {
                throw DataError.malformed(
                    path: path,
                    reason: "sentence \(index) starts at id \(pointer / idSize), not where sentence \(index - 1) ends (id \(previousEnd)): sizes and pointers disagree")
            }
            previousEnd = end
        }
    }
}
