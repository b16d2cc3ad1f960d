import Foundation

/// A fixed pool of threads that transforms submitted items and hands the results back in submission order, with at
/// most `capacity` items in flight (so memory stays bounded however large the input).
///
/// Each thread owns one worker value (`makeWorker(threadIndex)`), e.g. an encoder with its scratch buffers. `submit`
/// and `finish` are called from one thread, which also receives every result through `deliver`.
final class OrderedWorkers<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [(sequence: Int, input: Input)] = []
    private var pendingHead = 0
    private var results: [Int: Output] = [:]
    private var nextSubmitted = 0
    private var nextDelivered = 0
    private var closing = false
    private var running = 0
    private let capacity: Int

    /// - Parameters:
    ///   - threads: worker threads (≥ 1).
    ///   - capacity: items submitted but not yet delivered, at most (≥ threads).
    ///   - makeWorker: called once on each worker thread; the closure it returns processes that thread's items.
    init(threads: Int, capacity: Int, makeWorker: @escaping @Sendable (Int) -> (Input) -> Output) {
        precondition(threads >= 1 && capacity >= threads)
        self.capacity = capacity
        running = threads
        for index in 0..<threads {
            let thread = Thread { [self] in
                let work = makeWorker(index)
                self.loop(work)
            }
            thread.name = "ernie-prepare-\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func loop(_ work: (Input) -> Output) {
        while true {
            condition.lock()
            while pendingHead == pending.count && !closing { condition.wait() }
            if pendingHead == pending.count {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let item = pending[pendingHead]
            pendingHead += 1
            if pendingHead > 64 && pendingHead * 2 > pending.count {
                pending.removeFirst(pendingHead)
                pendingHead = 0
            }
            condition.unlock()
            let output = work(item.input)
            condition.lock()
            results[item.sequence] = output
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Queues `input`; first delivers finished results in order, waiting while `capacity` items are in flight.
    func submit(_ input: Input, deliver: (Output) throws -> Void) throws {
        try deliverReady(waitingBelow: capacity, deliver: deliver)
        condition.lock()
        pending.append((nextSubmitted, input))
        nextSubmitted += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Delivers every remaining result in order and stops the threads.
    func finish(deliver: (Output) throws -> Void) throws {
        defer { close() }
        try deliverReady(waitingBelow: 1, deliver: deliver)
    }

    /// Stops the threads once the queue is drained (also on errors: pending items are dropped).
    func close() {
        condition.lock()
        if !closing {
            closing = true
            pending.removeAll()
            pendingHead = 0
        }
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    /// Delivers results in order until fewer than `limit` items are in flight.
    private func deliverReady(waitingBelow limit: Int, deliver: (Output) throws -> Void) throws {
        while true {
            condition.lock()
            var ready: Output? = results.removeValue(forKey: nextDelivered)
            while ready == nil && nextSubmitted - nextDelivered >= limit {
                condition.wait()
                ready = results.removeValue(forKey: nextDelivered)
            }
            condition.unlock()
            guard let output = ready else { return }
            nextDelivered += 1
            try deliver(output)
        }
    }
}
