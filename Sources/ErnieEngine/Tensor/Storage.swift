/// A float buffer shared by a tensor and its views; returned to the pool when the last one goes.
public final class Storage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let capacity: Int
    private let pooled: Bool

    /// A pooled buffer of at least `count` floats, uninitialised.
    init(uninitializedCount count: Int) {
        (base, capacity) = BufferPool.shared.take(capacity: BufferPool.roundedCapacity(count))
        self.pooled = true
    }

    /// Wraps memory someone else owns (e.g. a memory-mapped checkpoint); never freed here.
    init(borrowing base: UnsafeMutablePointer<Float>, count: Int) {
        self.base = base
        self.capacity = count
        self.pooled = false
    }

    deinit {
        if pooled { BufferPool.shared.give(base, capacity: capacity) }
    }
}
