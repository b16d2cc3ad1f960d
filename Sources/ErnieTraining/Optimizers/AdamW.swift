import ErnieEngine
import ErnieModels
import Foundation

/// AdamW with decoupled weight decay, exactly as `torch.optim.AdamW` (and Paddle's AdamW, which is the same update):
///   w ← w − lr·wd·w;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
///   w ← w − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
/// Parameters whose names contain "bias" or "norm" (any case) get no decay, as PaddleNLP and HF's Trainer group them.
public final class AdamW: @unchecked Sendable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// Completed updates (t − 1 during the next update).
    public private(set) var step: Int = 0
    /// First and second moments by parameter name.
    public private(set) var moments: [String: (m: Tensor, v: Tensor)] = [:]

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Whether a parameter of this name is decayed.
    public static func decays(_ name: String) -> Bool { takesWeightDecay(name) }

    /// One update of every parameter that has a gradient.
    public func update(_ parameters: ParameterStore, learningRate lr: Float) {
        step += 1
        let correction1 = 1 - Foundation.pow(Double(beta1), Double(step))
        let correction2 = 1 - Foundation.pow(Double(beta2), Double(step))
        let stepSize = Float(Double(lr) / correction1)
        let rootCorrection2 = Float(correction2.squareRoot())
        for (name, weight) in parameters.ordered {
            guard let grad = weight.grad else { continue }
            let state = moments[name] ?? (Tensor(shape: weight.shape), Tensor(shape: weight.shape))
            moments[name] = state
            let decay = AdamW.decays(name) ? 1 - lr * weightDecay : 1
            adamWKernel(weight.data, grad.data, state.m.data, state.v.data, count: weight.count,
                        decay: decay, beta1: beta1, beta2: beta2, stepSize: stepSize,
                        rootCorrection2: rootCorrection2, epsilon: epsilon)
        }
    }

    /// Restores moments and the step count (a resumed run).
    public func restore(step: Int, moments: [String: (m: Tensor, v: Tensor)]) {
        self.step = step
        self.moments = moments
    }
}

/// w, g, m, v: [count]. Vectorised; the same arithmetic order as PyTorch's single-tensor AdamW.
func adamWKernel(
    _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, count: Int, decay: Float, beta1: Float, beta2: Float, stepSize: Float,
    rootCorrection2: Float, epsilon: Float
) {
    parallelFor(count, grain: 1 << 14) { range in
        for i in range {
            let grad = g[i]
            let weight = w[i] * decay
            let first = beta1 * m[i] + (1 - beta1) * grad
            let second = beta2 * v[i] + (1 - beta2) * grad * grad
            m[i] = first
            v[i] = second
            w[i] = weight - stepSize * first / (second.squareRoot() / rootCorrection2 + epsilon)
        }
    }
}
