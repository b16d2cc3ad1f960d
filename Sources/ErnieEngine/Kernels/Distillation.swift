import Foundation

/// Distillation losses between a student's and a teacher's outputs, row by row (DistilBERT's `loss_ce` and `loss_cos`).

/// k · max(row) and log Σ exp(k · row − k · max): the log-sum-exp of the row scaled by k > 0 (1 / temperature).
@inline(__always)
func scaledRowLogSumExp(_ row: UnsafePointer<Float>, _ columns: Int, scale k: Float) -> Float {
    let top = k * rowMaximum(row, columns)
    let full = columns & ~15
    var sum = FloatLanes()
    var i = 0
    while i < full {
        sum += vectorExp(k * UnsafeRawPointer(row + i).loadUnaligned(as: FloatLanes.self) - top)
        i += 16
    }
    var total = laneSum(sum)
    for j in full..<columns { total += expf(k * row[j] - top) }
    return top + logf(total)
}

/// KL(softmax(teacher/T) ‖ softmax(student/T)) per row, written to `losses`, with both rows' scaled log-sum-exps
/// (saved for the backward pass). With k = 1/T and pₜ = exp(k·t − lseₜ):
/// KL = Σ pₜ · ((k·t − lseₜ) − (k·s − lseₛ)) = k · Σ pₜ · (t − s) + lseₛ − lseₜ (Σ pₜ = 1); a class whose pₜ
/// underflows to 0 adds 0, as torch's `kl_div` (xlogy) does.
/// student, teacher: [rows, classes]; losses, studentLogSumExp: [rows].
public func softTargetKLForward(
    losses: UnsafeMutablePointer<Float>, studentLogSumExp: UnsafeMutablePointer<Float>, student: UnsafePointer<Float>,
    teacher: UnsafePointer<Float>, rows: Int, classes: Int, inverseTemperature k: Float
) {
    parallelFor(rows, grain: max(1, 4096 / max(1, classes))) { range in
        for row in range {
            let s = student + row * classes, t = teacher + row * classes
            let lseS = scaledRowLogSumExp(s, classes, scale: k)
            let lseT = scaledRowLogSumExp(t, classes, scale: k)
            studentLogSumExp[row] = lseS
            let full = classes & ~15
            var dot = FloatLanes()
            var i = 0
            while i < full {
                let tv = UnsafeRawPointer(t + i).loadUnaligned(as: FloatLanes.self)
                let sv = UnsafeRawPointer(s + i).loadUnaligned(as: FloatLanes.self)
                dot += vectorExp(k * tv - lseT) * (tv - sv)
                i += 16
            }
            var total = Double(laneSum(dot))
            for j in full..<classes { total += Double(expf(k * t[j] - lseT) * (t[j] - s[j])) }
            losses[row] = Float(Double(k) * total + Double(lseS) - Double(lseT))
        }
    }
}

/// dstudent[row] += scale · k · (softmax(k·s) − softmax(k·t)) for every row; `scale` = dloss / rows.
public func softTargetKLBackward(
    dstudent: UnsafeMutablePointer<Float>, student: UnsafePointer<Float>, teacher: UnsafePointer<Float>,
    studentLogSumExp: UnsafePointer<Float>, rows: Int, classes: Int, inverseTemperature k: Float, scale: Float
) {
    parallelFor(rows, grain: max(1, 4096 / max(1, classes))) { range in
        for row in range {
            let s = student + row * classes, t = teacher + row * classes, ds = dstudent + row * classes
            let lseS = studentLogSumExp[row]
            let lseT = scaledRowLogSumExp(t, classes, scale: k)
            let factor = scale * k
            var i = 0
            while i < classes {
                let available = classes - i
                let ps = vectorExp(k * loadLanes(s + i, available) - lseS)
                let pt = vectorExp(k * loadLanes(t + i, available) - lseT)
                storeLanes(loadLanes(ds + i, available) + factor * (ps - pt), ds + i, available)
                i += 16
            }
        }
    }
}

/// Cosine similarity per row with torch's `cosine_embedding_loss` guard: cos = a·b / √((a·a + ε)(b·b + ε)), ε = 1e-12.
/// Returns (cos, a·b, a·a + ε, b·b + ε) in double precision.
@inline(__always)
func rowCosine(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ columns: Int) -> (cos: Double, dot: Double, aa: Double, bb: Double) {
    var dot = 0.0, aa = 1e-12, bb = 1e-12
    for j in 0..<columns {
        let x = Double(a[j]), y = Double(b[j])
        dot += x * y
        aa += x * x
        bb += y * y
    }
    return (dot / (aa * bb).squareRoot(), dot, aa, bb)
}
