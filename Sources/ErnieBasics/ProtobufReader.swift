/// Just enough protocol-buffer decoding to read ONNX models back: a cursor over a message's bytes that yields its
/// fields one at a time (number, wire type, and the value or the payload's byte range). Every length and offset is
/// checked against the bytes it was read from, so a truncated or hostile file throws instead of reading past its end.
public struct ProtobufReader {
    /// One field: its number and value. A length-delimited value (bytes, string, embedded message, packed repeated
    /// numbers) is the range of its payload in the reader's bytes.
    public enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(Range<Int>)
    }

    public struct DecodingError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset: Int
    private let end: Int

    /// A reader over `range` of `bytes` (the whole buffer by default). The buffer must outlive the reader.
    public init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "protobuf range outside its buffer")
        offset = range.lowerBound
        end = range.upperBound
    }

    /// The next field, or nil at the end of the message.
    public mutating func next() throws -> (field: Int, value: Value)? {
        guard offset < end else { return nil }
        let key = try readVarint()
        let field = Int(truncatingIfNeeded: key >> 3)
        guard field > 0, key >> 3 <= UInt64(Int32.max) else { throw DecodingError(description: "invalid field number \(key >> 3) at byte \(offset)") }
        switch key & 7 {
        case 0: return (field, .varint(try readVarint()))
        case 1: return (field, .fixed64(try readFixed(UInt64.self)))
        case 5: return (field, .fixed32(try readFixed(UInt32.self)))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - offset) else {
                throw DecodingError(description: "field \(field) claims \(length) bytes at byte \(offset), \(end - offset) remain")
            }
            let start = offset
            offset += Int(length)
            return (field, .bytes(start..<offset))
        default:
            throw DecodingError(description: "unsupported wire type \(key & 7) of field \(field) at byte \(offset)")
        }
    }

    /// A reader over an embedded message's payload.
    public func message(_ range: Range<Int>) -> ProtobufReader { ProtobufReader(bytes, range: range) }

    /// A length-delimited payload as UTF-8 text.
    public func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The varints of a packed repeated field.
    public func packedVarints(_ range: Range<Int>) throws -> [UInt64] {
        var reader = message(range)
        var values: [UInt64] = []
        while reader.offset < reader.end { values.append(try reader.readVarint()) }
        return values
    }

    private mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { throw DecodingError(description: "truncated varint at byte \(offset)") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw DecodingError(description: "varint longer than 10 bytes at byte \(offset)") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func readFixed<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
        let size = MemoryLayout<Integer>.size
        guard end - offset >= size else { throw DecodingError(description: "truncated fixed\(size * 8) at byte \(offset)") }
        let value = Integer(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Integer.self))
        offset += size
        return value
    }
}
