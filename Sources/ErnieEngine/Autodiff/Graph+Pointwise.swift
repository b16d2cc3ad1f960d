/// Pointwise ops: activations, sums, scaling, dropout.

/// Activation functions by their Hugging Face `hidden_act` names.
public enum Activation: String, Sendable, Codable, CaseIterable {
    /// Exact erf form.
    case gelu
    /// tanh approximation.
    case geluNew = "gelu_new"
    case relu
    case tanh
}

extension Graph {
    public func activation(_ x: Tensor, _ function: Activation) -> Tensor {
        let x = x.contiguous()
        let y = Tensor(uninitializedShape: x.shape)
        let n = x.count
        activationForward(y.data, x.data, count: n, function)
        guard needsGradient(x) else { return y }
        // tanh's derivative reads its output, the others their input; the other tensor is not kept. A bf16 graph keeps
        // the input in bf16, as autocast does (the matmul before it returns bf16 there): the derivative is taken at
        // the rounded input, the forward value is not rounded.
        let keepsBFloat16 = precision == .bf16 && function != .tanh
        let saved: Tensor? = keepsBFloat16 ? nil : function == .tanh ? y : x
        let saved16 = keepsBFloat16 ? transientBFloat16(x) : nil
        let xSlot = x.slot, ySlot = y.slot
        record(y) { [unowned self] in
            let dy = self.gradient(of: ySlot).data
            let (dxTensor, beta) = self.gradientForWriting(of: xSlot)
            let dx = dxTensor.data, accumulate = beta != 0
            let saved = saved ?? {
                let widened = Tensor(uninitializedShape: [n])
                BFloat16.convert(saved16!.pointer, to: widened.data, count: n)
                return widened
            }()
            activationBackward(dx, dy, saved: saved.data, count: n, function, accumulate: accumulate)
        }
        return y
    }

    public func gelu(_ x: Tensor) -> Tensor { activation(x, .gelu) }
    public func relu(_ x: Tensor) -> Tensor { activation(x, .relu) }
    public func tanh(_ x: Tensor) -> Tensor { activation(x, .tanh) }

    /// a + b (same shapes; residual connections).
    public func add(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.shape == b.shape else { throw TensorError.shapeMismatch(operation: "add", expected: a.shape, actual: b.shape) }
        let a = a.contiguous(), b = b.contiguous()
        let y = Tensor(uninitializedShape: a.shape)
        addForward(y.data, a.data, b.data, count: y.count)
        guard needsGradient(a, b) else { return y }
        let aSlot = a.slot, bSlot = b.slot, ySlot = y.slot, count = y.count
        record(y) { [unowned self] in
            let dy = self.gradient(of: ySlot).data
            if aSlot.requiresGrad { self.accumulateGradient(of: aSlot, dy, count: count) }
            if bSlot.requiresGrad { self.accumulateGradient(of: bSlot, dy, count: count) }
        }
        return y
    }

    /// alpha · x.
    public func scale(_ x: Tensor, by alpha: Float) -> Tensor {
        let x = x.contiguous()
        let y = Tensor(uninitializedShape: x.shape)
        scaleForward(y.data, x.data, count: x.count, by: alpha)
        guard needsGradient(x) else { return y }
        let xSlot = x.slot, ySlot = y.slot, count = x.count
        record(y) { [unowned self] in
            self.accumulateGradient(of: xSlot, self.gradient(of: ySlot).data, count: count, scale: alpha)
        }
        return y
    }

    /// Inverted dropout (identity when not training or p = 0). The mask comes from the graph's random stream.
    public func dropout(_ x: Tensor, probability p: Float) throws -> Tensor {
        guard p >= 0 && p < 1 else { throw GraphError.invalidArgument("dropout probability \(p) is not in [0, 1)") }
        guard isTraining && p > 0 else { return x }
        let x = x.contiguous()
        let y = Tensor(uninitializedShape: x.shape)
        let (seed, counter) = reserveRandom(x.count)
        dropoutForward(y.data, x.data, count: x.count, probability: p, seed: seed, counter: counter)
        guard needsGradient(x) else { return y }
        let xSlot = x.slot, ySlot = y.slot, count = x.count
        record(y) { [unowned self] in
            self.accumulateDroppedGradient(of: xSlot, self.gradient(of: ySlot).data, count: count, probability: p,
                                           seed: seed, counter: counter)
        }
        return y
    }

    /// Adds dy · keep / (1 − p), dropout's backward with the mask of (seed, counter), to the slot's gradient; a first
    /// contribution is written (the forward pass applied to dy), not added to zeros.
    func accumulateDroppedGradient(of slot: GradientSlot, _ dy: UnsafePointer<Float>, count: Int, probability p: Float,
                                   seed: UInt64, counter: UInt64) {
        let (dx, beta) = gradientForWriting(of: slot)
        if beta == 0 {
            dropoutForward(dx.data, dy, count: count, probability: p, seed: seed, counter: counter)
        } else {
            dropoutBackward(dx.data, dy, count: count, probability: p, seed: seed, counter: counter)
        }
    }

    /// Σ of all elements → a scalar [1].
    public func sum(_ x: Tensor) -> Tensor {
        let x = x.contiguous()
        let y = Tensor(shape: [1], repeating: Float(sumAll(x.data, count: x.count)))
        guard needsGradient(x) else { return y }
        let xSlot = x.slot, ySlot = y.slot
        record(y) { [unowned self] in
            let g = self.gradient(of: ySlot).data[0]
            let dx = self.gradient(of: xSlot)
            mapLanes(xSlot.count) { offset, available in
                storeLanes(loadLanes(dx.data + offset, available) + g, dx.data + offset, available)
            }
        }
        return y
    }

    /// Mean of all elements → a scalar [1].
    public func mean(_ x: Tensor) -> Tensor { scale(sum(x), by: 1 / Float(max(1, x.count))) }

    /// The same elements under a new shape; gradients flow back unchanged.
    public func reshape(_ x: Tensor, _ shape: [Int]) throws -> Tensor {
        let source = x.contiguous()
        let view = try source.reshaped(shape)
        let y = Tensor(shape: view.shape, strides: view.strides, offset: view.offset, storage: view.storage)
        guard needsGradient(source) else { return y }
        let sourceSlot = source.slot, ySlot = y.slot, count = y.count
        record(y) { [unowned self] in
            accumulate(self.gradient(of: sourceSlot).data, self.gradient(of: ySlot).data, count: count)
        }
        return y
    }
}

/// Errors in arguments users pass to graph ops.
public enum GraphError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case indexOutOfRange(operation: String, index: Int, position: Int, limit: Int)

    public var description: String {
        switch self {
        case .invalidArgument(let message): message
        case .indexOutOfRange(let operation, let index, let position, let limit):
            "\(operation): index \(index) at position \(position) is outside [0, \(limit))"
        }
    }
}
