/// TFRecord framing: TensorBoard event files and TensorFlow/MindSpore pretraining data. Each record is
/// `u64 length | u32 masked CRC32C(length bytes) | data | u32 masked CRC32C(data)`, all little-endian.
public enum TFRecord {
    /// Framing bytes around each record's data.
    public static let overhead = 16

    /// `data` framed as one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + overhead)
        appendLittleEndian(UInt64(data.count), to: &record)
        appendLittleEndian(CRC32C.masked(CRC32C.checksum(record)), to: &record)
        record.append(contentsOf: data)
        appendLittleEndian(CRC32C.masked(CRC32C.checksum(data)), to: &record)
        return record
    }

    /// Why the record at `offset` cannot be read.
    public struct FramingError: Error, CustomStringConvertible, Sendable {
        public let offset: Int
        public let reason: String
        public var description: String { "record at byte \(offset): \(reason)" }
    }

    /// The data range of the record that starts at `offset` in `bytes`, with both checksums verified
    /// (`checkData` false skips the data's, for a fast scan). - Throws: `FramingError` for a record cut short, a
    /// length past the end, or a checksum that does not match.
    public static func record(in bytes: UnsafeRawBufferPointer, at offset: Int, checkData: Bool = true) throws -> Range<Int> {
        guard offset >= 0, bytes.count - offset >= 12 else {
            throw FramingError(offset: offset, reason: "header cut short (\(max(0, bytes.count - offset)) of 12 bytes)")
        }
        let header = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 8])
        let length = header.loadUnaligned(as: UInt64.self).littleEndian
        let headerCRC = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self).littleEndian
        guard headerCRC == CRC32C.masked(CRC32C.checksum(header)) else {
            throw FramingError(offset: offset, reason: "length checksum mismatch (not a TFRecord file, or damaged)")
        }
        let room = bytes.count - offset - overhead
        guard room >= 0, length <= UInt64(room) else {
            throw FramingError(offset: offset, reason: "length \(length) runs past the end of the file (\(max(0, room)) bytes left)")
        }
        let data = offset + 12..<offset + 12 + Int(length)
        if checkData {
            let stored = bytes.loadUnaligned(fromByteOffset: data.upperBound, as: UInt32.self).littleEndian
            guard stored == CRC32C.masked(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[data]))) else {
                throw FramingError(offset: offset, reason: "data checksum mismatch")
            }
        }
        return data
    }

    /// The records of a file, in order, as ranges of `bytes` covering each whole framed record. Stops at the first
    /// record that is cut short or fails a checksum (a writer killed mid-record), as TensorBoard's reader does.
    public static func records(in bytes: [UInt8]) -> [(data: ArraySlice<UInt8>, framed: Range<Int>)] {
        bytes.withUnsafeBytes { buffer in
            var records: [(data: ArraySlice<UInt8>, framed: Range<Int>)] = []
            var position = 0
            while let data = try? record(in: buffer, at: position) {
                records.append((bytes[data], position..<data.upperBound + 4))
                position = data.upperBound + 4
            }
            return records
        }
    }

    private static func appendLittleEndian<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
