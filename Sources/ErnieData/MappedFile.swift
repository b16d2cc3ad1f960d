import ErnieBasics

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if _endian(big)
#error("ErnieData reads little-endian files by mapping them; big-endian hosts are not supported")
#endif

/// A whole file mapped read-only into memory: pages are read on demand and shared with the page cache,
/// so a 100 GB corpus costs address space, not RAM.
///
/// Immutable after `init`, hence safe to share between data-prefetch threads.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let byteCount: Int
    /// Start of the mapping; `nil` for an empty file.
    let base: UnsafeRawPointer?

    /// Maps `path`. - Throws: `DataError.io` naming the file when it cannot be opened or mapped.
    public init(path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw DataError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw DataError.io(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw DataError.io(path: path, reason: "not a regular file") }
        self.path = path
        self.byteCount = Int(status.st_size)
        if byteCount == 0 {
            base = nil
        } else {
            guard let pointer = mmap(nil, byteCount, PROT_READ, MAP_SHARED, descriptor, 0), pointer != MAP_FAILED else {
                throw DataError.io(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
            }
            base = UnsafeRawPointer(pointer)
        }
    }

    /// Whether `offset ..< offset + count` lies inside the file; overflow-checked, since offsets and sizes come
    /// from the files' own headers.
    public func contains(offset: Int, count: Int) -> Bool {
        offset >= 0 && CheckedSize.sum(offset, count).map { $0 <= byteCount } ?? false
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), byteCount) }
    }

    /// The bytes `[offset, offset + count)`. - Precondition: the range lies inside the file.
    public func bytes(offset: Int, count: Int) -> UnsafeRawBufferPointer {
        precondition(contains(offset: offset, count: count), "range outside \(path)")
        guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + offset, count: count)
    }

    /// Little-endian integer at `offset` (no alignment needed). - Precondition: inside the file.
    @inline(__always)
    public func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        precondition(contains(offset: offset, count: MemoryLayout<T>.size), "read outside \(path)")
        return base!.loadUnaligned(fromByteOffset: offset, as: T.self)
    }
}

/// A typed, read-only view of `count` little-endian elements inside a mapped file (no copy, no alignment needed:
/// `.npz` members start at odd offsets).
public struct MappedArray<Element: FixedWidthInteger & Sendable>: Sendable, RandomAccessCollection {
    public let file: MappedFile
    /// Byte offset of element 0 in the file.
    public let byteOffset: Int
    public let count: Int

    /// The elements' bytes as stored.
    public var rawBytes: UnsafeRawBufferPointer { file.bytes(offset: byteOffset, count: count * MemoryLayout<Element>.size) }

    /// - Precondition: the elements lie inside the file (callers check sizes and throw first).
    public init(file: MappedFile, byteOffset: Int, count: Int) {
        precondition(CheckedSize.product(count, MemoryLayout<Element>.size).map { file.contains(offset: byteOffset, count: $0) } ?? false,
                     "\(count) elements at \(byteOffset) outside \(file.path)")
        self.file = file
        self.byteOffset = byteOffset
        self.count = count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inline(__always)
    public subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "index \(index) outside 0..<\(count) in \(file.path)")
        return file.base!.loadUnaligned(fromByteOffset: byteOffset + index * MemoryLayout<Element>.size, as: Element.self)
    }

    /// Raw pointer to element 0 (possibly unaligned); `nil` when empty.
    public var rawPointer: UnsafeRawPointer? { count == 0 ? nil : file.base! + byteOffset }
}
