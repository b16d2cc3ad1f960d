import Foundation
import ErnieEngine

/// A model's parameters by their Hugging Face names, in declaration order (transformers' `named_parameters()`
/// order, which optimizers and checkpoints use), with what each is (`specs`), the state-dict aliases of tied tensors
/// and the non-persistent buffers. Filled through a `ParameterBuilder`.
///
/// A declaration-only store records the specs without allocating or initialising tensors: the checkpoint layer reads
/// a model's names and shapes from it without building the model.
public final class ParameterStore: @unchecked Sendable {
    public private(set) var names: [String] = []
    public private(set) var tensors: [String: Tensor] = [:]
    /// Every declared parameter, in order.
    public private(set) var specs: [ParameterSpec] = []
    /// State-dict alias → the parameter it shares storage with (`cls.predictions.decoder.weight` → the word embeddings).
    public private(set) var aliases: [String: String] = [:]
    /// Non-persistent buffers (`embeddings.position_ids`): never saved, ignored when a (legacy) checkpoint holds them.
    public private(set) var buffers: [String] = []
    public let declarationOnly: Bool

    public init(declarationOnly: Bool = false) {
        self.declarationOnly = declarationOnly
    }

    /// Declares a parameter (and, unless declaration-only, creates it requiring grad, initialised by `initializer`).
    @discardableResult
    public func make(_ name: String, shape: [Int], kind: ParameterKind, _ initializer: ParameterInitializer,
                     random: inout RandomGenerator) -> Tensor? {
        precondition(!specs.contains { $0.name == name } && aliases[name] == nil, "parameter \(name) defined twice")
        specs.append(ParameterSpec(name: name, shape: shape, kind: kind))
        guard !declarationOnly else { return nil }
        let tensor = Tensor(shape: shape)
        initializer.fill(tensor, random: &random)
        tensor.requiresGrad = true
        names.append(name)
        tensors[name] = tensor
        return tensor
    }

    /// Declares `name` as another state-dict key of the parameter `target`.
    public func alias(_ name: String, of target: String) {
        precondition(specs.contains { $0.name == target }, "alias \(name) of the undeclared \(target)")
        aliases[name] = target
    }

    /// Declares a non-persistent buffer.
    public func buffer(_ name: String) { buffers.append(name) }

    public subscript(name: String) -> Tensor? { tensors[name] }

    /// (name, tensor) pairs in declaration order.
    public var ordered: [(name: String, tensor: Tensor)] { names.map { ($0, tensors[$0]!) } }

    /// (name, tensor, weight decay) in declaration order: what the optimizer's groups are made from.
    public var trainable: [(name: String, tensor: Tensor, decays: Bool)] {
        specs.compactMap { spec in tensors[spec.name].map { (spec.name, $0, spec.weightDecay) } }
    }

    /// Total number of scalar parameters.
    public var scalarCount: Int { specs.reduce(0) { $0 + $1.elementCount } }

    /// A store over existing tensors (names must be unique), in the given order; kinds unknown (`.weight`).
    public static func adopting(_ parameters: [(name: String, tensor: Tensor)]) -> ParameterStore {
        let store = ParameterStore()
        for (name, tensor) in parameters {
            precondition(store.tensors[name] == nil, "parameter \(name) given twice")
            store.names.append(name)
            store.tensors[name] = tensor
            store.specs.append(ParameterSpec(name: name, shape: tensor.shape, kind: .weight))
        }
        return store
    }

    /// The parameters whose names pass `keep`, in the same order, sharing their tensors (e.g. one rank's optimizer shard).
    public func subset(where keep: (String) -> Bool) -> ParameterStore {
        let store = ParameterStore()
        for spec in specs where keep(spec.name) {
            store.specs.append(spec)
            if let tensor = tensors[spec.name] {
                store.names.append(spec.name)
                store.tensors[spec.name] = tensor
            }
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
    case uniform(low: Float, high: Float)
    case zeros
    case ones
    /// DistilBERT's `create_sinusoidal_embeddings` on [positions, dim]: sin at even columns, cos at odd, of
    /// pos / 10000^(2⌊j/2⌋/dim).
    case sinusoid

    func fill(_ tensor: Tensor, random: inout RandomGenerator) {
        switch self {
        case .normal(let std):
            random.fillNormal(tensor, std: std)
        case .normalZeroRow(let std, let row):
            random.fillNormal(tensor, std: std)
            let columns = tensor.shape.last ?? 1
            if row >= 0 && row < tensor.count / max(1, columns) { (tensor.data + row * columns).update(repeating: 0, count: columns) }
        case .uniform(let low, let high): random.fillUniform(tensor, low: low, high: high)
        case .zeros: tensor.fill(0)
        case .ones: tensor.fill(1)
        case .sinusoid:
            let columns = tensor.shape.last ?? 1
            for row in 0..<tensor.count / max(1, columns) {
                for column in 0..<columns {
                    let angle = Double(row) / pow(10000, Double(2 * (column / 2)) / Double(columns))
                    tensor.data[row * columns + column] = Float(column % 2 == 0 ? sin(angle) : cos(angle))
                }
            }
        }
    }
}
