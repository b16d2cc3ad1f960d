/// A reflected 32-bit CRC for any polynomial, slicing-by-8 (eight table lookups per 8 bytes): the one loop behind
/// zip's CRC-32 (0xEDB88320) and TFRecord's CRC-32C (0x82F63B78).
public struct ReflectedCRC32: Sendable {
    /// `tables[k][b]`: the CRC of byte b followed by k zero bytes.
    private let tables: [[UInt32]]

    public init(polynomial: UInt32) {
        var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[0][byte] = crc
        }
        for byte in 0..<256 {
            for slice in 1..<8 {
                let previous = tables[slice - 1][byte]
                tables[slice][byte] = (previous >> 8) ^ tables[0][Int(previous & 0xFF)]
            }
        }
        self.tables = tables
    }

    /// The register `crc` (pre- and post-inversion are the caller's) advanced over `bytes`.
    public func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = crc
        tables.withUnsafeBufferPointer { slices in
            let t0 = slices[0], t1 = slices[1], t2 = slices[2], t3 = slices[3]
            let t4 = slices[4], t5 = slices[5], t6 = slices[6], t7 = slices[7]
            var index = 0
            let count = bytes.count
            while index + 8 <= count {
                let low = bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self).littleEndian ^ crc
                let high = bytes.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self).littleEndian
                crc = t7[Int(low & 0xFF)] ^ t6[Int((low >> 8) & 0xFF)] ^ t5[Int((low >> 16) & 0xFF)] ^ t4[Int(low >> 24)]
                    ^ t3[Int(high & 0xFF)] ^ t2[Int((high >> 8) & 0xFF)] ^ t1[Int((high >> 16) & 0xFF)] ^ t0[Int(high >> 24)]
                index += 8
            }
            while index < count {
                crc = (crc >> 8) ^ t0[Int((crc ^ UInt32(bytes[index])) & 0xFF)]
                index += 1
            }
        }
        return crc
    }
}
