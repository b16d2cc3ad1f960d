import Foundation

/// Row softmax and its backward; the attention and cross-entropy kernels use the same row routines.

/// In place: row[i] = exp(row[i] − max) / Σ exp(row[j] − max). Returns log Σ exp(row) (the row's logsumexp).
@discardableResult
@inline(__always)
func softmaxRowInPlace(_ row: UnsafeMutablePointer<Float>, _ columns: Int) -> Float {
    let maximum = rowMaximum(row, columns)
    let full = columns & ~15
    var sum = FloatLanes()
    var i = 0
    while i < full {
        let e = vectorExp(UnsafeRawPointer(row + i).loadUnaligned(as: FloatLanes.self) - maximum)
        UnsafeMutableRawPointer(row + i).storeBytes(of: e, as: FloatLanes.self)
        sum += e
        i += 16
    }
    var tail: Float = 0
    if full < columns {
        let e = vectorExp(loadLanes(row + full, columns - full) - maximum)
        storeLanes(e, row + full, columns - full)
        for j in 0..<(columns - full) { tail += e[j] }
    }
    let total = laneSum(sum) + tail
    let inverse = 1 / total
    i = 0
    while i < columns {
        let available = columns - i
        storeLanes(loadLanes(row + i, available) * inverse, row + i, available)
        i += 16
    }
    return maximum + logf(total)
}

@inline(__always)
func rowMaximum(_ row: UnsafePointer<Float>, _ columns: Int) -> Float {
    var maximum = FloatLanes(repeating: -.infinity)
    var i = 0
    while i < columns {
        maximum = lanesMaximum(maximum, loadLanes(row + i, columns - i, fill: -.infinity))
        i += 16
    }
    return laneMaximum(maximum)
}

/// log Σ exp(row) without writing the row.
@inline(__always)
func rowLogSumExp(_ row: UnsafePointer<Float>, _ columns: Int) -> Float {
    let maximum = rowMaximum(row, columns)
    let full = columns & ~15
    var sum = FloatLanes()
    var i = 0
    while i < full {
        sum += vectorExp(UnsafeRawPointer(row + i).loadUnaligned(as: FloatLanes.self) - maximum)
        i += 16
    }
    var total = laneSum(sum)
    if full < columns {
        let e = vectorExp(loadLanes(row + full, columns - full) - maximum)
        for j in 0..<(columns - full) { total += e[j] }
    }
    return maximum + logf(total)
}

/// dscores[i] (+)= p[i] · (dp[i] − Σ_j dp[j]·p[j]) · scale, for one row. `accumulate` false overwrites.
@inline(__always)
func softmaxRowBackward(
    _ dscores: UnsafeMutablePointer<Float>, _ dprobs: UnsafePointer<Float>, _ probs: UnsafePointer<Float>,
    _ columns: Int, scale: Float, accumulate: Bool
) {
    var dot = FloatLanes()
    var i = 0
    while i < columns {
        let available = columns - i
        dot += loadLanes(dprobs + i, available) * loadLanes(probs + i, available)
        i += 16
    }
    let total = laneSum(dot)
    i = 0
    while i < columns {
        let available = columns - i
        var grad = loadLanes(probs + i, available) * (loadLanes(dprobs + i, available) - total) * scale
        if accumulate { grad += loadLanes(dscores + i, available) }
        storeLanes(grad, dscores + i, available)
        i += 16
    }
}

/// out = softmax(input) over the last axis.  out, input: [rows, columns]
public func softmaxForward(_ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, rows: Int, columns: Int) {
    parallelFor(rows, grain: max(1, 4096 / max(1, columns))) { range in
        for row in range {
            (out + row * columns).update(from: input + row * columns, count: columns)
            softmaxRowInPlace(out + row * columns, columns)
        }
    }
}

/// dinput += softmax backward, from the forward output.
public func softmaxBackward(
    _ dinput: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ output: UnsafePointer<Float>,
    rows: Int, columns: Int
) {
    parallelFor(rows, grain: max(1, 4096 / max(1, columns))) { range in
        for row in range {
            let at = row * columns
            softmaxRowBackward(dinput + at, dout + at, output + at, columns, scale: 1, accumulate: true)
        }
    }
}
