import CShims

/// A Linear layer's weight [n, k] rounded to bfloat16 and reordered once into oneDNN's blocked bf16 layout, which the
/// plain-layout GEMM repacks inside every call: inference runs each weight many times. One packed copy serves
/// products with any number of rows (a primitive per row count comes from the cache; should one want another layout,
/// the product runs on the plain copy).
public final class PackedBFloat16Weight: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    /// The plain bf16 copy [rows, columns] (the fallback operand, and what `bfloat16` callers read).
    public let plain: BFloat16Buffer
    private let packed: OpaquePointer

    /// Rounds `weight` [rows, columns] (row-major) to bf16 and packs it.
    public init(_ weight: UnsafePointer<Float>, rows: Int, columns: Int) {
        precondition(rows > 0 && columns > 0, "empty bf16 weight [\(rows), \(columns)]")
        self.rows = rows
        self.columns = columns
        plain = BFloat16Buffer(count: rows * columns)
        plain.update(from: weight)
        Threads.configure()
        var status: Int32 = 0
        guard let packed = ernie_pack_bf16_weights(Int64(rows), Int64(columns), plain.pointer, &status) else {
            fatalError("oneDNN could not pack a bf16 matrix (\(status)) of [\(rows), \(columns)]")
        }
        self.packed = packed
    }

    deinit { ernie_packed_bf16_weights_free(packed) }

    /// c[m, rows] = a[m, columns] · weightᵀ (+ bias [rows], added by the kernel; only with beta 0) + beta · c
    /// (lda = columns, ldc = rows).
    public func multiply(_ a: UnsafePointer<UInt16>, m: Int, bias: UnsafePointer<Float>? = nil, beta: Float = 0,
                         into c: UnsafeMutablePointer<Float>) {
        precondition(bias == nil || beta == 0, "a product's bias goes with beta 0")
        guard m > 0 else { return }
        Threads.configure()
        let status = ernie_gemm_bf16_packed_weights(Int64(m), a, packed, bias, beta, c)
        if status != 0 { fatalError("oneDNN packed bf16 matmul failed (\(status)) for m=\(m) n=\(rows) k=\(columns)") }
    }
}
