import ErnieBasics
/// An array stored in numpy format, read without copying: an `.npy` file or a STORED member of an `.npz`, mapped.
public struct NumpyArray: Sendable {
    public let header: NumpyHeader
    public let file: MappedFile
    /// Where the `.npy` bytes start in `file` (0 for a plain `.npy`).
    public let startOffset: Int
    /// The name errors use: the file path, or `archive.npz:member.npy`.
    public let name: String

    public var dtype: NumpyDType { header.dtype }
    public var shape: [Int] { header.shape }
    public var elementCount: Int { header.elementCount }

    /// Maps and parses an `.npy` file. - Throws: `DataError` naming the file.
    public init(contentsOf path: String) throws {
        let file = try MappedFile(path: path)
        try self.init(file: file, offset: 0, count: file.byteCount, name: path)
    }

    init(file: MappedFile, offset: Int, count: Int, name: String) throws {
        header = try NumpyHeader.parse(file: file, offset: offset, available: count, name: name)
        self.file = file
        startOffset = offset
        self.name = name
    }

    /// The elements as `T`. - Throws: `DataError.unsupported` when the dtype is not `T`'s.
    public func elements<T: FixedWidthInteger & Sendable>(as type: T.Type) throws -> MappedArray<T> {
        guard dtype == NumpyDType.of(T.self) else {
            throw DataError.unsupported(path: name, reason: "dtype \(dtype.descr), expected \(NumpyDType.of(T.self).descr)")
        }
        return MappedArray(file: file, byteOffset: startOffset + header.dataOffset, count: elementCount)
    }

    /// The raw data bytes (C order unless `header.fortranOrder`).
    public var dataBytes: UnsafeRawBufferPointer {
        file.bytes(offset: startOffset + header.dataOffset, count: elementCount * dtype.size)
    }

    /// Requires a 1-D array (or, with `columns`, a 2-D C-order array with that many columns).
    public func requireShape(rank: Int, columns: Int? = nil) throws {
        guard shape.count == rank, !(rank == 2 && header.fortranOrder) else {
            throw DataError.malformed(path: name, reason: "shape \(shape), expected a \(rank)-D C-order array")
        }
        if let columns, shape.last != columns {
            throw DataError.malformed(path: name, reason: "shape \(shape), expected \(columns) columns")
        }
    }
}

/// Writing `.npy` files exactly as `np.save` does.
public enum NumpyFile {
    /// Writes `elements` with the given shape (C order) atomically, byte-identical to `np.save` (numpy ≥ 1.23).
    /// - Parameter sync: fsync before the rename (off for caches that are rebuilt when lost; a truncated file is
    ///   rejected by the size check on load).
    public static func write<T: FixedWidthInteger>(_ elements: [T], shape: [Int]? = nil, to path: String, sync: Bool = true) throws {
        let shape = shape ?? [elements.count]
        precondition(shape.reduce(1, *) == elements.count, "shape \(shape) does not hold \(elements.count) elements")
        let output = try AtomicFile(path: path, createFolders: true)
        let writer = try BinaryFileWriter(path: output.temporaryPath)
        try writer.write(NumpyHeader.encode(dtype: .of(T.self), shape: shape))
        try elements.withUnsafeBufferPointer { try writer.write(contentsOf: $0) }
        try writer.closeFile(sync: sync)
        try output.commit()
    }
}
