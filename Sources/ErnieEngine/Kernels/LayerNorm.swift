/// LayerNorm over the last axis: y = (x − μ)·σ⁻¹·w + b with σ = √(var + eps) (biased variance, as PyTorch).

/// out, input: [rows, columns]; mean, rstd: [rows] (saved for backward); weight, bias: [columns].
public func layerNormForward(
    _ out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    _ input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
    rows: Int, columns: Int, eps: Float
) {
    parallelFor(rows, grain: max(1, 2048 / max(1, columns))) { range in
        for row in range {
            let x = input + row * columns
            let y = out + row * columns
            // Full 16-lane blocks, then a scalar tail: masking lanes inside the loop costs more than the tail.
            let full = columns & ~15
            var sum = FloatLanes()
            var i = 0
            while i < full {
                sum += UnsafeRawPointer(x + i).loadUnaligned(as: FloatLanes.self)
                i += 16
            }
            var total = laneSum(sum)
            for j in full..<columns { total += x[j] }
            let mu = total / Float(columns)
            // Two passes (centred squares) rather than E[x²] − μ²: no cancellation on rows with a large mean.
            var squares = FloatLanes()
            i = 0
            while i < full {
                let centred = UnsafeRawPointer(x + i).loadUnaligned(as: FloatLanes.self) - mu
                squares += centred * centred
                i += 16
            }
            var squareTotal = laneSum(squares)
            for j in full..<columns { squareTotal += (x[j] - mu) * (x[j] - mu) }
            let r = 1 / (squareTotal / Float(columns) + eps).squareRoot()
            i = 0
            while i < full {
                let normed = (UnsafeRawPointer(x + i).loadUnaligned(as: FloatLanes.self) - mu) * r
                let scaled = normed * UnsafeRawPointer(weight + i).loadUnaligned(as: FloatLanes.self)
                    + UnsafeRawPointer(bias + i).loadUnaligned(as: FloatLanes.self)
                UnsafeMutableRawPointer(y + i).storeBytes(of: scaled, as: FloatLanes.self)
                i += 16
            }
            for j in full..<columns { y[j] = (x[j] - mu) * r * weight[j] + bias[j] }
            mean[row] = mu
            rstd[row] = r
        }
    }
}

/// dinput (+)= …, dweight += Σ dout·x̂, dbias += Σ dout (`accumulate` false writes dinput: no zero-fill needed).
/// Weight and bias gradients are summed per row chunk (one per thread) and then across chunks, in a fixed order.
public func layerNormBackward(
    dinput: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, columns: Int, accumulate adds: Bool = true
) {
    let chunks = max(1, min(Threads.count, rows))
    let partials = Tensor(shape: [chunks, 2 * columns])
    let partial = partials.data
    parallelFor(chunks) { chunkRange in
        for chunk in chunkRange {
            let dw = partial + chunk * 2 * columns
            let db = dw + columns
            for row in (rows * chunk / chunks)..<(rows * (chunk + 1) / chunks) {
                let x = input + row * columns, dy = dout + row * columns, dx = dinput + row * columns
                let mu = mean[row], r = rstd[row]
                var sumDnorm = FloatLanes(), sumDnormNorm = FloatLanes()
                var i = 0
                while i < columns {
                    let available = columns - i
                    let norm = (loadLanes(x + i, available) - mu) * r
                    let g = loadLanes(dy + i, available)
                    let dnorm = g * loadLanes(weight + i, available)  // zero in the padded lanes: dy pads with 0
                    sumDnorm += dnorm
                    sumDnormNorm += dnorm * norm
                    storeLanes(loadLanes(dw + i, available) + g * norm, dw + i, available)
                    storeLanes(loadLanes(db + i, available) + g, db + i, available)
                    i += 16
                }
                let meanDnorm = laneSum(sumDnorm) / Float(columns)
                let meanDnormNorm = laneSum(sumDnormNorm) / Float(columns)
                i = 0
                while i < columns {
                    let available = columns - i
                    let norm = (loadLanes(x + i, available) - mu) * r
                    let dnorm = loadLanes(dy + i, available) * loadLanes(weight + i, available)
                    let grad = (adds ? loadLanes(dx + i, available) : FloatLanes()) + r * (dnorm - meanDnorm - norm * meanDnormNorm)
                    storeLanes(grad, dx + i, available)
                    i += 16
                }
            }
        }
    }
    for chunk in 0..<chunks {
        accumulate(dweight, partial + chunk * 2 * columns, count: columns)
        accumulate(dbias, partial + chunk * 2 * columns + columns, count: columns)
    }
}
