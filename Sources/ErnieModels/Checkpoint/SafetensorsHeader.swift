import ErnieBasics
/// One tensor of a safetensors file, as its header describes it.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// `data_offsets`: byte range relative to the start of the data buffer (after the header).
    public let dataOffsets: Range<Int>

    /// Product of `shape` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// The parsed and checked header of a safetensors file.
struct SafetensorsHeader {
    /// Largest header the reference implementation accepts.
    static let maximumLength: UInt64 = 100_000_000

    var metadata: [String: String]
    /// Tensors in data-buffer order.
    var tensors: [SafetensorsTensorInfo]
    /// Offset of the data buffer in the file (8 + header length).
    var dataStart: Int

    /// Reads the header of a whole file and checks every rule of the format: header ≤ 100 MB and inside the
    /// file, a JSON object without duplicate keys, known dtypes, non-negative shapes, `end − begin = numel × size`,
    /// ranges that tile the data buffer exactly (no holes, no overlaps) and end at the end of the file.
    static func parse(_ file: UnsafeRawBufferPointer, path: String) throws -> SafetensorsHeader {
        guard file.count >= 8 else { throw SafetensorsError.tooSmall(path: path, size: file.count) }
        let length = file.loadUnaligned(as: UInt64.self).littleEndian
        guard length <= maximumLength else { throw SafetensorsError.headerTooLarge(path: path, length: length) }
        guard Int(length) <= file.count - 8 else {
            throw SafetensorsError.headerTruncated(path: path, length: length, fileSize: file.count)
        }
        let headerBytes = UnsafeBufferPointer(
            start: file.baseAddress!.assumingMemoryBound(to: UInt8.self) + 8, count: Int(length))
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw SafetensorsError.invalidHeader(path: path, message: "the header must start with '{'")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(headerBytes) } catch {
            throw SafetensorsError.invalidHeader(path: path, message: error.description)
        }
        guard let object = json.objectValue else {
            throw SafetensorsError.invalidHeader(path: path, message: "the header is not a JSON object")
        }
        var metadata = [String: String]()
        var tensors = [SafetensorsTensorInfo]()
        tensors.reserveCapacity(object.count)
        for (name, entry) in object {
            if name == "__metadata__" {
                metadata = try parseMetadata(entry, path: path)
            } else {
                tensors.append(try parseEntry(name: name, entry, path: path))
            }
        }
        let dataStart = 8 + Int(length)
        try checkLayout(&tensors, bufferSize: file.count - dataStart, path: path)
        return SafetensorsHeader(metadata: metadata, tensors: tensors, dataStart: dataStart)
    }

    private static func parseMetadata(_ value: JSONValue, path: String) throws -> [String: String] {
        guard let object = value.objectValue else {
            throw SafetensorsError.invalidHeader(path: path, message: "\"__metadata__\" must be an object of strings")
        }
        var metadata = [String: String]()
        for (key, member) in object {
            guard let text = member.stringValue else {
                throw SafetensorsError.invalidHeader(path: path, message: "\"__metadata__\".\"\(key)\" must be a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: JSONValue, path: String) throws -> SafetensorsTensorInfo {
        func invalid(_ message: String) -> SafetensorsError { .invalidEntry(path: path, tensor: name, message: message) }
        guard let entry = value.objectValue else { throw invalid("the entry must be an object") }
        guard let dtypeName = entry["dtype"]?.stringValue else { throw invalid("missing \"dtype\" string") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw SafetensorsError.unknownDType(path: path, tensor: name, dtype: dtypeName)
        }
        guard let shapeItems = entry["shape"]?.arrayValue else { throw invalid("missing \"shape\" array") }
        var shape = [Int]()
        for item in shapeItems {
            guard let dimension = item.intValue, dimension >= 0 else {
                throw invalid("shape \(JSONWriter.compact(.array(shapeItems))) must hold non-negative integers")
            }
            shape.append(dimension)
        }
        guard let offsets = entry["data_offsets"]?.arrayValue, offsets.count == 2,
            let begin = offsets[0].intValue, let end = offsets[1].intValue, begin >= 0, begin <= end
        else { throw invalid("\"data_offsets\" must be [begin, end] with 0 ≤ begin ≤ end") }
        // numel × size without overflow (a hostile shape must not trap).
        guard let bytes = CheckedSize.product(shape + [dtype.byteSize]) else { throw invalid("shape \(shape) is too large") }
        guard end - begin == bytes else {
            throw SafetensorsError.sizeMismatch(
                path: path, tensor: name, shape: shape, dtype: dtypeName, expectedBytes: bytes, actualBytes: end - begin)
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// Sorts by offset and checks that the ranges tile `0..<bufferSize`.
    private static func checkLayout(_ tensors: inout [SafetensorsTensorInfo], bufferSize: Int, path: String) throws {
        tensors.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }
        var expectedBegin = 0
        var previous: String?
        for tensor in tensors {
            let range = tensor.dataOffsets
            if range.lowerBound < expectedBegin {
                throw SafetensorsError.layout(
                    path: path, tensor: tensor.name,
                    message: "bytes \(range) overlap tensor \"\(previous ?? "")\" (which ends at \(expectedBegin))")
            }
            if range.lowerBound > expectedBegin {
                throw SafetensorsError.layout(
                    path: path, tensor: tensor.name,
                    message: "bytes \(range) leave a hole after byte \(expectedBegin); tensors must be contiguous")
            }
            if range.upperBound > bufferSize {
                throw SafetensorsError.layout(
                    path: path, tensor: tensor.name,
                    message: "bytes \(range) extend past the end of the data buffer (\(bufferSize) bytes): file truncated?")
            }
            expectedBegin = range.upperBound
            previous = tensor.name
        }
        guard expectedBegin == bufferSize else {
            throw SafetensorsError.trailingBytes(path: path, dataEnd: expectedBegin, bufferSize: bufferSize)
        }
    }
}
