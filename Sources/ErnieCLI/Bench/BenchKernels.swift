import ArgumentParser
import ErnieEngine
import ErnieTraining
import Foundation

/// `ernie bench kernels`: memory throughput (GB/s of bytes read + written) of the pointwise and row kernels.
struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kernels", abstract: "Kernel throughput (GB/s).")

    @OptionGroup var output: BenchOutputOptions

    @Option(help: "Rows × columns of the activation, as RxC.")
    var shape = "4096x768"

    @Option(parsing: .unconditional, help: "Seconds to measure each case.")
    var seconds = 1.0

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        try FlagRange.positive("--seconds", seconds)
    }

    func run() throws {
        let dims = shape.split(separator: "x").compactMap { Int($0) }
        guard dims.count == 2, dims.allSatisfy({ $0 > 0 }) else { throw ValidationError("shape \(shape) is not RxC") }
        let (rows, columns) = (dims[0], dims[1])
        let count = rows * columns
        let x = Tensor(shape: [rows, columns]), y = Tensor(shape: [rows, columns]), dy = Tensor(shape: [rows, columns])
        var rng = RandomGenerator(seed: 1)
        rng.fillUniform(x, low: -3, high: 3)
        rng.fillUniform(dy, low: -1, high: 1)
        let dx = Tensor(shape: [rows, columns])
        let weight = Tensor(shape: [columns], repeating: 1), bias = Tensor(shape: [columns]), dw = Tensor(shape: [columns]), db = Tensor(shape: [columns])
        let mean = Tensor(shape: [rows]), rstd = Tensor(shape: [rows])
        let probs = Tensor(shape: [rows, columns])
        let bytes = Double(count * 4)

        let cases: [(name: String, bytes: Double, run: () -> Void)] = [
            ("layernorm_forward", 2 * bytes, {
                layerNormForward(y.data, mean: mean.data, rstd: rstd.data, x.data, weight: weight.data, bias: bias.data,
                                 rows: rows, columns: columns, eps: 1e-12) }),
            ("layernorm_backward", 4 * bytes, {
                layerNormBackward(dinput: dx.data, dweight: dw.data, dbias: db.data, dout: dy.data, input: x.data,
                                  weight: weight.data, mean: mean.data, rstd: rstd.data, rows: rows, columns: columns) }),
            ("gelu_forward", 2 * bytes, { activationForward(y.data, x.data, count: count, .gelu) }),
            ("gelu_backward", 4 * bytes, { activationBackward(dx.data, dy.data, saved: x.data, count: count, .gelu) }),
            ("softmax_forward", 2 * bytes, { softmaxForward(probs.data, x.data, rows: rows, columns: columns) }),
            ("add", 3 * bytes, { addForward(y.data, x.data, dy.data, count: count) }),
            ("dropout_forward", 2 * bytes, { dropoutForward(y.data, x.data, count: count, probability: 0.1, seed: 3, counter: 0) }),
        ]
        var printer = BenchPrinter(json: output.json)
        for item in cases {
            let cpuBefore = processCPUSeconds()
            var calls = 0
            let perCall = measure(seconds: seconds) {
                item.run()
                calls += 1
            }
            // CPU seconds per call per thread: what the kernel costs when it has the cores to itself (on a shared
            // machine wall time also counts the time other processes held them).
            let cpuPerCall = (processCPUSeconds() - cpuBefore) / Double(calls) / Double(Threads.count)
            printer.print(BenchRecord(
                bench: "kernels",
                fields: [("kernel", .string(item.name)), ("shape", .string("\(rows)x\(columns)")), ("threads", .int(Threads.count))],
                value: item.bytes / perCall / 1e9, unit: "GB/s",
                extra: [("cpu_GB_s", .double(item.bytes / cpuPerCall / 1e9))]))
        }
    }
}

/// CPU time of the whole process (all threads), in seconds.
func processCPUSeconds() -> Double {
    var usage = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &usage)
    return Double(usage.tv_sec) + Double(usage.tv_nsec) / 1e9
}
