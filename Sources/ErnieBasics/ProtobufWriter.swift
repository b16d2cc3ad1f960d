/// Just enough protocol-buffer encoding for TensorBoard events and ONNX models: varints, fixed 32/64-bit numbers and
/// length-delimited fields. Fields are appended in the order written (TensorBoard's writer uses field-number order).
public struct ProtobufWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    public mutating func appendVarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    public mutating func appendKey(field: Int, _ wireType: WireType) {
        appendVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    public mutating func appendLittleEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// `int64` field (negative values take ten bytes, as protobuf specifies).
    public mutating func appendInt64(field: Int, _ value: Int64) {
        appendKey(field: field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// `double` field.
    public mutating func appendDouble(field: Int, _ value: Double) {
        appendKey(field: field, .fixed64)
        appendLittleEndian(value.bitPattern)
    }

    /// `float` field.
    public mutating func appendFloat(field: Int, _ value: Float) {
        appendKey(field: field, .fixed32)
        appendLittleEndian(value.bitPattern)
    }

    /// `bytes` or embedded-message field.
    public mutating func appendLengthDelimited(field: Int, _ payload: [UInt8]) {
        appendKey(field: field, .lengthDelimited)
        appendVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// `bytes` field from memory (large tensors: no intermediate array).
    public mutating func appendLengthDelimited(field: Int, _ payload: UnsafeRawBufferPointer) {
        appendKey(field: field, .lengthDelimited)
        appendVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// Makes room for `count` more bytes.
    public mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    /// `string` field (UTF-8).
    public mutating func appendString(field: Int, _ value: String) {
        appendLengthDelimited(field: field, Array(value.utf8))
    }
}
