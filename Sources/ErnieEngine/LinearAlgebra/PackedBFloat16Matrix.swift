import CShims

/// The B operand of bf16 GEMMs with m rows, reordered once into the blocked layout oneDNN's AMX kernel reads.
///
/// `gemmBF16` takes B in a plain row-major layout and oneDNN repacks it inside every call; for a weight used by many
/// products (inference, or every micro-batch of a step) packing once saves that copy. op(B) is [k, n]: with
/// `transposeB`, B is stored [n, k] (a Linear layer's weight).
public final class PackedBFloat16Matrix: @unchecked Sendable {
    public let m: Int, n: Int, k: Int
    private let handle: OpaquePointer

    public init(transposeB: Bool, m: Int, n: Int, k: Int, b: UnsafePointer<UInt16>, ldb: Int) {
        precondition(m > 0 && n > 0 && k > 0, "empty packed GEMM \(m)x\(n)x\(k)")
        Threads.configure()
        var status: Int32 = 0
        // fatalError, not precondition: release builds are -Ounchecked, where a failed precondition is not caught.
        guard let packed = ernie_pack_bf16(transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k), b, Int64(ldb), &status) else {
            fatalError("oneDNN could not pack a bf16 matrix (\(status)) for m=\(m) n=\(n) k=\(k)")
        }
        self.m = m
        self.n = n
        self.k = k
        handle = packed
    }

    deinit { ernie_packed_bf16_free(handle) }

    /// c[m, n] = a[m, k] · op(B): a bf16 row-major with lda = k, c overwritten (ldc = n).
    public func multiply(_ a: UnsafePointer<UInt16>, into c: UnsafeMutablePointer<Float>) {
        let status = ernie_gemm_bf16_packed(a, handle, c)
        if status != 0 { fatalError("oneDNN packed bf16 matmul failed (\(status)) for m=\(m) n=\(n) k=\(k)") }
    }
}
