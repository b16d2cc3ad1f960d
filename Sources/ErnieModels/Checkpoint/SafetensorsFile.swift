import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A memory-mapped `.safetensors` file: the header is parsed and fully validated on open, tensor data is read on
/// demand (converted to `Float` from F32/F16/BF16/F64, or to `Int64` from integer dtypes).
///
/// Immutable after `init`, so it can be shared across threads. The mapping lives as long as the object.
public final class SafetensorsFile: @unchecked Sendable {
    /// The file's path as given (used in every error message).
    public let path: String
    /// The `__metadata__` string map (`{"format": "pt"}` for files written by PyTorch tools).
    public let metadata: [String: String]
    /// All tensors, in data-buffer order.
    public let tensors: [SafetensorsTensorInfo]

    private let indexByName: [String: Int]
    private let storage: UnsafeRawBufferPointer
    private let dataStart: Int
    private let isMapped: Bool

    /// Maps and validates `url`.
    /// - Throws: `SafetensorsError` naming the file (and tensor) for unreadable, truncated or malformed files.
    public init(contentsOf url: URL) throws {
        path = url.path
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw SafetensorsError.unreadable(path: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SafetensorsError.unreadable(path: url.path, reason: String(cString: strerror(errno)))
        }
        let size = Int(status.st_size)
        guard size >= 8 else { throw SafetensorsError.tooSmall(path: url.path, size: size) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw SafetensorsError.unreadable(path: url.path, reason: "mmap: " + String(cString: strerror(errno)))
        }
        storage = UnsafeRawBufferPointer(start: address, count: size)
        isMapped = true
        let header: SafetensorsHeader
        do { header = try SafetensorsHeader.parse(storage, path: url.path) } catch {
            munmap(address, size)
            throw error
        }
        metadata = header.metadata
        tensors = header.tensors
        dataStart = header.dataStart
        indexByName = Dictionary(uniqueKeysWithValues: header.tensors.enumerated().map { ($1.name, $0) })
    }

    /// Reads a file held in memory (tests, network payloads); `name` stands for the path in errors.
    public init(data: Data, name: String) throws {
        path = name
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 64)
        _ = data.copyBytes(to: copy.bindMemory(to: UInt8.self))
        storage = UnsafeRawBufferPointer(start: copy.baseAddress, count: data.count)
        isMapped = false
        let header: SafetensorsHeader
        do { header = try SafetensorsHeader.parse(storage, path: name) } catch {
            copy.deallocate()
            throw error
        }
        metadata = header.metadata
        tensors = header.tensors
        dataStart = header.dataStart
        indexByName = Dictionary(uniqueKeysWithValues: header.tensors.enumerated().map { ($1.name, $0) })
    }

    deinit {
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: storage.baseAddress), storage.count)
        } else {
            UnsafeMutableRawPointer(mutating: storage.baseAddress)?.deallocate()
        }
    }

    /// Tensor names in data order.
    public var names: [String] { tensors.map(\.name) }

    /// The header entry of `name`, or nil.
    public func info(named name: String) -> SafetensorsTensorInfo? {
        indexByName[name].map { tensors[$0] }
    }

    /// The entry of `name`.
    /// - Throws: `SafetensorsError.tensorNotFound`.
    public func requireInfo(named name: String) throws -> SafetensorsTensorInfo {
        guard let info = info(named: name) else { throw SafetensorsError.tensorNotFound(path: path, tensor: name) }
        return info
    }

    /// Calls `body` with the raw little-endian bytes of `name` (valid only during the call).
    public func withRawBytes<Result>(
        named name: String, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        let info = try requireInfo(named: name)
        let start = storage.baseAddress! + dataStart + info.dataOffsets.lowerBound
        return try body(UnsafeRawBufferPointer(start: start, count: info.dataOffsets.count))
    }

    /// The elements of `name` as `Float` (row-major, `info.shape`), converted from F32, F16, BF16 or F64.
    /// - Throws: `SafetensorsError` when absent or of another dtype.
    public func floats(named name: String) throws -> [Float] {
        let info = try requireInfo(named: name)
        return try [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            try readFloats(named: name, into: buffer)
            initialized = info.elementCount
        }
    }

    /// Converts `name` into `destination` (at least `elementCount` floats), e.g. straight into an engine tensor.
    public func readFloats(named name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let info = try requireInfo(named: name)
        guard info.dtype.isConvertibleToFloat else {
            throw SafetensorsError.unsupportedConversion(path: path, tensor: name, dtype: info.dtype.rawValue, target: "Float (F32, F16, BF16, F64)")
        }
        guard destination.count >= info.elementCount else {
            throw SafetensorsError.destinationSize(path: path, tensor: name, elements: info.elementCount, capacity: destination.count)
        }
        guard info.elementCount > 0 else { return }
        let start = storage.baseAddress! + dataStart + info.dataOffsets.lowerBound
        ElementConversion.convertToFloat(start, dtype: info.dtype, count: info.elementCount, into: destination.baseAddress!)
    }

    /// The elements of `name` as `Int64`, from I64, I32, I16, I8, U8, U16, U32 or BOOL (e.g. `position_ids`).
    public func integers(named name: String) throws -> [Int64] {
        let info = try requireInfo(named: name)
        guard info.dtype.isConvertibleToInteger else {
            throw SafetensorsError.unsupportedConversion(path: path, tensor: name, dtype: info.dtype.rawValue, target: "Int64 (integer dtypes)")
        }
        guard info.elementCount > 0 else { return [] }
        let start = storage.baseAddress! + dataStart + info.dataOffsets.lowerBound
        return ElementConversion.convertToInt64(start, dtype: info.dtype, count: info.elementCount)
    }
}
