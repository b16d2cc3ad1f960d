/// A record of one forward pass, for reverse-mode differentiation.
///
/// Each op (`linear`, `layerNorm`, `attention`, …) runs its forward kernel at once and, when any input requires a
/// gradient and the graph records, appends a closure that runs the op's hand-written backward kernel. `backward(from:)`
/// runs the closures in reverse. The graph keeps the activations its closures need alive until their backward step has
/// run; dropping the graph returns the rest to the buffer pool, so the next step reuses the same memory.
///
/// Gradient rule (written once): backward kernels accumulate (`+=`) into every gradient. Parameter gradients therefore
/// sum over micro-batches until the optimizer zeroes them; activation gradients start from zero for each graph.
public final class Graph {
    /// Dropout is active.
    public let isTraining: Bool
    /// Backward closures are recorded (false: inference, "no-grad").
    public let recordsGradients: Bool
    /// The precision of the products in `linear` and `matmul`.
    public var precision: MatmulPrecision
    /// Dropout masks draw from this stream; its counter advances by the elements each dropout covers.
    public internal(set) var random: RandomGenerator

    /// bf16 weight copies shared by many graphs (inference converts each weight once, not per forward pass).
    public let weightCache: WeightCache?

    private var backwardSteps: [(output: GradientSlot, step: () -> Void)] = []
    private var perGraphWeights: WeightCache?
    private var latestActivation: (tensor: Tensor, buffer: BFloat16Buffer)?
    private var bfloat16Copies: [ObjectIdentifier: (slot: GradientSlot, buffer: BFloat16Buffer)] = [:]

    public init(training: Bool, recordsGradients: Bool? = nil, precision: MatmulPrecision = .fp32,
                random: RandomGenerator = RandomGenerator(seed: 0), weightCache: WeightCache? = nil) {
        self.isTraining = training
        self.recordsGradients = recordsGradients ?? training
        self.precision = precision
        self.random = random
        self.weightCache = weightCache
    }

    /// An inference graph: no dropout, nothing recorded. Pass one `weightCache` to every bf16 inference graph of a
    /// model whose weights do not change.
    public static func inference(precision: MatmulPrecision = .fp32, weightCache: WeightCache? = nil) -> Graph {
        Graph(training: false, recordsGradients: false, precision: precision, weightCache: weightCache)
    }

    /// Whether an op with these inputs needs a backward step.
    func needsGradient(_ inputs: Tensor?...) -> Bool {
        recordsGradients && inputs.contains { $0?.requiresGrad == true }
    }

    /// Marks `output` as differentiable and records `step` to run during `backward`. The step should capture the
    /// tensors whose values it reads and only the slots (`Tensor.slot`) of the others, so that activations no step
    /// reads are freed after the forward pass.
    func record(_ output: Tensor, _ step: @escaping () -> Void) {
        output.requiresGrad = true
        backwardSteps.append((output.slot, step))
    }

    /// Reserves `count` numbers of the dropout stream.
    func reserveRandom(_ count: Int) -> (seed: UInt64, counter: UInt64) {
        (random.seed, random.reserve(count))
    }

    /// Runs every recorded backward step, last first, starting from d(loss)/d(output) = `seed` (a scalar output).
    public func backward(from output: Tensor, seed: Float = 1) {
        precondition(output.count == 1, "backward starts from a scalar; got \(output.shape)")
        gradient(of: output).data[0] += seed
        runBackwardSteps()
    }

    /// Runs the backward pass from a given d(loss)/d(output) of any shape (vector–Jacobian product).
    public func backward(from output: Tensor, gradient outputGradient: Tensor) throws {
        try outputGradient.expectShape(output.shape, "backward seed gradient")
        accumulate(gradient(of: output).data, outputGradient.contiguous().data, count: output.count)
        runBackwardSteps()
    }

