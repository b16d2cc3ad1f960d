import ErnieEngine

/// A model's parameters by their Hugging Face names, in creation order (the order optimizers and checkpoints use).
public final class ParameterStore: @unchecked Sendable {
    public private(set) var names: [String] = []
    public private(set) var tensors: [String: Tensor] = [:]

    public init() {}

    /// Creates a parameter (requires grad), initialised by `initializer`.
    @discardableResult
    public func make(_ name: String, shape: [Int], _ initializer: ParameterInitializer, random: inout RandomGenerator) -> Tensor {
        precondition(tensors[name] == nil, "parameter \(name) defined twice")
        let tensor = Tensor(shape: shape)
        initializer.fill(tensor, random: &random)
        tensor.requiresGrad = true
        names.append(name)
        tensors[name] = tensor
        return tensor
    }

    public subscript(name: String) -> Tensor? { tensors[name] }

    /// (name, tensor) pairs in creation order.
    public var ordered: [(name: String, tensor: Tensor)] { names.map { ($0, tensors[$0]!) } }

    /// Total number of scalar parameters.
    public var scalarCount: Int { tensors.values.reduce(0) { $0 + $1.count } }

    /// Sets every gradient to zero (keeping the buffers).
    public func zeroGradients() {
        for tensor in tensors.values { tensor.grad?.fill(0) }
    }
}

/// How a parameter starts, as Hugging Face's `_init_weights` does for BERT.
public enum ParameterInitializer: Sendable {
    case normal(std: Float)
    /// normal(0, std) with one row (the padding id's embedding) zeroed.
    case normalZeroRow(std: Float, row: Int)
    case zeros
    case ones

    func fill(_ tensor: Tensor, random: inout RandomGenerator) {
        switch self {
        case .normal(let std):
            random.fillNormal(tensor, std: std)
        case .normalZeroRow(let std, let row):
            random.fillNormal(tensor, std: std)
            let columns = tensor.shape.last ?? 1
            if row >= 0 && row < tensor.count / max(1, columns) { (tensor.data + row * columns).update(repeating: 0, count: columns) }
        case .zeros: tensor.fill(0)
        case .ones: tensor.fill(1)
        }
    }
}
