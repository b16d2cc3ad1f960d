/// Optimizer update kernels over one parameter tensor (flat [count] buffers), in the arithmetic order of the
/// reference implementations so results match them to rounding.

/// AdamW as PyTorch's single-tensor `torch.optim.AdamW`: w ← w·decay; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// w ← w − stepSize · m / (√v / rootCorrection2 + ε).
/// w, g, m, v: [count]; decay = 1 − lr·wd (1 without decay); stepSize = lr / (1 − β₁ᵗ); rootCorrection2 = √(1 − β₂ᵗ).
public func adamWKernel(
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

/// LAMB's moments and update direction (You et al., 2019): m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// u = (m / correction1) / (√(v / correction2) + ε) + weightDecay·w.
/// w, g, m, v, u: [count] (u written); correction1 = 1 − β₁ᵗ, correction2 = 1 − β₂ᵗ; weightDecay 0 without decay.
public func lambDirectionKernel(
    _ w: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
    _ u: UnsafeMutablePointer<Float>, count: Int, beta1: Float, beta2: Float, correction1: Float, correction2: Float,
    epsilon: Float, weightDecay: Float
) {
    for i in 0..<count {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
        u[i] = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + epsilon) + (weightDecay != 0 ? weightDecay * w[i] : 0)
    }
}

/// SGD with momentum as `torch.optim.SGD(momentum=μ, dampening=0)`: b ← μb + g + wd·w; w ← w − lr·b.
/// w, g, b: [count].
public func momentumKernel(
    _ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ b: UnsafeMutablePointer<Float>, count: Int,
    momentum: Float, weightDecay: Float, learningRate: Float
) {
    for i in 0..<count {
        b[i] = momentum * b[i] + g[i] + weightDecay * w[i]
        w[i] -= learningRate * b[i]
    }
}
