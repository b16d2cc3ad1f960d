import ErnieEngine
import Foundation

/// The arithmetic of one encoder step, to report `ernie bench train|infer` as GFLOP/s and a share of the machine's
/// measured GEMM peak. Counts multiply-adds as 2 FLOPs, matrix products only (element-wise work is not counted):
/// per token and layer the Q/K/V/output projections (4 · 2h²), the feed-forward pair (2 · 2hI) and attention's
/// QKᵀ and PV (2 · 2 · seq · h); the pooler per sequence (2h²); the MLM head per masked token (transform 2h² +
/// decoder 2hV). Training = 3 × forward (the backward pass computes two products per forward one).
/// BERT-base at seq 128: forward ≈ 175 MFLOP per token, training ≈ 540 MFLOP per token with 15% masked.
struct EncoderFLOPs {
    var hidden: Int, intermediate: Int, layers: Int, seq: Int, vocab: Int

    /// Forward FLOPs of the encoder for `tokens` tokens in sequences of `seq`, plus the pooler per sequence.
    func forward(tokens: Int) -> Double {
        let h = Double(hidden), i = Double(intermediate)
        let perTokenLayer = 2 * 4 * h * h + 2 * 2 * h * i + 2 * 2 * Double(seq) * h
        return Double(tokens) * Double(layers) * perTokenLayer + Double(tokens / max(seq, 1)) * 2 * h * h
    }

    /// Training FLOPs of one step: 3 × (encoder forward + MLM head on `masked` tokens).
    func training(tokens: Int, masked: Int) -> Double {
        let h = Double(hidden)
        return 3 * (forward(tokens: tokens) + Double(masked) * (2 * h * h + 2 * h * Double(vocab)))
    }
}

/// The GEMM peak the benchmarks compare against: a 4096 × 3072 × 768 product (BERT-base's feed-forward shape) in the
/// run's precision (bf16 with its weights packed once, as training and inference use them), about half a second.
enum MeasuredPeak {
    static func gflops(precision: MatmulPrecision) -> Double {
        let (m, n, k) = (4096, 3072, 768)
        let a = Tensor(shape: [m, k], repeating: 0.5), b = Tensor(shape: [n, k], repeating: 0.25), c = Tensor(shape: [m, n])
        let run: () -> Void
        switch precision {
        case .bf16:
            let a16 = BFloat16Buffer(count: a.count), b16 = BFloat16Buffer(count: b.count)
            a16.update(from: a.data)
            b16.update(from: b.data)
            let packed = PackedBFloat16Matrix(transposeB: true, m: m, n: n, k: k, b: b16.pointer, ldb: k)
            run = { packed.multiply(a16.pointer, into: c.data) }
        case .int8:
            let quantized = QuantizedMatrix(b.data, rows: n, columns: k)
            run = { linearInt8(x: a.data, m: m, k: k, weight: quantized, bias: nil, y: c.data) }
        default:
            run = { gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: c.data, ldc: n) }
        }
        return 2 * Double(m) * Double(n) * Double(k) / measure(seconds: 0.5, run) / 1e9
    }

    /// `gflops`, `peak_gflops` and `percent_of_peak` fields for a run that did `flops` in `seconds`, and the process's
    /// peak resident memory so far (`max_rss_mb`, getrusage) and the peak of tensor memory in use (`tensor_peak_mb`).
    static func fields(flops: Double, seconds: Double, peak: Double?) -> [(String, BenchValue)] {
        let achieved = flops / seconds / 1e9
        var fields: [(String, BenchValue)] = [("gflops", .double(achieved))]
        if let peak {
            fields += [("peak_gflops", .double(peak)), ("percent_of_peak", .double(100 * achieved / peak))]
        }
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 { fields.append(("max_rss_mb", .int(usage.ru_maxrss / 1024))) }
        fields.append(("tensor_peak_mb", .int(BufferPool.tensorPeakBytes >> 20)))
        return fields
    }
}
