import ErnieBasics
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tensor to write: a name, a row-major shape and its elements.
public struct SafetensorsTensor: @unchecked Sendable {
    /// Where the elements come from.
    public enum Elements {
        case float32([Float])
        case int64([Int64])
        case int32([Int32])
        /// Raw little-endian bytes of `dtype`, borrowed: the memory must stay valid until `write` returns
        /// (e.g. an engine tensor's storage, written without a copy).
        case borrowed(SafetensorsDType, UnsafeRawBufferPointer)
    }

    public var name: String
    public var shape: [Int]
    public var elements: Elements

    public init(name: String, shape: [Int], elements: Elements) {
        self.name = name
        self.shape = shape
        self.elements = elements
    }

    /// An F32 tensor.
    public init(name: String, shape: [Int], floats: [Float]) {
        self.init(name: name, shape: shape, elements: .float32(floats))
    }

    public var dtype: SafetensorsDType {
        switch elements {
        case .float32: .float32
        case .int64: .int64
        case .int32: .int32
        case .borrowed(let dtype, _): dtype
        }
    }

    var byteCount: Int {
        switch elements {
        case .float32(let values): values.count * 4
        case .int64(let values): values.count * 8
        case .int32(let values): values.count * 4
        case .borrowed(_, let bytes): bytes.count
        }
    }

    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch elements {
        case .float32(let values): try values.withUnsafeBytes(body)
        case .int64(let values): try values.withUnsafeBytes(body)
        case .int32(let values): try values.withUnsafeBytes(body)
        case .borrowed(_, let bytes): try body(bytes)
        }
    }
}

/// Writes safetensors files byte-identical to the reference implementation (`safetensors.torch.save_file`):
/// compact JSON header with `__metadata__` first, tensors ordered by dtype rank (larger first) then name, header
/// padded with spaces to a multiple of 8. Writing goes to a temporary file in the same directory, renamed over
/// the destination only when complete, so a crash never leaves a half-written checkpoint.
public enum SafetensorsWriter {
    /// Writes `tensors` to `url` atomically.
    /// - Throws: `SafetensorsError.invalidTensor` for a shape that does not match the elements, a duplicate or
    ///   reserved name; `.unwritable` for I/O failures.
    /// - Parameter durable: flush to disk before the rename (off for scratch files).
    public static func write(
        _ tensors: [SafetensorsTensor], metadata: [String: String]? = ["format": "pt"], to url: URL, durable: Bool = true
    ) throws {
        let ordered = try layout(tensors)
        let header = headerBytes(ordered, metadata: metadata)
        try AtomicFile.write(to: url, durable: durable) { sink in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try sink($0) }
            try header.withUnsafeBytes { try sink($0) }
            for tensor in ordered { try tensor.withBytes { try sink($0) } }
        }
    }

    /// The header + data as one buffer (small files, tests).
    public static func serialize(_ tensors: [SafetensorsTensor], metadata: [String: String]? = ["format": "pt"]) throws -> Data {
        let ordered = try layout(tensors)
        let header = headerBytes(ordered, metadata: metadata)
        var data = Data()
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for tensor in ordered { tensor.withBytes { data.append(contentsOf: $0) } }
        return data
    }

    /// Checks every tensor and returns them in file order.
    static func layout(_ tensors: [SafetensorsTensor]) throws -> [SafetensorsTensor] {
        var seen = Set<String>()
        for tensor in tensors {
            guard tensor.name != "__metadata__" else {
                throw SafetensorsError.invalidTensor(tensor: tensor.name, message: "the name is reserved for metadata")
            }
            guard seen.insert(tensor.name).inserted else {
                throw SafetensorsError.invalidTensor(tensor: tensor.name, message: "the name appears twice")
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw SafetensorsError.invalidTensor(tensor: tensor.name, message: "shape \(tensor.shape) has a negative dimension")
            }
            let expected = tensor.shape.reduce(1, *) * tensor.dtype.byteSize
            guard expected == tensor.byteCount else {
                throw SafetensorsError.invalidTensor(
                    tensor: tensor.name,
                    message: "shape \(tensor.shape) of \(tensor.dtype.rawValue) needs \(expected) bytes, got \(tensor.byteCount)")
            }
        }
        return tensors.sorted { a, b in
            a.dtype != b.dtype ? a.dtype > b.dtype : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
    }

    static func headerBytes(_ ordered: [SafetensorsTensor], metadata: [String: String]?) -> [UInt8] {
        var members: [(String, JSONValue)] = []
        if let metadata {
            let sorted = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            members.append(("__metadata__", .object(JSONObject(sorted.map { ($0.key, .string($0.value)) }))))
        }
        var offset = 0
        for tensor in ordered {
            let end = offset + tensor.byteCount
            let entry: JSONValue = .object(JSONObject([
                ("dtype", .string(tensor.dtype.rawValue)),
                ("shape", .array(tensor.shape.map { .integer($0) })),
                ("data_offsets", .array([.integer(offset), .integer(end)])),
            ]))
            members.append((tensor.name, entry))
            offset = end
        }
        var bytes = Array(JSONWriter.compact(.object(JSONObject(members))).utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }
}
