import ErnieEngine
import Foundation

/// One trainable tensor as the optimizer sees it: its name, and the settings of its parameter group.
public struct OptimizerParameter {
    public var name: String
    public var tensor: Tensor
    /// Multiplies the scheduled learning rate (layer-wise decay; 1 otherwise).
    public var rateFactor: Float
    /// Whether weight decay applies.
    public var decays: Bool

    public init(name: String, tensor: Tensor, rateFactor: Float = 1, decays: Bool) {
        self.name = name
        self.tensor = tensor
        self.rateFactor = rateFactor
        self.decays = decays
    }
}

/// How a model's parameters fall into groups: weight decay as the model declares it (not for biases and LayerNorm
/// parameters, as HF's Trainer and PaddleNLP group them), and optionally PaddleNLP's layer-wise learning-rate decay
/// (ERNIE 3.0 fine-tuning).
public struct ParameterGroups: Sendable, Equatable {
    /// Encoder layers of the model (the depth of the parameters above the encoder is `layers + 1`).
    public var layers: Int
    /// The rate of a parameter at depth d (embeddings 0, encoder layer i at i + 1, everything above at L + 1) is
    /// scaled by layerwiseDecay^(L + 1 − d). 1 disables.
    public var layerwiseDecay: Double

    public init(layers: Int, layerwiseDecay: Double = 1) {
        self.layers = layers
        self.layerwiseDecay = layerwiseDecay
    }

    /// The optimizer's view of `parameters` (whether each takes weight decay comes from the model's declaration:
    /// `ParameterStore.trainable`).
    /// - Throws: when layer-wise decay is asked for and no parameter lies in an encoder layer (the group would match
    ///   nothing, and the setting would silently do nothing).
    public func assign(_ parameters: [(name: String, tensor: Tensor, decays: Bool)]) throws -> [OptimizerParameter] {
        var matched = false
        let assigned = parameters.map { name, tensor, decays in
            let depth = Self.depth(of: name, layers: layers)
            if depth > 0 && depth <= layers { matched = true }
            let factor = Float(Foundation.pow(layerwiseDecay, Double(layers + 1 - depth)))
            return OptimizerParameter(name: name, tensor: tensor, rateFactor: factor, decays: decays)
        }
        if layerwiseDecay != 1 && !matched {
            throw TrainingError.invalidConfiguration(
                "layerwise_decay \(layerwiseDecay): no parameter lies in an encoder layer (`encoder.layer.<i>.`), so the decay would match nothing")
        }
        return assigned
    }

    /// 0 for embeddings, i + 1 for encoder layer i, `layers` + 1 for everything else (pooler, heads, CRF).
    static func depth(of name: String, layers: Int) -> Int {
        if name.contains("embeddings.") { return 0 }
        // `encoder.layers.N.` is ERNIE-M's (PaddleNLP's layerwise_lr_decay looks for it).
        if let range = name.range(of: "encoder.layer.") ?? name.range(of: "encoder.layers.") {
            let digits = name[range.upperBound...].prefix { $0.isNumber }
            return (Int(digits) ?? layers) + 1
        }
        return layers + 1
    }
}
