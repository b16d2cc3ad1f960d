import ErnieEngine
import ErnieModels

/// Global-norm clipping as `torch.nn.utils.clip_grad_norm_`: scales every gradient by max_norm / (‖g‖ + 1e-6)
/// when that is below 1. Returns the norm before clipping (logged, and checked for NaN/inf).
@discardableResult
public func clipGradientNorm(_ parameters: ParameterStore, maxNorm: Float) -> Double {
    let norm = gradientNorm(parameters)
    guard maxNorm > 0, norm.isFinite else { return norm }
    let coefficient = Double(maxNorm) / (norm + 1e-6)
    if coefficient < 1 {
        for (_, tensor) in parameters.ordered {
            guard let grad = tensor.grad else { continue }
            let scaled = Tensor(uninitializedShape: grad.shape)
            scaleForward(scaled.data, grad.data, count: grad.count, by: Float(coefficient))
            grad.data.update(from: scaled.data, count: grad.count)
        }
    }
    return norm
}

/// √(Σ g²) over every gradient, in double precision.
public func gradientNorm(_ parameters: ParameterStore) -> Double {
    var total = 0.0
    for (_, tensor) in parameters.ordered {
        if let grad = tensor.grad { total += sumOfSquares(grad.data, count: grad.count) }
    }
    return total.squareRoot()
}
