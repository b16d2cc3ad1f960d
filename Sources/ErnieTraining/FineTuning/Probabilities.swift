import Foundation

/// Softmax of logits, in double precision (what `ernie predict` and `ernie serve` report as confidences).
public func softmax(_ row: [Float]) -> [Double] {
    let top = Double(row.max() ?? 0)
    let weights = row.map { Foundation.exp(Double($0) - top) }
    let total = weights.reduce(0, +)
    return weights.map { $0 / total }
}

/// The logistic function of each logit, in double precision (multi-label classification).
public func sigmoid(_ row: [Float]) -> [Double] {
    row.map { 1 / (1 + Foundation.exp(-Double($0))) }
}
