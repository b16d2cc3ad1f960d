import ArgumentParser
import ErnieBasics
import ErnieEngine
import ErnieTraining
import Foundation

/// `ernie bench gemm`: GFLOP/s of the GEMM wrapper on BERT-base shapes, fp32 and bf16.
struct BenchGEMM: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemm", abstract: "GEMM throughput (GFLOP/s).")

    @OptionGroup var output: BenchOutputOptions

    @Option(help: "Shapes as MxNxK, comma-separated.")
    var shapes = "4096x768x768,4096x3072x768,4096x768x3072"

    @Option(help: "Data types: f32, f32-packed (B as [N, K] reordered once for oneDNN's matmul primitive, as inference runs), bf16, bf16-packed (B reordered once into the bf16 kernel's layout), int8 (a linear layer: per-row activation quantisation, u8 × s8 GEMM, dequantisation; B as [N, K]); comma-separated.")
    var dtypes = "f32,f32-packed,bf16,bf16-packed,int8"

    @Option(parsing: .unconditional, help: "Seconds to measure each case.")
    var seconds = 1.0

    @Option(name: .customLong("transpose_b"), help: "B stored as [N, K] (a Linear layer's weight, the default) or [K, N].")
    var transposeB = true

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        try FlagRange.positive("--seconds", seconds)
    }

    func run() throws {
        var printer = BenchPrinter(json: output.json)
        for shape in shapes.split(separator: ",") {
            let dims = shape.split(separator: "x").compactMap { Int($0) }
            // Each matrix is allocated by the unchecked engine: its element count must not overflow.
            guard dims.count == 3, dims.allSatisfy({ $0 > 0 }),
                  [[dims[0], dims[2]], [dims[1], dims[2]], [dims[0], dims[1]]].allSatisfy({ CheckedSize.product($0, atMost: 1 << 32) != nil }) else {
                throw ValidationError("--shapes: \(shape) is not MxNxK with positive sizes and at most 2^32 elements per matrix")
            }
            let (m, n, k) = (dims[0], dims[1], dims[2])
            let a = Tensor(shape: [m, k], repeating: 0.5), b = Tensor(shape: transposeB ? [n, k] : [k, n], repeating: 0.25)
            let ldb = transposeB ? k : n
            let c = Tensor(shape: [m, n])
            for dtype in dtypes.split(separator: ",") {
                let run: () -> Void
                switch dtype {
                case "f32":
                    run = { gemm(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: ldb, c: c.data, ldc: n) }
                case "f32-packed":
                    guard transposeB else { throw ValidationError("f32-packed takes B as [N, K] (--transpose_b true)") }
                    let packed = PackedFloat32Weight(b)
                    run = { packed.multiply(a.data, m: m, into: c.data) }
                case "bf16":
                    let a16 = BFloat16Buffer(count: a.count), b16 = BFloat16Buffer(count: b.count)
                    a16.update(from: a.data)
                    b16.update(from: b.data)
                    run = { gemmBF16(transposeA: false, transposeB: transposeB, m: m, n: n, k: k, a: a16.pointer, lda: k, b: b16.pointer, ldb: ldb, c: c.data, ldc: n) }
                case "bf16-packed":
                    let a16 = BFloat16Buffer(count: a.count), b16 = BFloat16Buffer(count: b.count)
                    a16.update(from: a.data)
                    b16.update(from: b.data)
                    let packed = PackedBFloat16Matrix(transposeB: transposeB, m: m, n: n, k: k, b: b16.pointer, ldb: ldb)
                    run = { packed.multiply(a16.pointer, into: c.data) }
                case "int8":
                    guard transposeB else { throw ValidationError("int8 takes B as [N, K] (--transpose_b true)") }
                    let quantized = QuantizedMatrix(b.data, rows: n, columns: k)
                    run = { linearInt8(x: a.data, m: m, k: k, weight: quantized, bias: nil, y: c.data) }
                default:
                    throw ValidationError("unknown dtype \(dtype) (use f32, f32-packed, bf16, bf16-packed or int8)")
                }
                let perCall = measure(seconds: seconds, run)
                printer.print(BenchRecord(
                    bench: "gemm",
                    fields: [("shape", .string("\(m)x\(n)x\(k)")), ("dtype", .string(String(dtype))), ("threads", .int(Threads.count))],
                    value: 2 * Double(m) * Double(n) * Double(k) / perCall / 1e9, unit: "GFLOP/s"))
            }
        }
    }
}

/// Median seconds per call of `body` over about `seconds` of runs, after two warm-up calls.
func measure(seconds: Double, _ body: () -> Void) -> Double {
    body()
    body()
    var times: [Double] = []
    let start = DispatchTime.now().uptimeNanoseconds
    repeat {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    } while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds || times.count < 3
    return times.sorted()[times.count / 2]
}
