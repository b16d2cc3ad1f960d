import ErnieEngine
import Foundation

/// `--optimizer` choices, with the seeds' hyperparameter names.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    case adamw, lamb, momentum
}

/// The per-tensor arithmetic of an optimizer and the names of its state tensors.
public protocol UpdateRule: Sendable {
    var kind: OptimizerKind { get }
    /// torch's names of the per-parameter state (`exp_avg`, `exp_avg_sq`; `momentum_buffer`): a checkpoint holds
    /// `<state>.<parameter>` tensors.
    var stateNames: [String] { get }
    /// The names ernie's pretraining checkpoints used before (`m`, `v`; `velocity`), read on resume.
    var legacyStateNames: [String] { get }
    /// Updates `parameter` in place from its gradient; `state` holds one zero-initialised tensor per state name.
    /// `step` counts this update (1 for the first).
    func apply(_ parameter: OptimizerParameter, gradient: Tensor, state: [Tensor], learningRate: Float, step: Int)
}

/// AdamW with decoupled weight decay, exactly as `torch.optim.AdamW` (and Paddle's AdamW, the same update):
///   w ← w − lr·wd·w;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
///   w ← w − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
public struct AdamWRule: UpdateRule {
    public var beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0
    public var kind: OptimizerKind { .adamw }
    public var stateNames: [String] { ["exp_avg", "exp_avg_sq"] }
    public var legacyStateNames: [String] { ["m", "v"] }

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
    }

    public func apply(_ parameter: OptimizerParameter, gradient: Tensor, state: [Tensor], learningRate: Float, step: Int) {
        let rate = learningRate * parameter.rateFactor
        let correction1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let rootCorrection2 = Float((1 - Foundation.pow(Double(beta2), Double(step))).squareRoot())
        adamWKernel(parameter.tensor.data, gradient.data, state[0].data, state[1].data, count: parameter.tensor.count,
                    decay: parameter.decays ? 1 - rate * weightDecay : 1, beta1: beta1, beta2: beta2,
                    stepSize: Float(Double(rate) / correction1), rootCorrection2: rootCorrection2, epsilon: epsilon)
    }
}

/// LAMB (You et al., 2019) as NVIDIA's FusedLAMB / MindSpore's BERT recipe:
///   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  u = m̂/(√v̂ + ε) + wd·w
///   w ← w − lr · r · u,  r = ‖w‖/‖u‖ when both norms are positive (else 1), clipped to [0, 10] as MindSpore does.
/// Parameters without weight decay (biases, norms) take the plain Adam step (r = 1), as NVIDIA's implementation.
public struct LAMBRule: UpdateRule {
    public var beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-6, weightDecay: Float = 0.01
    public var kind: OptimizerKind { .lamb }
    public var stateNames: [String] { ["exp_avg", "exp_avg_sq"] }
    public var legacyStateNames: [String] { ["m", "v"] }

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-6, weightDecay: Float = 0.01) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
    }

    public func apply(_ parameter: OptimizerParameter, gradient: Tensor, state: [Tensor], learningRate: Float, step: Int) {
        let correction1 = Float(1 - Foundation.pow(Double(beta1), Double(step)))
        let correction2 = Float(1 - Foundation.pow(Double(beta2), Double(step)))
        let weight = parameter.tensor, decays = parameter.decays
        let update = Tensor(uninitializedShape: weight.shape)
        let (w, u) = (weight.data, update.data)
        lambDirectionKernel(w, gradient.data, state[0].data, state[1].data, u, count: weight.count, beta1: beta1, beta2: beta2,
                            correction1: correction1, correction2: correction2, epsilon: epsilon, weightDecay: decays ? weightDecay : 0)
        var ratio: Float = 1
        if decays {
            let weightNorm = sumOfSquares(w, count: weight.count).squareRoot()
            let updateNorm = sumOfSquares(u, count: weight.count).squareRoot()
            if weightNorm > 0 && updateNorm > 0 { ratio = Float(min(10, weightNorm / updateNorm)) }
        }
        accumulate(w, u, count: weight.count, scale: -(learningRate * parameter.rateFactor) * ratio)
    }
}

/// SGD with momentum as `torch.optim.SGD(momentum=μ, dampening=0, weight_decay=wd)` and Paddle's `Momentum`:
///   b ← μb + g + wd·w;  w ← w − lr·b  (torch starts b at g on the first step: the same, as b starts at zero).
public struct MomentumRule: UpdateRule {
    public var momentum: Float = 0.9, weightDecay: Float = 0
    public var kind: OptimizerKind { .momentum }
    public var stateNames: [String] { ["momentum_buffer"] }
    public var legacyStateNames: [String] { ["velocity"] }

    public init(momentum: Float = 0.9, weightDecay: Float = 0) {
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public func apply(_ parameter: OptimizerParameter, gradient: Tensor, state: [Tensor], learningRate: Float, step: Int) {
        momentumKernel(parameter.tensor.data, gradient.data, state[0].data, count: parameter.tensor.count, momentum: momentum,
                       weightDecay: parameter.decays ? weightDecay : 0, learningRate: learningRate * parameter.rateFactor)
    }
}
