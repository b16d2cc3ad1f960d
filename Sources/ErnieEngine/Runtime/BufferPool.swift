import Synchronization

/// Recycles float buffers by size class, so a steady-state training step, which asks for the same sizes every time,
/// allocates no activation memory from the heap after its first step.
///
/// Buffers are 64-byte aligned (AVX-512 lines). Sizes are rounded up to 16 floats, and above 4096 floats to one of
/// four classes per power of two (at most 25% slack): batches of varying lengths (fine-tuning, length grouping)
/// then share buffers instead of each length keeping its own set. The pool keeps free buffers up to the peak of
/// memory in use (at least `minimumRetained` bytes) and gives the rest back to the heap: a steady step (whose buffers
/// are all in use at its peak) is served entirely from the pool, and shapes that keep changing cannot make it grow.
final class BufferPool: Sendable {
    static let shared = BufferPool()

    private struct State {
        /// Free buffers by capacity, as addresses (pointers are not Sendable).
        var buffers: [Int: [UInt]] = [:]
        var freeBytes = 0
        var inUseBytes = 0
        var peakInUseBytes = 0
    }

    private let state = Mutex(State())
    private let stats = Mutex<(allocations: Int, reuses: Int)>((0, 0))
    let minimumRetained: Int

    init(minimumRetained: Int = 256 << 20) {
        self.minimumRetained = minimumRetained
    }

    static func roundedCapacity(_ count: Int) -> Int {
        let small = max(16, (count + 15) & ~15)
        guard small > 4096 else { return small }
        let quarter = 1 << (Int.bitWidth - small.leadingZeroBitCount - 3)  // a quarter of the power of two below
        return (small + quarter - 1) / quarter * quarter
    }

    func take(capacity: Int) -> UnsafeMutablePointer<Float> {
        let reused = state.withLock { state -> UInt? in
            state.inUseBytes += capacity * 4
            state.peakInUseBytes = max(state.peakInUseBytes, state.inUseBytes)
            guard let address = state.buffers[capacity]?.popLast() else { return nil }
            state.freeBytes -= capacity * 4
            return address
        }
        stats.withLock { reused == nil ? ($0.allocations += 1) : ($0.reuses += 1) }
        let raw = reused.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
            ?? UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: capacity)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        let address = UInt(bitPattern: pointer)
        let kept = state.withLock { state -> Bool in
            state.inUseBytes -= capacity * 4
            guard state.freeBytes + capacity * 4 <= max(minimumRetained, state.peakInUseBytes) else { return false }
            state.buffers[capacity, default: []].append(address)
            state.freeBytes += capacity * 4
            return true
        }
        if !kept { UnsafeMutableRawPointer(pointer).deallocate() }
    }

    /// Bytes of free buffers the pool holds.
    var retainedBytes: Int { state.withLock { $0.freeBytes } }

    /// Heap allocations and pool reuses so far (tests check that a steady step allocates nothing).
    var counters: (allocations: Int, reuses: Int) { stats.withLock { $0 } }
}
