/// Hooks for ops defined outside the engine (e.g. the fine-tuning CRF): they run their own forward kernels on public
/// tensors and record a backward step here, following the engine's rule that backward steps accumulate (+=).
extension Graph {
    /// Whether an op with these inputs must record a backward step.
    public func needsBackward(_ inputs: [Tensor]) -> Bool { needsGradient(inputs) }

    /// Records `step` to run during `backward`; it receives d(loss)/d(output) and a function returning an input's
    /// gradient buffer (zero-filled on first use) to accumulate into.
    public func recordBackward(of output: Tensor, _ step: @escaping (_ outputGradient: Tensor, _ gradientOf: (Tensor) -> Tensor) -> Void) {
        let outputSlot = output.slot
        record(output) { [unowned self] in
            step(self.gradient(of: outputSlot), { self.gradient(of: $0) })
        }
    }
}
