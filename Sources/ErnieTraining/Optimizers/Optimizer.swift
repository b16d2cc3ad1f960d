import ErnieEngine
import ErnieModels

/// An update rule over a model's parameters. State is a set of named tensors so it can be checkpointed and restored.
public protocol Optimizer: AnyObject {
    /// Completed updates.
    var step: Int { get }
    /// Applies one update to every parameter that has a gradient.
    func update(_ parameters: ParameterStore, learningRate: Float)
    /// Every state tensor by a unique name (e.g. `m.<parameter>`), plus the step count.
    func stateTensors() -> [String: Tensor]
    /// Restores what `stateTensors` returned (a resumed run).
    func restore(step: Int, tensors: [String: Tensor]) throws
}

/// `--optimizer` choices, with the seeds' hyperparameter names.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    case adamw, lamb, momentum
}

/// Whether a parameter of this name takes weight decay: not biases and not normalisation weights (PaddleNLP's
/// rule: the name contains neither "bias" nor "norm"; HF's Trainer excludes the same set for BERT).
public func takesWeightDecay(_ name: String) -> Bool {
    let lower = name.lowercased()
    return !lower.contains("bias") && !lower.contains("norm")
}

extension AdamW: Optimizer {
    public func stateTensors() -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (name, state) in moments {
            tensors["m." + name] = state.m
            tensors["v." + name] = state.v
        }
        return tensors
    }

    public func restore(step: Int, tensors: [String: Tensor]) throws {
        var moments: [String: (m: Tensor, v: Tensor)] = [:]
        for (key, m) in tensors where key.hasPrefix("m.") {
            let name = String(key.dropFirst(2))
            guard let v = tensors["v." + name] else { throw OptimizerError.missingState("v." + name) }
            moments[name] = (m, v)
        }
        restore(step: step, moments: moments)
    }
}

public enum OptimizerError: Error, CustomStringConvertible, Equatable {
    case missingState(String)

    public var description: String {
        switch self {
        case .missingState(let name): "optimizer state \(name) is missing from the checkpoint"
        }
    }
}
