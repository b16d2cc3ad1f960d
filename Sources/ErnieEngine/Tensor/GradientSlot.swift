/// Where a tensor's gradient collects during `Graph.backward`, kept apart from the tensor's data.
///
/// A backward step that only passes a gradient on (a residual add, dropout, a Linear layer's output) holds the slots
/// of its input and output, not the tensors: an activation whose values no backward step reads is then freed as soon
/// as the forward pass is done with it, instead of living until the backward pass reaches it.
public final class GradientSlot: @unchecked Sendable {
    /// The shape of the tensor, and of its gradient.
    public let shape: [Int]
    /// Gradients flow into this slot during `Graph.backward`.
    public var requiresGrad: Bool
    /// d(loss)/d(tensor), contiguous; nil until a backward pass writes it.
    public var gradient: Tensor?

    init(shape: [Int], requiresGrad: Bool) {
        self.shape = shape
        self.requiresGrad = requiresGrad
    }

    public var count: Int { shape.reduce(1, *) }
}
