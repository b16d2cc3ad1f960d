import CShims

/// Which precision the products of a linear layer are formed in. Outputs are always float32.
public enum MatmulPrecision: String, Sendable, Codable, CaseIterable {
    /// float32 inputs (`dnnl_sgemm`).
    case fp32
    /// Inputs rounded to bfloat16, float32 accumulation (AMX or AVX512-BF16; on CPUs with neither the products run as
    /// float32 ones on the rounded inputs: the same numbers, slower than fp32).
    case bf16
    /// Inference only: weights int8 per output channel, activations int8 per row at run time, int32 accumulation
    /// (AVX512-VNNI / AMX-INT8; exact at twice the work without them), dequantised to float32 (`QuantizedMatrix`).
    case int8
}

/// ernie's one GEMM entry point (row-major, as oneDNN's):
/// `C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C`, op(X) = Xᵀ when `transposeX`.
/// `lda`, `ldb`, `ldc` are row strides of A, B, C as stored.
///
/// Called inside a `parallelFor` body it runs single-threaded (OpenMP nesting is off), so per-head attention GEMMs
/// can be spread across threads while large GEMMs use every thread themselves.
public func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        scaleInPlace(c, rows: m, columns: n, ld: ldc, by: beta)
        return
    }
    Threads.configure()
    let status = dnnl_sgemm(
        transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k), alpha,
        a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
    // Not precondition: release builds are -Ounchecked, which drops it.
    if status != dnnl_success { fatalError("dnnl_sgemm failed (\(status)) for m=\(m) n=\(n) k=\(k)") }
}

/// The bf16 GEMM: A and B already rounded to bfloat16 (see `BFloat16`), C float32. A `bias` [n] (only with alpha 1 and
/// beta 0) is added to every row of C by the kernel itself, with no pass over C before the product.
public func gemmBF16(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int, bias: UnsafePointer<Float>? = nil,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    precondition(bias == nil || (alpha == 1 && beta == 0), "a GEMM's bias goes with alpha 1 and beta 0")
    guard m > 0, n > 0 else { return }
    if k == 0 {
        scaleInPlace(c, rows: m, columns: n, ld: ldc, by: beta)
        if let bias { for row in 0..<m { (c + row * ldc).update(from: bias, count: n) } }
        return
    }
    Threads.configure()
    let (ta, tb): (CChar, CChar) = (transposeA ? 84 : 78, transposeB ? 84 : 78)
    let status: Int32
    if let bias {
        status = ernie_gemm_bf16_bias(ta, tb, Int64(m), Int64(n), Int64(k), a, Int64(lda), b, Int64(ldb), bias, c, Int64(ldc))
    } else {
        status = ernie_gemm_bf16(ta, tb, Int64(m), Int64(n), Int64(k), alpha, a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
    }
    if status != 0 { fatalError("oneDNN bf16 matmul failed (\(status)) for m=\(m) n=\(n) k=\(k)") }
}

/// The oneDNN kernel a bf16 GEMM of this shape runs on (e.g. "brg:avx512_core_amx_bf16").
public func gemmBF16Implementation(m: Int, n: Int, k: Int) -> String {
    String(cString: ernie_gemm_bf16_impl(Int64(m), Int64(n), Int64(k)))
}

/// How bf16 matmuls run on this CPU, for run summaries: "AMX", "AVX512-BF16", or the oneDNN kernel's name when it
/// has neither (then bf16 is emulated and slower than fp32).
public func bf16MatmulHardware() -> String {
    let kernel = gemmBF16Implementation(m: 256, n: 256, k: 256)
    if kernel.contains("amx") { return "AMX" }
    if kernel.contains("avx512_core_bf16") { return "AVX512-BF16" }
    return "no native bf16: \(kernel)"
}

private func scaleInPlace(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int, by beta: Float) {
    for row in 0..<rows {
        let line = c + row * ld
        for column in 0..<columns { line[column] = beta == 0 ? 0 : beta * line[column] }
    }
}

/// The naive triple loop, in double precision: the oracle the fast GEMMs are tested against.
public func gemmNaive(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += Double(x) * Double(y)
            }
            let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            c[i * ldc + j] = Float(Double(alpha) * sum + previous)
        }
    }
}
