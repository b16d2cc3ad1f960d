import Synchronization

/// Recycles float buffers by size, so a steady-state training step, which asks for the same sizes every time,
/// allocates no activation memory from the heap after its first step.
///
/// Buffers are 64-byte aligned (AVX-512 lines). Sizes are rounded up to 16 floats.
final class BufferPool: Sendable {
    static let shared = BufferPool()

    /// Free buffers by capacity, as addresses (pointers are not Sendable).
    private let free = Mutex<[Int: [UInt]]>([:])
    private let stats = Mutex<(allocations: Int, reuses: Int)>((0, 0))

    static func roundedCapacity(_ count: Int) -> Int { max(16, (count + 15) & ~15) }

    func take(capacity: Int) -> UnsafeMutablePointer<Float> {
        let reused = free.withLock { free -> UInt? in free[capacity]?.popLast() }
        stats.withLock { reused == nil ? ($0.allocations += 1) : ($0.reuses += 1) }
        let raw = reused.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
            ?? UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: capacity)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        let address = UInt(bitPattern: pointer)
        free.withLock { $0[capacity, default: []].append(address) }
    }

    /// Heap allocations and pool reuses so far (tests check that a steady step allocates nothing).
    var counters: (allocations: Int, reuses: Int) { stats.withLock { $0 } }
}
