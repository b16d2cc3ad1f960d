import CShims

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

    /// Rounds `count` floats to bfloat16 (AVX512-BF16 or AVX2 as the CPU has them; in parallel).
    public static func convert(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<UInt16>, count: Int) {
        parallelFor(count, grain: 1 << 16) { range in
            ernie_f32_to_bf16(source + range.lowerBound, destination + range.lowerBound, Int64(range.count))
        }
    }

    /// Widens `count` bfloat16 values to float32 (exact; in parallel).
    public static func convert(_ source: UnsafePointer<UInt16>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        parallelFor(count, grain: 1 << 16) { range in
            ernie_bf16_to_f32(source + range.lowerBound, destination + range.lowerBound, Int64(range.count))
        }
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
