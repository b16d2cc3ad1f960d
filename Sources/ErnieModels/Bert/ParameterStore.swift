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

    /// A store over existing tensors (names must be unique), in the given order.
    public static func adopting(_ parameters: [(name: String, tensor: Tensor)]) -> ParameterStore {
        let store = ParameterStore()
        for (name, tensor) in parameters {
            precondition(store.tensors[name] == nil, "parameter \(name) given twice")
            store.names.append(name)
            store.tensors[name] = tensor
        }
        return store
    }

    /// The parameters whose names pass `keep`, in the same order, sharing their tensors (e.g. one rank's optimizer shard).
    public func subset(where keep: (String) -> Bool) -> ParameterStore {
        let store = ParameterStore()
        for name in names where keep(name) {
            store.names.append(name)
            store.tensors[name] = tensors[name]
        }
        return store
    }

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
