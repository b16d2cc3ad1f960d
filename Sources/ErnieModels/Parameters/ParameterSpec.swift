/// What a parameter is, which decides its default initialisation and whether weight decay applies to it.
public enum ParameterKind: String, Sendable {
    /// An embedding table [num, width]: normal(0, initializer_range) init (padding row zero), decayed.
    case embedding
    /// A Linear weight [out, in] (PyTorch layout, y = x·Wᵀ + b): normal init, decayed.
    case linearWeight
    /// A Linear bias (or the MLM output bias): zero init, not decayed.
    case bias
    /// LayerNorm gain: ones, not decayed.
    case layerNormWeight
    /// LayerNorm shift: zeros, not decayed.
    case layerNormBias
    /// Any other trained tensor (e.g. CRF transition scores): decayed, initialised as its declaration says.
    case weight

    /// HF Trainer's grouping: weight decay on everything but biases and LayerNorm parameters.
    public var takesWeightDecay: Bool {
        switch self {
        case .embedding, .linearWeight, .weight: true
        case .bias, .layerNormWeight, .layerNormBias: false
        }
    }
}

/// One trainable tensor of a model, named exactly as in transformers' `named_parameters()`.
public struct ParameterSpec: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let kind: ParameterKind

    public init(name: String, shape: [Int], kind: ParameterKind) {
        self.name = name
        self.shape = shape
        self.kind = kind
    }

    public var elementCount: Int { shape.reduce(1, *) }

    public var weightDecay: Bool { kind.takesWeightDecay }
}
