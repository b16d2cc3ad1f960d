import CShims

/// A linear layer's weight [n, k] quantised for int8 inference: symmetric per output channel (row), so
/// w[n, j] ≈ scales[n] · values[n, j] with values in [−127, 127] (rounded as `quantizeRow` rounds activations). The
/// values are also kept reordered once into oneDNN's blocked int8 layout, which the GEMM would otherwise repack in
/// every call.
public final class QuantizedMatrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    let values: UnsafeMutablePointer<Int8>
    public let scales: [Float]
    /// 128 · Σⱼ values[n, j]: what the activations' zero point adds to each accumulator of column n.
    let zeroPointCorrections: [Int32]
    private let packed: OpaquePointer

    /// Quantises `weight` [rows, columns] (row-major).
    public init(_ weight: UnsafePointer<Float>, rows: Int, columns: Int) {
        precondition(rows > 0 && columns > 0, "empty int8 weight [\(rows), \(columns)]")
        self.rows = rows
        self.columns = columns
        values = .allocate(capacity: rows * columns)
        var scales = [Float](repeating: 1, count: rows), corrections = [Int32](repeating: 0, count: rows)
        for row in 0..<rows {
            let scale = quantizeRow(weight + row * columns, columns, zeroPoint: 0,
                                    into: UnsafeMutableRawPointer(values + row * columns).assumingMemoryBound(to: UInt8.self))
            var sum: Int32 = 0
            for column in 0..<columns { sum &+= Int32(values[row * columns + column]) }
            scales[row] = scale
            corrections[row] = 128 &* sum
        }
        self.scales = scales
        zeroPointCorrections = corrections
        Threads.configure()
        var status: Int32 = 0
        guard let packed = ernie_pack_s8(Int64(rows), Int64(columns), values, &status) else {
            fatalError("oneDNN could not pack an int8 matrix (\(status)) of [\(rows), \(columns)]")
        }
        self.packed = packed
    }

    deinit {
        ernie_packed_s8_free(packed)
        values.deallocate()
    }

    /// The quantised value at (row, column), for tests.
    public subscript(row: Int, column: Int) -> Int8 { values[row * columns + column] }

    /// The quantised values [rows, columns], row-major.
    public func withValues<R>(_ body: (UnsafeBufferPointer<Int8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: values, count: rows * columns))
    }

    /// acc[m, rows] = a[m, columns] · valuesᵀ in int32, on the packed copy.
    func multiply(_ a: UnsafePointer<UInt8>, m: Int, into accumulators: UnsafeMutablePointer<Int32>) {
        Threads.configure()
        let status = ernie_gemm_u8s8s32_packed(Int64(m), a, packed, accumulators)
        if status != 0 { fatalError("oneDNN int8 matmul failed (\(status)) for m=\(m) n=\(rows) k=\(columns)") }
    }
}

/// Quantises one row symmetrically: q = round(x / scale) clamped to [−127, 127] with scale = max|x| / 127, stored as
/// q + `zeroPoint` in a byte (128 gives the uint8 oneDNN's u8 × s8 kernel takes; 0 gives int8's two's complement).
/// Returns the scale: 1 for an all-zero row, NaN for a row with a NaN or an infinity (its products are then NaN, as
/// they would be in fp32).
@inline(__always)
func quantizeRow(_ line: UnsafePointer<Float>, _ count: Int, zeroPoint: Int32, into out: UnsafeMutablePointer<UInt8>) -> Float {
    // NaN compares false, so the running maximum would skip it: count non-finite lanes apart.
    var largest = FloatLanes(), finite = true
    var i = 0
    while i < count {
        let magnitude = absolute(loadLanes(line + i, count - i))
        finite = finite && all(magnitude .<= Float.greatestFiniteMagnitude)
        largest = lanesMaximum(largest, magnitude)
        i += 16
    }
    let maximum = laneMaximum(largest)
    guard finite else {
        out.update(repeating: UInt8(truncatingIfNeeded: zeroPoint), count: count)
        return .nan
    }
    let scale = maximum > 0 ? maximum / 127 : 1
    let inverse = 1 / scale
    for column in 0..<count {
        let q = min(127, max(-127, (line[column] * inverse).rounded(.toNearestOrEven)))
        out[column] = UInt8(truncatingIfNeeded: Int32(q) &+ zeroPoint)
    }
    return scale
}

