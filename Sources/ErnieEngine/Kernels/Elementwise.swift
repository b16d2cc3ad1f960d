/// Elementwise sums and scalings, and the bias helpers of `linear`.

/// out = a + b.
public func addForward(
    _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int
) {
    mapLanes(count, grain: 1 << 15) { offset, available in
        storeLanes(loadLanes(a + offset, available) + loadLanes(b + offset, available), out + offset, available)
    }
}

/// y += alpha · x.
public func accumulate(
    _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int, scale alpha: Float = 1
) {
    mapLanes(count, grain: 1 << 15) { offset, available in
        storeLanes(loadLanes(y + offset, available) + alpha * loadLanes(x + offset, available), y + offset, available)
    }
}

/// out = alpha · x.
public func scaleForward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int, by alpha: Float) {
    mapLanes(count, grain: 1 << 15) { offset, available in
        storeLanes(alpha * loadLanes(x + offset, available), out + offset, available)
    }
}

/// Every row of out[rows, columns] = bias[columns].
public func broadcastRows(_ out: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, columns: Int) {
    parallelFor(rows, grain: max(1, 8192 / max(1, columns))) { range in
        for row in range { (out + row * columns).update(from: bias, count: columns) }
    }
}

/// dbias[columns] += Σ_rows dout[rows, columns]. Summed per column block so threads never share an output.
public func columnSumsBackward(
    _ dbias: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, rows: Int, columns: Int
) {
    parallelFor((columns + 15) / 16, grain: 4) { blocks in
        for block in blocks {
            let column = block * 16
            let available = min(16, columns - column)
            var sum = FloatLanes()
            for row in 0..<rows { sum += loadLanes(dout + row * columns + column, available) }
            storeLanes(loadLanes(dbias + column, available) + sum, dbias + column, available)
        }
    }
}

/// Σ x in double precision (losses and norms must not drift with size).
public func sumAll(_ x: UnsafePointer<Float>, count: Int) -> Double {
    var total = 0.0
    var i = 0
    while i < count {
        let end = min(count, i + 4096)
        var lanes = FloatLanes()
        var j = i
        while j + 16 <= end {
            lanes += UnsafeRawPointer(x + j).loadUnaligned(as: FloatLanes.self)
            j += 16
        }
        var partial = Double(laneSum(lanes))
        while j < end {
            partial += Double(x[j])
            j += 1
        }
        total += partial
        i = end
    }
    return total
}

/// Σ x² in double precision.
public func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
    var total = 0.0
    var i = 0
    while i < count {
        let end = min(count, i + 4096)
        var lanes = FloatLanes()
        var j = i
        while j + 16 <= end {
            let v = UnsafeRawPointer(x + j).loadUnaligned(as: FloatLanes.self)
            lanes += v * v
            j += 16
        }
        var partial = Double(laneSum(lanes))
        while j < end {
            partial += Double(x[j]) * Double(x[j])
            j += 1
        }
        total += partial
        i = end
    }
    return total
}
