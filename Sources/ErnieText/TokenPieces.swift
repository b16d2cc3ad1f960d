/// Token ids with their character offsets, in struct-of-arrays form for hot loops (no `String` per token).
///
/// Offsets count Unicode scalars of the original text (Python string indices), half-open: `starts[i]..<ends[i]`.
public struct TokenPieces: Sendable, Equatable {
    public var ids: [Int32] = []
    public var starts: [Int32] = []
    public var ends: [Int32] = []

    public init() {}

    public var count: Int { ids.count }

    public mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    public mutating func append(_ id: Int32, _ start: Int32, _ end: Int32) {
        ids.append(id)
        starts.append(start)
        ends.append(end)
    }

    /// Appends tokens in bulk (one uniqueness check per array instead of one per token).
    @inline(__always)
    public mutating func append(ids newIds: UnsafeBufferPointer<Int32>, starts newStarts: UnsafeBufferPointer<Int32>,
                                ends newEnds: UnsafeBufferPointer<Int32>) {
        ids.append(contentsOf: newIds)
        starts.append(contentsOf: newStarts)
        ends.append(contentsOf: newEnds)
    }

    mutating func truncate(to count: Int) {
        ids.removeSubrange(count...)
        starts.removeSubrange(count...)
        ends.removeSubrange(count...)
    }

    /// Offsets as ranges.
    public var offsets: [Range<Int>] { zip(starts, ends).map { Int($0)..<Int($1) } }
}
