/// UTF-8 helpers for the byte-level SentencePiece code.
enum UTF8Text {
    /// Bytes of the sequence a lead byte starts (1 for a stray continuation byte), as SentencePiece's `OneCharLen`.
    @inline(__always)
    static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead >> 4 {
        case 0xC, 0xD: 2
        case 0xE: 3
        case 0xF: 4
        default: 1
        }
    }

    /// Appends the UTF-8 bytes of `scalars` to `bytes`, and for each byte the index of its scalar to `origins`.
    static func append(_ scalars: UnsafeBufferPointer<UInt32>, to bytes: inout [UInt8], origins: inout [Int32]) {
        for (index, value) in scalars.enumerated() {
            let origin = Int32(truncatingIfNeeded: index)
            if value < 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value))
                origins.append(origin)
            } else if value < 0x800 {
                bytes.append(UInt8(truncatingIfNeeded: 0xC0 | value >> 6))
                bytes.append(UInt8(truncatingIfNeeded: 0x80 | value & 0x3F))
                origins.append(origin); origins.append(origin)
            } else if value < 0x10000 {
                bytes.append(UInt8(truncatingIfNeeded: 0xE0 | value >> 12))
                bytes.append(UInt8(truncatingIfNeeded: 0x80 | value >> 6 & 0x3F))
                bytes.append(UInt8(truncatingIfNeeded: 0x80 | value & 0x3F))
                origins.append(origin); origins.append(origin); origins.append(origin)
            } else {
                bytes.append(UInt8(truncatingIfNeeded: 0xF0 | value >> 18))
                bytes.append(UInt8(truncatingIfNeeded: 0x80 | value >> 12 & 0x3F))
                bytes.append(UInt8(truncatingIfNeeded: 0x80 | value >> 6 & 0x3F))
                bytes.append(UInt8(truncatingIfNeeded: 0x80 | value & 0x3F))
                origins.append(origin); origins.append(origin); origins.append(origin); origins.append(origin)
            }
        }
        origins.append(Int32(truncatingIfNeeded: scalars.count))
    }
}
