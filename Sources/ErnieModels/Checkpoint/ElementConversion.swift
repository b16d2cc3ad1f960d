import Foundation

/// Little-endian raw tensor bytes → Float / Int64. Sources may be unaligned (safetensors only pads the header),
/// so every load is `loadUnaligned`.
enum ElementConversion {
    /// IEEE binary16 → binary32, exact for every value (subnormals, infinities, NaN payloads).
    @inline(__always)
    static func float(fromHalf bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa · 2⁻²⁴, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// bfloat16 is the upper half of a binary32.
    @inline(__always)
    static func float(fromBFloat16 bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Converts `count` elements of `dtype` at `source` into `destination` (which holds at least `count`).
    /// - Precondition: `dtype.isConvertibleToFloat`.
    static func convertToFloat(
        _ source: UnsafeRawPointer, dtype: SafetensorsDType, count: Int, into destination: UnsafeMutablePointer<Float>
    ) {
        switch dtype {
        case .float32:
            memcpy(destination, source, count * 4)
        case .float16:
            for index in 0..<count {
                destination[index] = float(fromHalf: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
            }
        case .bfloat16:
            for index in 0..<count {
                destination[index] = float(fromBFloat16: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
            }
        case .float64:
            for index in 0..<count {
                destination[index] = Float(source.loadUnaligned(fromByteOffset: 8 * index, as: Double.self))
            }
        default:
            preconditionFailure("\(dtype) is not a float dtype")
        }
    }

    /// Converts `count` integer (or bool) elements to Int64.
    /// - Precondition: `dtype.isConvertibleToInteger`.
    static func convertToInt64(_ source: UnsafeRawPointer, dtype: SafetensorsDType, count: Int) -> [Int64] {
        [Int64](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                buffer[index] =
                    switch dtype {
                    case .int64: source.loadUnaligned(fromByteOffset: 8 * index, as: Int64.self)
                    case .int32: Int64(source.loadUnaligned(fromByteOffset: 4 * index, as: Int32.self))
                    case .int16: Int64(source.loadUnaligned(fromByteOffset: 2 * index, as: Int16.self))
                    case .uint16: Int64(source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                    case .uint32: Int64(source.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
                    case .int8: Int64(source.load(fromByteOffset: index, as: Int8.self))
                    case .uint8, .bool: Int64(source.load(fromByteOffset: index, as: UInt8.self))
                    default: preconditionFailure("\(dtype) is not an integer dtype")
                    }
            }
            initialized = count
        }
    }
}
