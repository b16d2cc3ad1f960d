import ErnieEngine
import ErnieModels
import Foundation

/// LAMB (You et al., 2019) as NVIDIA's FusedLAMB / MindSpore's BERT recipe:
///   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  u = m̂/(√v̂ + ε) + wd·w
///   w ← w − lr · r · u,  r = ‖w‖/‖u‖ when both norms are positive (else 1), clipped to [0, 10] as MindSpore does.
/// Parameters without weight decay (biases, norms) take the plain Adam step (r = 1), as NVIDIA's implementation.
public final class LAMB: Optimizer, @unchecked Sendable {
    public var beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public private(set) var step = 0
    private var moments: [String: (m: Tensor, v: Tensor)] = [:]

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-6, weightDecay: Float = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func update(_ parameters: ParameterStore, learningRate lr: Float) {
        step += 1
        let correction1 = Float(1 - Foundation.pow(Double(beta1), Double(step)))
        let correction2 = Float(1 - Foundation.pow(Double(beta2), Double(step)))
        for (name, weight) in parameters.ordered {
            guard let grad = weight.grad else { continue }
            let state = moments[name] ?? (Tensor(shape: weight.shape), Tensor(shape: weight.shape))
            moments[name] = state
            let decays = takesWeightDecay(name)
            let update = Tensor(uninitializedShape: weight.shape)
            let (w, g, m, v, u) = (weight.data, grad.data, state.m.data, state.v.data, update.data)
            for i in 0..<weight.count {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                u[i] = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + epsilon) + (decays ? weightDecay * w[i] : 0)
            }
            var ratio: Float = 1
            if decays {
                let weightNorm = sumOfSquares(w, count: weight.count).squareRoot()
                let updateNorm = sumOfSquares(u, count: weight.count).squareRoot()
                if weightNorm > 0 && updateNorm > 0 { ratio = Float(min(10, weightNorm / updateNorm)) }
            }
            accumulate(w, u, count: weight.count, scale: -lr * ratio)
        }
    }

    public func stateTensors() -> [String: Tensor] {
        moments.reduce(into: [:]) { tensors, entry in
            tensors["m." + entry.key] = entry.value.m
            tensors["v." + entry.key] = entry.value.v
        }
    }

    public func restore(step: Int, tensors: [String: Tensor]) throws {
        self.step = step
        moments = [:]
        for (key, m) in tensors where key.hasPrefix("m.") {
            let name = String(key.dropFirst(2))
            guard let v = tensors["v." + name] else { throw OptimizerError.missingState("v." + name) }
            moments[name] = (m, v)
        }
    }
}

/// SGD with momentum as Paddle's `Momentum` (and PyTorch's SGD with dampening 0): v ← μv + g + wd·w; w ← w − lr·v.
public final class Momentum: Optimizer, @unchecked Sendable {
    public var momentum: Float, weightDecay: Float
    public private(set) var step = 0
    private var velocities: [String: Tensor] = [:]

    public init(momentum: Float = 0.9, weightDecay: Float = 0) {
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public func update(_ parameters: ParameterStore, learningRate lr: Float) {
        step += 1
        for (name, weight) in parameters.ordered {
            guard let grad = weight.grad else { continue }
            let velocity = velocities[name] ?? Tensor(shape: weight.shape)
            velocities[name] = velocity
            let decay = takesWeightDecay(name) ? weightDecay : 0
            let (w, g, v) = (weight.data, grad.data, velocity.data)
            for i in 0..<weight.count {
                v[i] = momentum * v[i] + g[i] + decay * w[i]
                w[i] -= lr * v[i]
            }
        }
    }

    public func stateTensors() -> [String: Tensor] {
        velocities.reduce(into: [:]) { $0["velocity." + $1.key] = $1.value }
    }

    public func restore(step: Int, tensors: [String: Tensor]) throws {
        self.step = step
        velocities = [:]
        for (key, value) in tensors where key.hasPrefix("velocity.") { velocities[String(key.dropFirst(9))] = value }
    }
}