    /// Every op that reads an output was recorded after the op that made it, so when an output's own step has run
    /// nothing needs its gradient or its bf16 copy again: both are released then, and the step with the activations it
    /// saved. Memory falls during the backward pass (as in PyTorch's autograd) instead of holding every activation
    /// and every activation gradient to the end. Gradients of leaves (parameters, inputs) stay.
    private func runBackwardSteps() {
        while let (output, step) = backwardSteps.popLast() {
            step()
            output.gradient = nil
            bfloat16Copies[ObjectIdentifier(output)] = nil
        }
    }

    /// The number of recorded backward steps (for tests).
    public var recordedSteps: Int { backwardSteps.count }

    /// The gradient buffer of a tensor (`slot`), created zero-filled on first use.
    func gradient(of slot: GradientSlot) -> Tensor {
        if let grad = slot.gradient { return grad }
        let grad = Tensor(shape: slot.shape, repeating: 0)
        slot.gradient = grad
        return grad
    }

    func gradient(of tensor: Tensor) -> Tensor { gradient(of: tensor.slot) }

    /// The gradient buffer for an operation that writes all of it: a new buffer is not zero-filled, and `beta` (0 for
    /// a new buffer, 1 for an existing one) tells a GEMM whether to overwrite or accumulate.
    func gradientForWriting(of slot: GradientSlot) -> (gradient: Tensor, beta: Float) {
        if let grad = slot.gradient { return (grad, 1) }
        let grad = Tensor(uninitializedShape: slot.shape)
        slot.gradient = grad
        return (grad, 0)
    }

    /// Adds alpha · `contribution` [count] to the slot's gradient; a first contribution is written, not added to zeros.
    func accumulateGradient(of slot: GradientSlot, _ contribution: UnsafePointer<Float>, count: Int, scale alpha: Float = 1) {
        let (gradient, beta) = gradientForWriting(of: slot)
        if beta == 0 {
            scaleForward(gradient.data, contribution, count: count, by: alpha)
        } else {
            accumulate(gradient.data, contribution, count: count, scale: alpha)
        }
    }

    /// A bfloat16 copy of a weight: from the shared cache when there is one, else made once per graph.
    func bfloat16Weight(_ tensor: Tensor) -> UnsafePointer<UInt16> {
        weightCache?.bfloat16(tensor) ?? bfloat16(tensor)
    }

    /// The int8 quantisation of a weight: from the shared cache when there is one, else made once per graph.
    func int8Weight(_ tensor: Tensor) -> QuantizedMatrix {
        if let weightCache { return weightCache.int8(tensor) }
        if perGraphWeights == nil { perGraphWeights = WeightCache() }
        return perGraphWeights!.int8(tensor)
    }

    /// A new bfloat16 copy of `tensor`, not cached: the caller holds it as long as it needs it (a gradient used by one
    /// backward step, activations a backward step reads in bf16; `bfloat16Buffer` and `bfloat16Activation` cache theirs).
    func transientBFloat16(_ tensor: Tensor) -> BFloat16Buffer {
        precondition(tensor.isContiguous)
        let buffer = BFloat16Buffer(count: tensor.count)
        buffer.update(from: tensor.data)
        return buffer
    }

    /// A bfloat16 copy of a matmul's activation operand. A graph that records gradients keeps it for the backward pass
    /// (`bfloat16`); an inference graph keeps only the latest one (Q, K and V read the same input one after the other):
    /// keeping them all would hold every layer's activations to the end of the forward pass (9 GB at 128 × 128 tokens
    /// on BERT-base).
    func bfloat16Activation(_ tensor: Tensor) -> UnsafePointer<UInt16> {
        guard !recordsGradients else { return bfloat16(tensor) }
        precondition(tensor.isContiguous)
        if let latest = latestActivation, latest.tensor === tensor { return UnsafePointer(latest.buffer.pointer) }
        let buffer = transientBFloat16(tensor)
        latestActivation = (tensor, buffer)
        return UnsafePointer(buffer.pointer)
    }

