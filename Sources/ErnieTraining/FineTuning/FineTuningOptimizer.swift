import ErnieEngine
import ErnieModels
import Foundation

/// AdamW over an explicit parameter list with a learning-rate factor per parameter (layer-wise decay), as
/// `torch.optim.AdamW` with parameter groups: HF Trainer's grouping (no weight decay on biases and LayerNorm weights).
public final class FineTuningOptimizer {
    public struct Entry {
        public var name: String
        public var tensor: Tensor
        /// Multiplies the scheduled learning rate (layer-wise decay; 1 otherwise).
        public var rateFactor: Float
        public var decays: Bool
    }

    public private(set) var entries: [Entry]
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public private(set) var step = 0
    private var moments: [(m: Tensor, v: Tensor)?]

    public init(entries: [Entry], beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float) {
        self.entries = entries
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        moments = Array(repeating: nil, count: entries.count)
    }

    /// Layer-wise factors: depth 0 for embeddings, i + 1 for encoder layer i, L + 1 for the rest (pooler, head, CRF);
    /// factor = decay^(L + 1 − depth).
    public static func entries(_ parameters: [(name: String, tensor: Tensor)], layers: Int, layerwiseDecay: Double) -> [Entry] {
        parameters.map { name, tensor in
            var depth = layers + 1
            if name.contains("embeddings.") { depth = 0 }
            else if let range = name.range(of: "encoder.layer.") {
                let digits = name[range.upperBound...].prefix { $0.isNumber }
                depth = (Int(digits) ?? layers) + 1
            }
            let factor = Float(Foundation.pow(layerwiseDecay, Double(layers + 1 - depth)))
            return Entry(name: name, tensor: tensor, rateFactor: factor, decays: takesWeightDecay(name))
        }
    }

    /// One update of every parameter that has a gradient.
    public func update(learningRate: Double) {
        step += 1
        let correction1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let rootCorrection2 = Float((1 - Foundation.pow(Double(beta2), Double(step))).squareRoot())
        for (index, entry) in entries.enumerated() {
            guard let grad = entry.tensor.grad else { continue }
            let state = moments[index] ?? (Tensor(shape: entry.tensor.shape), Tensor(shape: entry.tensor.shape))
            moments[index] = state
            let rate = Float(learningRate) * entry.rateFactor
            adamWKernel(entry.tensor.data, grad.data, state.m.data, state.v.data, count: entry.tensor.count,
                        decay: entry.decays ? 1 - rate * weightDecay : 1, beta1: beta1, beta2: beta2,
                        stepSize: Float(Double(rate) / correction1), rootCorrection2: rootCorrection2, epsilon: epsilon)
        }
    }

    /// Global-norm clipping as `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping.
    @discardableResult
    public func clipGradients(maxNorm: Double) -> Double {
        var total = 0.0
        for entry in entries { if let grad = entry.tensor.grad { total += sumOfSquares(grad.data, count: grad.count) } }
        let norm = total.squareRoot()
        guard maxNorm > 0, norm.isFinite else { return norm }
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 {
            for entry in entries {
                guard let grad = entry.tensor.grad else { continue }
                scaleForward(grad.data, grad.data, count: grad.count, by: Float(coefficient))
            }
        }
        return norm
    }

    /// The moments as named tensors (`exp_avg.<parameter>`, `exp_avg_sq.<parameter>`, torch's names) for a checkpoint;
    /// parameters that were never updated have none.
    public var state: [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (entry, moment) in zip(entries, moments) {
            guard let moment else { continue }
            tensors["exp_avg." + entry.name] = moment.m
            tensors["exp_avg_sq." + entry.name] = moment.v
        }
        return tensors
    }

    /// Continues from a checkpoint's `state` after `step` updates; a moment whose shape differs is an error naming it.
    public func restore(step: Int, state: [String: Tensor]) throws {
        for (index, entry) in entries.enumerated() {
            guard let m = state["exp_avg." + entry.name], let v = state["exp_avg_sq." + entry.name] else {
                moments[index] = nil
                continue
            }
            guard m.shape == entry.tensor.shape && v.shape == entry.tensor.shape else {
                throw TrainingError.incompatibleRun("optimizer state of \(entry.name) has shape \(m.shape), the parameter \(entry.tensor.shape)")
            }
            moments[index] = (m, v)
        }
        self.step = step
    }

    public func zeroGradients() {
        for entry in entries { entry.tensor.grad?.fill(0) }
    }
}
