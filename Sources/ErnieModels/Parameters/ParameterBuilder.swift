import ErnieEngine

/// Declares a model's parameters where its forward pass is written (the idea of candle's `VarBuilder`): a model asks
/// for `linear("query", out: H, in: H)` under the prefix `encoder.layer.3.attention.self.` and gets the tensors, and
/// the same call records the name, shape and kind that checkpoints, initialisation and the optimizer's weight-decay
/// groups all read. A family's declaration is written once and serves both the engine model and its checkpoint table.
///
/// Builders made by `scoped(_:)` share the store and the random stream (parameters are initialised in declaration
/// order, as transformers' `_init_weights` visits them).
public final class ParameterBuilder {
    public let store: ParameterStore
    /// Prepended to every name: "" or a dotted path ending in ".".
    public let prefix: String
    /// `initializer_range`: the std of normal initialisation.
    public let initializerRange: Float
    private let random: RandomSource

    /// The root builder of a model: parameters drawn from `seed`.
    public init(store: ParameterStore, initializerRange: Float, seed: UInt64) {
        self.store = store
        prefix = ""
        self.initializerRange = initializerRange
        random = RandomSource(RandomGenerator(seed: seed))
    }

    private init(parent: ParameterBuilder, prefix: String) {
        store = parent.store
        self.prefix = prefix
        initializerRange = parent.initializerRange
        random = parent.random
    }

    /// A builder for the sub-module `name` (names below it are `prefix + name + "." + …`); "" keeps the prefix.
    public func scoped(_ name: String) -> ParameterBuilder {
        name.isEmpty ? self : ParameterBuilder(parent: self, prefix: prefix + name + ".")
    }

    /// One tensor: `kind` decides the default initialisation (normal(0, initializer_range) for matrices and tables,
    /// zeros for biases and LayerNorm shifts, ones for LayerNorm gains) unless `initializer` is given.
    /// Nil from a declaration-only store.
    @discardableResult
    public func parameter(_ name: String, shape: [Int], kind: ParameterKind, initializer: ParameterInitializer? = nil) -> Tensor? {
        let initial = initializer ?? {
            switch kind {
            case .embedding, .linearWeight, .weight: .normal(std: initializerRange)
            case .bias, .layerNormBias: .zeros
            case .layerNormWeight: .ones
            }
        }()
        return store.make(prefix + name, shape: shape, kind: kind, initial, random: &random.generator)
    }

    /// `nn.Linear(in, out)`: `name.weight` [out, in] then `name.bias` [out].
    public func linear(_ name: String, out: Int, in input: Int, bias: Bool = true) {
        parameter(name + ".weight", shape: [out, input], kind: .linearWeight)
        if bias { parameter(name + ".bias", shape: [out], kind: .bias) }
    }

    /// `nn.LayerNorm(width)`: `name.weight` (ones) then `name.bias` (zeros).
    public func layerNorm(_ name: String, width: Int) {
        parameter(name + ".weight", shape: [width], kind: .layerNormWeight)
        parameter(name + ".bias", shape: [width], kind: .layerNormBias)
    }

    /// `nn.Embedding(count, width, padding_idx)`: `name.weight` [count, width], the padding row zeroed.
    public func embedding(_ name: String, count: Int, width: Int, paddingRow: Int? = nil) {
        parameter(name + ".weight", shape: [count, width], kind: .embedding,
                  initializer: paddingRow.map { .normalZeroRow(std: initializerRange, row: $0) })
    }

    /// `name` (under this prefix) as another state-dict key of the already declared parameter `target` (a full name).
    public func alias(_ name: String, of target: String) { store.alias(prefix + name, of: target) }

    /// `name` as a non-persistent buffer (never saved).
    public func buffer(_ name: String) { store.buffer(prefix + name) }
}

/// The random stream the builders of one model share.
final class RandomSource {
    var generator: RandomGenerator
    init(_ generator: RandomGenerator) { self.generator = generator }
}
