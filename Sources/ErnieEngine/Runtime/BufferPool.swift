import Glibc

/// Recycles float buffers by size class, so a steady-state training step, which asks for the same sizes every time,
/// allocates no activation memory from the heap after its first step.
///
/// Buffers are 64-byte aligned (AVX-512 lines). Sizes are rounded up to 16 floats, and above 4096 floats to one of
/// four classes per power of two (at most 25% slack); a request may also take a free buffer up to two classes larger
/// (at most ≈ 1.5× its size). Batches of varying lengths (fine-tuning, length grouping) then share buffers instead of each length keeping its own.
///
/// The pool's footprint (free + in use) is bounded by 1.25 × the peak in use (at least `minimumRetained` bytes): a new
/// buffer that would pass it first frees free ones, largest first. A steady step (all its buffers in use at its peak)
/// is served entirely from the pool; shapes that keep changing cannot make it grow. Buffers of 1 MB and more are
/// mapped from the kernel directly and unmapped when freed: through malloc, whose threshold for that adapts upwards,
/// they landed in its arenas and came back fragmented (a length-grouped fine-tuning run grew to 3.4 GB resident
/// with a 1.3 GB pool).
public final class BufferPool: Sendable {
    static let shared = BufferPool()

    private struct State {
        /// Free buffers by capacity, as addresses (pointers are not Sendable).
        var buffers: [Int: [UInt]] = [:]
        var freeBytes = 0
        var inUseBytes = 0
        var peakInUseBytes = 0
    }

    private let state = Locked(State())
    private let stats = Locked<(allocations: Int, reuses: Int)>((0, 0))
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

    /// How many size classes above the one asked for a free buffer may come from (2: up to ≈ 1.5× the size). Not 4
    /// (twice): a bf16 copy kept for the backward pass would then take the float32 buffer of the same shape that the
    /// forward pass just freed, holding twice its size (BERT-base bf16 training: 3.2 GB peak instead of 2.9).
    static let largerClassesReused = 2

    /// Buffers of at least this many bytes are mapped and unmapped directly (see the type's comment).
    static let mappedBytes = 1 << 20

    /// A buffer of at least `capacity` floats (a rounded size class): a free one of that class or of one of the next
    /// `largerClassesReused` classes, else a new one. Returns the buffer's actual capacity, which `give` must be passed.
    func take(capacity: Int) -> (base: UnsafeMutablePointer<Float>, capacity: Int) {
        var evicted: [(address: UInt, capacity: Int)] = []
        let reused = state.withLock { state -> (address: UInt, capacity: Int)? in
            var candidate = capacity
            for _ in 0...(capacity > 4096 ? Self.largerClassesReused : 0) {
                if let address = state.buffers[candidate]?.popLast() {
                    if state.buffers[candidate]!.isEmpty { state.buffers[candidate] = nil }
                    state.freeBytes -= candidate * 4
                    state.inUseBytes += candidate * 4
                    state.peakInUseBytes = max(state.peakInUseBytes, state.inUseBytes)
                    return (address, candidate)
                }
                candidate = Self.roundedCapacity(candidate + 1)
            }
            state.inUseBytes += capacity * 4
            state.peakInUseBytes = max(state.peakInUseBytes, state.inUseBytes)
            let limit = max(minimumRetained, state.peakInUseBytes + state.peakInUseBytes / 4)
            if state.freeBytes + state.inUseBytes > limit {
                for size in state.buffers.keys.sorted(by: >) {
                    while state.freeBytes + state.inUseBytes > limit, let address = state.buffers[size]?.popLast() {
                        evicted.append((address, size))
                        state.freeBytes -= size * 4
                    }
                    if state.buffers[size]?.isEmpty == true { state.buffers[size] = nil }
                    if state.freeBytes + state.inUseBytes <= limit { break }
                }
            }
            return nil
        }
        for buffer in evicted { Self.release(UnsafeMutableRawPointer(bitPattern: buffer.address)!, bytes: buffer.capacity * 4) }
        stats.withLock { reused == nil ? ($0.allocations += 1) : ($0.reuses += 1) }
        if let reused, let raw = UnsafeMutableRawPointer(bitPattern: reused.address) {
            return (raw.bindMemory(to: Float.self, capacity: reused.capacity), reused.capacity)
        }
        return (Self.allocate(bytes: capacity * 4).bindMemory(to: Float.self, capacity: capacity), capacity)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        state.withLock { state in
            state.inUseBytes -= capacity * 4
            state.buffers[capacity, default: []].append(UInt(bitPattern: pointer))
            state.freeBytes += capacity * 4
        }
    }

    private static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        guard bytes >= mappedBytes else { return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64) }
        guard let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else {
            fatalError("out of memory: could not map \(bytes >> 20) MB for a tensor buffer (errno \(errno))")
        }
        // Huge pages where the system offers them on request: fewer page faults and TLB misses on big activations.
        if bytes >= 4 << 20 { _ = madvise(mapped, bytes, MADV_HUGEPAGE) }
        return mapped
    }

    private static func release(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        if bytes >= mappedBytes { munmap(pointer, bytes) } else { pointer.deallocate() }
    }

    /// Bytes of free buffers the pool holds.
    var retainedBytes: Int { state.withLock { $0.freeBytes } }

    /// The most bytes of tensor buffers in use at once so far.
    var peakInUseBytes: Int { state.withLock { $0.peakInUseBytes } }

    /// The peak bytes of tensor memory in use at once in this process (activations, gradients, optimizer state and
    /// bf16 copies; not memory-mapped checkpoints), for benchmarks' memory reports.
    public static var tensorPeakBytes: Int { shared.peakInUseBytes }

    /// Heap allocations and pool reuses so far (tests check that a steady step allocates nothing).
    var counters: (allocations: Int, reuses: Int) { stats.withLock { $0 } }
}