/// `y[m, n] = x[m, k] · Wᵀ (+ bias[n])` with W quantised (`QuantizedMatrix`, [n, k]) and each row of x quantised at
/// run time: symmetric per row (scale = max|x| / 127), shifted by 128 to uint8 for oneDNN's u8 × s8 → s32 kernel, then
/// y = (acc[m, n] − 128 · Σⱼ W_q[n, j]) · scale_w[n] · scaleₓ[m] + bias[n]. y is overwritten.
public func linearInt8(
    x: UnsafePointer<Float>, m: Int, k: Int, weight: QuantizedMatrix, bias: UnsafePointer<Float>?,
    y: UnsafeMutablePointer<Float>
) {
    precondition(weight.columns == k, "int8 linear: input width \(k) against weight [\(weight.rows), \(weight.columns)]")
    let n = weight.rows
    guard m > 0 else { return }
    // Blocks of 512 rows, so that a block's activations, quantised rows and accumulators stay in cache from the
    // quantisation through the GEMM to the dequantisation: at 4096 rows, whole-matrix passes ran 10–20% slower
    // (BERT-base shapes, `ernie bench gemm --dtypes int8`; 256 and 1024 rows were slower than 512 too).
    let block = min(m, 512)
    // Scratch from the tensor pool (a fresh allocation of this size would be page-faulted in on every call).
    let scratch = (quantized: Storage(uninitializedCount: (block * k + 3) / 4), accumulators: Storage(uninitializedCount: block * n),
                   rowScales: Storage(uninitializedCount: block))
    withExtendedLifetime(scratch) {
        let quantized = UnsafeMutableRawPointer(scratch.quantized.base).assumingMemoryBound(to: UInt8.self)
        let accumulators = UnsafeMutableRawPointer(scratch.accumulators.base).assumingMemoryBound(to: Int32.self)
        let rowScales = scratch.rowScales.base
        for start in stride(from: 0, to: m, by: block) {
            let rows = min(block, m - start)
            let xBlock = x + start * k
            parallelFor(rows, grain: 8) { range in
                for row in range { rowScales[row] = quantizeRow(xBlock + row * k, k, zeroPoint: 128, into: quantized + row * k) }
            }
            weight.multiply(quantized, m: rows, into: accumulators)
            dequantize(accumulators, m: rows, weight: weight, rowScales: rowScales, bias: bias, into: y + start * n)
        }
    }
}

/// y[m, n] = (acc[m, n] − corrections[n]) · scales[n] · rowScales[m] + bias[n], rounded in that order (the ONNX
/// export computes the same).
private func dequantize(
    _ accumulators: UnsafePointer<Int32>, m: Int, weight: QuantizedMatrix, rowScales: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>
) {
    let n = weight.rows
    // Plain loops: LLVM vectorises them (SIMD16's generic Int32 → Float initialiser is an out-of-line call).
    weight.scales.withUnsafeBufferPointer { weightScales in
        weight.zeroPointCorrections.withUnsafeBufferPointer { corrections in
            let weightScales = weightScales.baseAddress!, corrections = corrections.baseAddress!
            parallelFor(m, grain: 8) { range in
                for row in range {
                    let scale = rowScales[row]
                    let accumulator = accumulators + row * n, out = y + row * n
                    if let bias {
                        for column in 0..<n {
                            out[column] = Float(accumulator[column] &- corrections[column]) * weightScales[column] * scale + bias[column]
                        }
                    } else {
                        for column in 0..<n {
                            out[column] = Float(accumulator[column] &- corrections[column]) * weightScales[column] * scale
                        }
                    }
                }
            }
        }
    }
}

/// The oneDNN kernel the int8 GEMM of this shape runs on (e.g. "brg:avx512_core_vnni"), and whether each product runs
/// as two halves because the kernel saturates (CPUs without VNNI; see `ernie_int8_matmul_exact`).
public func gemmInt8Implementation(m: Int, n: Int, k: Int) -> String {
    let kernel = String(cString: ernie_gemm_u8s8s32_impl(Int64(m), Int64(n), Int64(k)))
    return ernie_int8_matmul_exact() != 0 ? kernel : "\(kernel), twice per product (no VNNI: split activations)"
}
