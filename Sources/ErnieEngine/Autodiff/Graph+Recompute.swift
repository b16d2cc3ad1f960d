/// Activation recomputation ("gradient checkpointing", PaddleNLP's `--use_recompute`).
extension Graph {
    /// Runs `block` without keeping its inner activations; the backward pass runs it again, with the same dropout
    /// masks (the random stream is replayed from the same counter), and differentiates that replay. Memory then holds
    /// one block's activations at a time instead of every block's, for about one extra forward pass of compute.
    ///
    /// `block` must be a pure function of its input, the parameters and the graph's random stream.
    public func recompute(_ input: Tensor, _ block: @escaping (Graph, Tensor) throws -> Tensor) throws -> Tensor {
        guard recordsGradients else { return try block(self, input) }
        let start = random
        let forward = Graph(training: isTraining, recordsGradients: false, precision: precision, random: start)
        let output = try block(forward, input)
        random = forward.random
        let isTraining = self.isTraining, precision = self.precision, outputSlot = output.slot
        record(output) { [unowned self] in
            let replay = Graph(training: isTraining, recordsGradients: true, precision: precision, random: start)
            let alias = Tensor(shape: input.shape, strides: input.strides, offset: input.offset, storage: input.storage,
                               requiresGrad: input.requiresGrad)
            do {
                let again = try block(replay, alias)
                try replay.backward(from: again, gradient: self.gradient(of: outputSlot))
            } catch {
                preconditionFailure("recomputing a block that ran in the forward pass failed: \(error)")
            }
            if input.requiresGrad, let grad = alias.grad {
                accumulate(self.gradient(of: input).data, grad.data, count: input.count)
            }
        }
        return output
    }
}