    /// A bfloat16 copy of `tensor`, made once per graph (weights are converted once per step, not per use).
    func bfloat16(_ tensor: Tensor) -> UnsafePointer<UInt16> { UnsafePointer(bfloat16Buffer(tensor).pointer) }

    /// The buffer behind `bfloat16(_:)`, for a backward step to hold instead of the float32 tensor. It is kept (under
    /// the tensor's slot, not the tensor, whose values may then be freed) until the step of the op that made the tensor.
    func bfloat16Buffer(_ tensor: Tensor) -> BFloat16Buffer {
        precondition(tensor.isContiguous)
        let key = ObjectIdentifier(tensor.slot)
        if let cached = bfloat16Copies[key] { return cached.buffer }
        let buffer = transientBFloat16(tensor)
        bfloat16Copies[key] = (tensor.slot, buffer)  // holding the slot keeps its identifier unique while cached
        return buffer
    }
}

/// bf16 copies (plain or packed), packed float32 weights and int8 quantisations of weights kept across graphs. Call
/// `invalidate()` after the weights change.
public final class WeightCache: @unchecked Sendable {
    private var copies: [ObjectIdentifier: (tensor: Tensor, value: BFloat16Buffer)] = [:]
    private var packed: [ObjectIdentifier: (tensor: Tensor, value: PackedBFloat16Weight)] = [:]
    private var packedFloat32: [ObjectIdentifier: (tensor: Tensor, value: PackedFloat32Weight)] = [:]
    private var quantized: [ObjectIdentifier: (tensor: Tensor, value: QuantizedMatrix)] = [:]

    public init() {}

    public func bfloat16(_ tensor: Tensor) -> UnsafePointer<UInt16> {
        precondition(tensor.isContiguous)
        if let cached = packed[ObjectIdentifier(tensor)] { return UnsafePointer(cached.value.plain.pointer) }
        let buffer = Self.cached(tensor, in: &copies) {
            let buffer = BFloat16Buffer(count: tensor.count)
            buffer.update(from: tensor.data)
            return buffer
        }
        return UnsafePointer(buffer.pointer)
    }

    /// A linear weight [out, in] in bf16, packed once into the GEMM's blocked layout (`PackedBFloat16Weight`).
    public func packedBFloat16(_ tensor: Tensor) -> PackedBFloat16Weight {
        precondition(tensor.isContiguous && tensor.rank == 2)
        return Self.cached(tensor, in: &packed) {
            copies[ObjectIdentifier(tensor)] = nil  // the packed weight carries the plain copy
            return PackedBFloat16Weight(tensor.data, rows: tensor.shape[0], columns: tensor.shape[1])
        }
    }

    /// A linear weight [out, in] packed once into the float32 matmul kernel's layout (`PackedFloat32Weight`).
    public func packedFloat32(_ tensor: Tensor) -> PackedFloat32Weight {
        precondition(tensor.isContiguous && tensor.rank == 2)
        return Self.cached(tensor, in: &packedFloat32) { PackedFloat32Weight(tensor) }
    }

    /// The int8 quantisation of a linear weight [out, in] (`QuantizedMatrix`), made once.
    public func int8(_ tensor: Tensor) -> QuantizedMatrix {
        precondition(tensor.isContiguous && tensor.rank == 2)
        return Self.cached(tensor, in: &quantized) {
            QuantizedMatrix(tensor.data, rows: tensor.shape[0], columns: tensor.shape[1])
        }
    }

    /// The value kept for `tensor` in `store`, made on first use. The tensor is kept beside it, so its identifier
    /// cannot be reused by another tensor while the entry lives.
    private static func cached<Value>(_ tensor: Tensor, in store: inout [ObjectIdentifier: (tensor: Tensor, value: Value)],
                                      make: () -> Value) -> Value {
        let key = ObjectIdentifier(tensor)
        if let entry = store[key] { return entry.value }
        let value = make()
        store[key] = (tensor, value)
        return value
    }

    public func invalidate() {
        copies.removeAll()
        packed.removeAll()
        packedFloat32.removeAll()
        quantized.removeAll()
    }
}
