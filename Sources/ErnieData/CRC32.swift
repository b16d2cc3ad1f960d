import ErnieBasics

/// CRC-32 (ISO-HDLC, as zip uses), computed incrementally.
struct CRC32 {
    private(set) var value: UInt32 = 0

    private static let crc = ReflectedCRC32(polynomial: 0xEDB8_8320)

    mutating func update(_ bytes: UnsafeRawBufferPointer) { value = ~CRC32.crc.update(~value, bytes) }

    mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
}
