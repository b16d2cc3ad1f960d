import Foundation

/// Fused log-softmax + cross-entropy with an ignore index: the mean over rows whose target is not ignored.

/// Returns Σ_rows (logsumexp(logits[row]) − logits[row, target]) over kept rows, and their count.
/// logits: [rows, classes]; targets: [rows]; logSumExp: [rows] (saved for backward).
/// - Precondition: kept targets are in [0, classes) (the graph op validates user input first).
public func crossEntropyForward(
    logSumExp: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
    rows: Int, classes: Int, ignoreIndex: Int32
) -> (sum: Double, count: Int) {
    let losses = Tensor(uninitializedShape: [rows])
    let loss = losses.data
    parallelFor(rows, grain: max(1, 4096 / max(1, classes))) { range in
        for row in range {
            let target = targets[row]
            let lse = rowLogSumExp(logits + row * classes, classes)
            logSumExp[row] = lse
            loss[row] = target == ignoreIndex ? 0 : lse - logits[row * classes + Int(target)]
        }
    }
    var sum = 0.0, count = 0
    for row in 0..<rows where targets[row] != ignoreIndex {
        sum += Double(loss[row])
        count += 1
    }
    return (sum, count)
}

/// dlogits[row] += scale · (softmax(logits[row]) − onehot(target)) for kept rows; `scale` = dloss / count. With
/// `accumulate` false dlogits is written instead (ignored rows get zeros).
public func crossEntropyBackward(
    dlogits: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, logSumExp: UnsafePointer<Float>,
    targets: UnsafePointer<Int32>, rows: Int, classes: Int, ignoreIndex: Int32, scale: Float, accumulate: Bool = true
) {
    parallelFor(rows, grain: max(1, 4096 / max(1, classes))) { range in
        for row in range {
            let target = targets[row]
            let x = logits + row * classes, dx = dlogits + row * classes
            guard target != ignoreIndex else {
                if !accumulate { dx.update(repeating: 0, count: classes) }
                continue
            }
            let lse = logSumExp[row]
            var i = 0
            while i < classes {
                let available = classes - i
                let p = scale * vectorExp(loadLanes(x + i, available) - lse)
                storeLanes(accumulate ? loadLanes(dx + i, available) + p : p, dx + i, available)
                i += 16
            }
            dx[Int(target)] -= scale
        }
    }
}
