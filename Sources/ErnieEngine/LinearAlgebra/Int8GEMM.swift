import CShims
import Foundation

/// A linear layer's weight [n, k] quantised for int8 inference: symmetric per output channel (row), so
/// w[n, j] ≈ scales[n] · values[n, j] with values in [−127, 127]; `rowSums[n]` = Σⱼ values[n, j] (the correction for
/// the activations' zero point of 128).
public final class QuantizedMatrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    let values: UnsafeMutablePointer<Int8>
    public let scales: [Float]
    let rowSums: [Int32]

    /// Quantises `weight` [rows, columns] (row-major).
    public init(_ weight: UnsafePointer<Float>, rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        values = .allocate(capacity: max(1, rows * columns))
        var scales = [Float](repeating: 1, count: rows), sums = [Int32](repeating: 0, count: rows)
        for row in 0..<rows {
            let line = weight + row * columns
            var largest: Float = 0
            for column in 0..<columns { largest = max(largest, abs(line[column])) }
            let scale = largest > 0 ? largest / 127 : 1
            var sum: Int32 = 0
            for column in 0..<columns {
                let q = Int8(clamping: Int((line[column] / scale).rounded(.toNearestOrEven)))
                values[row * columns + column] = q
                sum += Int32(q)
            }
            scales[row] = scale
            sums[row] = sum
        }
        self.scales = scales
        rowSums = sums
    }

    deinit { values.deallocate() }

    /// The quantised value at (row, column), for tests.
    public subscript(row: Int, column: Int) -> Int8 { values[row * columns + column] }
}

/// `y[m, n] += x[m, k] · Wᵀ` with W quantised (`QuantizedMatrix`, [n, k]) and each row of x quantised at run time:
/// symmetric per row (scale = max|x| / 127), shifted by 128 to uint8 for oneDNN's u8 × s8 → s32 kernel, then
/// y += scaleₓ[m] · scale_w[n] · (acc[m, n] − 128 · rowSums[n]).
public func linearInt8(x: UnsafePointer<Float>, m: Int, k: Int, weight: QuantizedMatrix, y: UnsafeMutablePointer<Float>) {
    precondition(weight.columns == k, "int8 linear: input width \(k) against weight [\(weight.rows), \(weight.columns)]")
    let n = weight.rows
    guard m > 0, n > 0, k > 0 else { return }
    let quantized = UnsafeMutablePointer<UInt8>.allocate(capacity: m * k)
    let accumulators = UnsafeMutablePointer<Int32>.allocate(capacity: m * n)
    defer { quantized.deallocate(); accumulators.deallocate() }
    var rowScales = [Float](repeating: 1, count: m)
    rowScales.withUnsafeMutableBufferPointer { scales in
        let scales = scales.baseAddress!
        parallelFor(m, grain: 8) { range in
            for row in range {
                let line = x + row * k
                var largest: Float = 0
                for column in 0..<k { largest = max(largest, abs(line[column])) }
                let scale = largest > 0 ? largest / 127 : 1
                let inverse = 1 / scale
                let out = quantized + row * k
                for column in 0..<k {
                    let q = (line[column] * inverse).rounded(.toNearestOrEven)
                    out[column] = UInt8(Int32(min(127, max(-127, q))) + 128)
                }
                scales[row] = scale
            }
        }
    }
    Threads.configure()
    let status = ernie_gemm_u8s8s32(84, Int64(m), Int64(n), Int64(k), quantized, Int64(k), weight.values, Int64(k), accumulators, Int64(n))
    if status != 0 { fatalError("oneDNN int8 matmul failed (\(status)) for m=\(m) n=\(n) k=\(k)") }
    weight.scales.withUnsafeBufferPointer { weightScales in
        weight.rowSums.withUnsafeBufferPointer { sums in
            rowScales.withUnsafeBufferPointer { rowScales in
                parallelFor(m, grain: 8) { range in
                    for row in range {
                        let scale = rowScales[row]
                        let accumulator = accumulators + row * n, out = y + row * n
                        for column in 0..<n {
                            out[column] += scale * weightScales[column] * Float(accumulator[column] - 128 * sums[column])
                        }
                    }
                }
            }
        }
    }
}

/// The oneDNN kernel the int8 GEMM of this shape runs on (e.g. "brg:avx512_core_vnni").
public func gemmInt8Implementation(m: Int, n: Int, k: Int) -> String {
    String(cString: ernie_gemm_u8s8s32_impl(Int64(m), Int64(n), Int64(k)))
}
