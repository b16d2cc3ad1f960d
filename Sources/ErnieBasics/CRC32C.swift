/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord framing: TFRecord pretraining data
/// is checked record by record as it is read, so the checksum runs over every byte of the data.
public enum CRC32C {
    private static let crc = ReflectedCRC32(polynomial: 0x82F6_3B78)

    /// CRC-32C of `bytes` (CRC32C("123456789") = 0xE3069283).
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        if let value = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0)) }) { return value }
        return checksum(Array(bytes))
    }

    /// CRC-32C of raw bytes.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { ~crc.update(0xFFFF_FFFF, bytes) }

    /// TFRecord's masked form: rotating right by 15 and adding a constant keeps a CRC of data that itself holds CRCs
    /// from looking like one.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
