import ErnieEngine
import ErnieModels

/// Runs a collective over many tensors in few calls: small tensors are packed into buckets of about `bucketScalars`
/// floats (one call per bucket, then unpacked); a tensor at least that large is handed over in place. MPI's per-call
/// latency then matters little, and no buffer larger than one bucket is ever allocated.
final class BucketedCollective {
    let bucketScalars: Int
    private let bucket: UnsafeMutablePointer<Float>

    init(bucketScalars: Int = 1 << 22) {
        precondition(bucketScalars > 0)
        self.bucketScalars = bucketScalars
        bucket = .allocate(capacity: bucketScalars)
    }

    deinit { bucket.deallocate() }

    /// Calls `collective(pointer, count)` over the contents of `tensors` (contiguous) and writes the results back.
    func run(_ tensors: [Tensor], _ collective: (UnsafeMutablePointer<Float>, Int) -> Void) {
        var pending: [Tensor] = []
        var filled = 0
        func flush() {
            guard filled > 0 else { return }
            var at = 0
            for tensor in pending {
                (bucket + at).update(from: tensor.data, count: tensor.count)
                at += tensor.count
            }
            collective(bucket, filled)
            at = 0
            for tensor in pending {
                tensor.data.update(from: bucket + at, count: tensor.count)
                at += tensor.count
            }
            pending.removeAll(keepingCapacity: true)
            filled = 0
        }
        for tensor in tensors {
            precondition(tensor.isContiguous, "collectives need contiguous tensors")
            if tensor.count >= bucketScalars {
                collective(tensor.data, tensor.count)
                continue
            }
            if filled + tensor.count > bucketScalars { flush() }
            pending.append(tensor)
            filled += tensor.count
        }
        flush()
    }
}

/// Data-parallel gradient and parameter exchange for one model.
final class DataParallelExchange {
    let group: ProcessGroup
    let bucketScalars: Int
    /// Made on first use: a single-rank run never allocates it.
    private lazy var buckets = BucketedCollective(bucketScalars: bucketScalars)

    init(group: ProcessGroup, bucketScalars: Int = 1 << 22) {
        self.group = group
        self.bucketScalars = bucketScalars
    }

    /// Sums every parameter gradient over the ranks, last parameters first (the order the backward pass finishes
    /// them, as PyTorch's DDP buckets them). Every rank has the same parameters with gradients, so the calls match.
    func allReduceGradients(_ parameters: ParameterStore) {
        guard group.isDistributed else { return }
        let gradients = parameters.ordered.reversed().compactMap { $0.tensor.grad }
        buckets.run(gradients) { group.allReduceSum($0, count: $1) }
    }

    /// Rank `root`'s values of `parameters` to every rank.
    func broadcast(_ parameters: ParameterStore, root: Int) {
        guard group.isDistributed else { return }
        buckets.run(parameters.ordered.map(\.tensor)) { group.broadcast($0, bytes: $1 * MemoryLayout<Float>.stride, root: root) }
    }
}
