/// TFRecord framing, the container of TensorBoard event files. Each record is
/// `u64 length | u32 masked CRC32C(length bytes) | data | u32 masked CRC32C(data)`, all little-endian.
enum TFRecord {
    static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        appendLittleEndian(UInt64(data.count), to: &record)
        appendLittleEndian(CRC32C.masked(CRC32C.checksum(record)), to: &record)
        record.append(contentsOf: data)
        appendLittleEndian(CRC32C.masked(CRC32C.checksum(data)), to: &record)
        return record
    }

    /// The records of a file, in order, as ranges of `bytes` covering each whole framed record. Stops at the first
    /// record that is cut short or fails a checksum (a writer killed mid-record), as TensorBoard's reader does.
    static func records(in bytes: [UInt8]) -> [(data: ArraySlice<UInt8>, framed: Range<Int>)] {
        var records: [(data: ArraySlice<UInt8>, framed: Range<Int>)] = []
        var position = 0
        while position + 12 <= bytes.count {
            let header = bytes[position..<position + 8]
            let length = header.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let headerCRC = littleEndianUInt32(bytes, at: position + 8)
            let room = bytes.count - position - 16
            guard headerCRC == CRC32C.masked(CRC32C.checksum(header)), room >= 0, length <= UInt64(room) else { break }
            let dataStart = position + 12, dataEnd = dataStart + Int(length)
            let data = bytes[dataStart..<dataEnd]
            guard littleEndianUInt32(bytes, at: dataEnd) == CRC32C.masked(CRC32C.checksum(data)) else { break }
            records.append((data, position..<dataEnd + 4))
            position = dataEnd + 4
        }
        return records
    }

    private static func appendLittleEndian<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func littleEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
