/// bfloat16 as raw `UInt16` bits: the top half of a float32, rounded to nearest even.
public enum BFloat16 {
    @inline(__always)
    public static func bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x40) }  // stay NaN (quiet)
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    @inline(__always)
    public static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Rounds `count` floats to bfloat16 (vectorised, in parallel).
    public static func convert(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<UInt16>, count: Int) {
        parallelFor(count, grain: 1 << 16) { range in
            var i = range.lowerBound
            while i + 16 <= range.upperBound {
                let bits = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<UInt32>.self)
                let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
                UnsafeMutableRawPointer(destination + i).storeBytes(
                    of: SIMD16<UInt16>(truncatingIfNeeded: rounded), as: SIMD16<UInt16>.self)
                i += 16
            }
            while i < range.upperBound {
                destination[i] = bits(source[i])
                i += 1
            }
        }
    }

    /// Widens `count` bfloat16 values to float32.
    public static func convert(_ source: UnsafePointer<UInt16>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { destination[i] = float(source[i]) }
    }
}

/// A bfloat16 copy of a float32 buffer (e.g. a weight matrix for the AMX GEMM), in pooled memory so per-step
/// copies cost no heap allocation after the first step.
public final class BFloat16Buffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<UInt16>
    public let count: Int
    private let storage: Storage

    public init(count: Int) {
        self.count = count
        storage = Storage(uninitializedCount: (count + 1) / 2)
        pointer = UnsafeMutableRawPointer(storage.base).bindMemory(to: UInt16.self, capacity: max(1, count))
    }

    /// Rounds `source` into this buffer.
    public func update(from source: UnsafePointer<Float>) {
        BFloat16.convert(source, to: pointer, count: count)
    }
}
