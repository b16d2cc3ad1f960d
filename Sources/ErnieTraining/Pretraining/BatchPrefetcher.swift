import ErnieData
import Foundation

/// Builds the micro-batches of the coming steps on background threads while the current step computes.
/// Batches are produced by index, so the order (and every sample) is the same with any number of workers.
final class BatchPrefetcher: @unchecked Sendable {
    let dataset: any PretrainingSampleSource
    let sampler: BatchSampler
    let workers: Int
    /// How many micro-batches ahead to build.
    let depth: Int
    private let lock = NSLock()
    private var ready: [Int: Result<PretrainingBatch, Error>] = [:]
    private var requested: Set<Int> = []
    private let queue = DispatchQueue(label: "ernie.prefetch", attributes: .concurrent)
    private let arrived = NSCondition()

    init(dataset: any PretrainingSampleSource, sampler: BatchSampler, workers: Int, depth: Int = 4) {
        self.dataset = dataset
        self.sampler = sampler
        self.workers = workers
        self.depth = depth
    }

    /// Micro-batch `index` after the sampler's start (blocking until it is built).
    func batch(_ index: Int) throws -> PretrainingBatch {
        guard index < sampler.count else {
            throw TrainingError.missingInput("the train split ran out of samples at micro-batch \(index) (it holds \(sampler.count))")
        }
        guard workers > 0 else { return try build(index) }
        for ahead in index..<min(sampler.count, index + depth) { request(ahead) }
        arrived.lock()
        defer { arrived.unlock() }
        while true {
            lock.lock()
            let result = ready.removeValue(forKey: index)
            lock.unlock()
            if let result { return try result.get() }
            arrived.wait()
        }
    }

    private func request(_ index: Int) {
        lock.lock()
        let isNew = requested.insert(index).inserted
        lock.unlock()
        guard isNew else { return }
        queue.async {
            let result = Result { try self.build(index) }
            self.lock.lock()
            self.ready[index] = result
            self.lock.unlock()
            self.arrived.lock()
            self.arrived.broadcast()
            self.arrived.unlock()
        }
    }

    private func build(_ index: Int) throws -> PretrainingBatch {
        let samples = try sampler.indices(ofBatch: index).map { try dataset.sample(at: $0) }
        return PretrainingBatch(samples: samples)
    }
}
