import CShims

/// A Linear layer's float32 weight [n, k] reordered once into the blocked layout of oneDNN's matmul primitive, for
/// inference: on a few rows (batch-1 inference: m = 128) that kernel (brgemm, AVX512 CPUs) runs 1.2–2× faster than
/// `dnnl_sgemm` on Zen 4 (128 × 768 × 3072: 200 against 97 GFLOP/s), while large training GEMMs gain nothing, so
/// training keeps `gemm`. On AVX2 CPUs, whose matmul is gemm-based, the weight stays unpacked (packed was slower).
/// One packed copy serves products with any number of rows (as `PackedBFloat16Weight`).
public final class PackedFloat32Weight: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    /// The weight itself: the fallback operand should a kernel want another layout, so it must outlive the handle.
    private let plain: Tensor
    private let packed: OpaquePointer

    /// Packs `weight` [rows, columns] (contiguous).
    public init(_ weight: Tensor) {
        precondition(weight.isContiguous && weight.rank == 2 && weight.count > 0, "packed weight \(weight.shape)")
        plain = weight
        rows = weight.shape[0]
        columns = weight.shape[1]
        Threads.configure()
        var status: Int32 = 0
        guard let packed = ernie_pack_f32_weights(Int64(rows), Int64(columns), weight.data, &status) else {
            fatalError("oneDNN could not pack a float32 matrix (\(status)) of [\(rows), \(columns)]")
        }
        self.packed = packed
    }

    deinit { ernie_packed_f32_weights_free(packed) }

    /// c[m, rows] = a[m, columns] · weightᵀ (+ bias [rows], added by the kernel; only with beta 0) + beta · c
    /// (lda = columns, ldc = rows).
    public func multiply(_ a: UnsafePointer<Float>, m: Int, bias: UnsafePointer<Float>? = nil, beta: Float = 0,
                         into c: UnsafeMutablePointer<Float>) {
        precondition(bias == nil || beta == 0, "a product's bias goes with beta 0")
        guard m > 0 else { return }
        Threads.configure()
        let status = ernie_gemm_f32_packed_weights(Int64(m), a, packed, bias, beta, c)
        if status != 0 { fatalError("oneDNN packed float32 matmul failed (\(status)) for m=\(m) n=\(rows) k=\(columns)") }
    }
}
