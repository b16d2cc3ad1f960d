import Foundation

/// Learning rate as a function of the update count (the rate used for update `step`, counted from 0 as PyTorch's
/// LambdaLR and Paddle's schedulers see it).
public enum LearningRateSchedule: Sendable, Equatable, Codable {
    /// HF `get_linear_schedule_with_warmup`: 0 → maxLR over `warmup` steps, then linearly to 0 at `total`.
    case linear(maxLR: Double, warmup: Int, total: Int)
    /// PaddleNLP's `LinearAnnealingWithWarmupDecay`: maxLR·s/warmup up to warmup; then linear from maxLR to
    /// minLR at `decaySteps`; minLR after.
    case linearAnnealing(maxLR: Double, minLR: Double, warmup: Int, decaySteps: Int)
    /// HF `get_cosine_schedule_with_warmup` ending at minLR (half a cosine after warmup).
    case cosine(maxLR: Double, minLR: Double, warmup: Int, total: Int)
    case constant(Double)
    /// HF `get_polynomial_decay_schedule_with_warmup` (PaddleNLP's PolynomialDecayWithWarmup): warmup as `linear`,
    /// then minLR + (maxLR − minLR)·(1 − (s − warmup)/(total − warmup))^power; minLR after `total`.
    case polynomial(maxLR: Double, minLR: Double, warmup: Int, total: Int, power: Double)

    public func rate(at step: Int) -> Double {
        switch self {
        case .linear(let maxLR, let warmup, let total):
            if step < warmup { return maxLR * Double(step) / Double(max(1, warmup)) }
            return maxLR * max(0, Double(total - step) / Double(max(1, total - warmup)))
        case .linearAnnealing(let maxLR, let minLR, let warmup, let decaySteps):
            if warmup > 0 && step <= warmup { return maxLR * Double(step) / Double(warmup) }
            if step > decaySteps { return minLR }
            let ratio = Double(step - warmup) / Double(max(1, decaySteps - warmup))
            return minLR + (1 - ratio) * (maxLR - minLR)
        case .cosine(let maxLR, let minLR, let warmup, let total):
            if step < warmup { return maxLR * Double(step) / Double(max(1, warmup)) }
            let progress = min(1, Double(step - warmup) / Double(max(1, total - warmup)))
            return minLR + (maxLR - minLR) * 0.5 * (1 + Foundation.cos(Double.pi * progress))
        case .constant(let rate):
            return rate
        case .polynomial(let maxLR, let minLR, let warmup, let total, let power):
            if step < warmup { return maxLR * Double(step) / Double(max(1, warmup)) }
            if step > total { return minLR }
            let remaining = 1 - Double(step - warmup) / Double(max(1, total - warmup))
            return minLR + (maxLR - minLR) * Foundation.pow(remaining, power)
        }
    }
}
