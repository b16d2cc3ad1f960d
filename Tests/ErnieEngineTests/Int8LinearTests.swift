import Foundation
import Testing
@testable import ErnieEngine

/// The int8 linear layer against a naive oracle that quantises the same way (integer products, so the two agree to
/// float rounding) and against the float product (within the quantisation error).
@Suite struct Int8LinearTests {
    static func random(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var random = RandomGenerator(seed: seed)
        return (0..<count).map { _ in Float(random.uniform() * 2 - 1) * scale }
    }

    // Widths below, at and past the 16-lane blocks of the quantisation and dequantisation (tails included), and rows
    // past the 512-row blocks (two whole blocks and a remainder).
    @Test(arguments: [(1, 8, 16), (7, 33, 65), (64, 96, 128), (3, 768, 40), (1030, 17, 24)])
    func matchesTheNaiveQuantisedProduct(_ m: Int, _ n: Int, _ k: Int) throws {
        var x = Self.random(m * k, seed: 1, scale: 3)
        x[0] = 0   // a zero and an all-zero row take the scale-1 path
        if m > 1 { for j in 0..<k { x[k + j] = 0 } }
        let w = Self.random(n * k, seed: 2, scale: 0.2)
        let quantized = w.withUnsafeBufferPointer { QuantizedMatrix($0.baseAddress!, rows: n, columns: k) }
        let start = Self.random(n, seed: 3)   // the bias
        var y = Self.random(m * n, seed: 7)   // overwritten
        x.withUnsafeBufferPointer { xp in
            start.withUnsafeBufferPointer { bias in
                y.withUnsafeMutableBufferPointer {
                    linearInt8(x: xp.baseAddress!, m: m, k: k, weight: quantized, bias: bias.baseAddress!, y: $0.baseAddress!)
                }
            }
        }
        var worstOracle = 0.0, worstFloat = 0.0, largest = 0.0
        for row in 0..<m {
            let line = x[(row * k)..<((row + 1) * k)]
            let top = Double(line.map { abs($0) }.max()!)
            let scale = top > 0 ? Float(top / 127) : 1
            let q = line.map { Int(min(127, max(-127, ($0 * (1 / scale)).rounded(.toNearestOrEven)))) }
            for column in 0..<n {
                var integer = 0, exact = 0.0
                for j in 0..<k {
                    integer += q[j] * Int(quantized[column, j])
                    exact += Double(x[row * k + j]) * Double(w[column * k + j])
                }
                let oracle = Double(start[column]) + Double(scale) * Double(quantized.scales[column]) * Double(integer)
                worstOracle = max(worstOracle, abs(oracle - Double(y[row * n + column])))
                worstFloat = max(worstFloat, abs(Double(start[column]) + exact - Double(y[row * n + column])))
                largest = max(largest, abs(exact))
            }
        }
        // Measured: oracle ≤ 1e-6 (float rounding of the dequantisation); float product ≤ 0.6% of the largest output.
        #expect(worstOracle < 1e-5)
        #expect(worstFloat < 0.02 * max(largest, 1))
    }

    @Test func weightsAreSymmetricPerOutputChannel() {
        let w: [Float] = [0.5, -1, 0.25, 0, 0, 0]
        let quantized = w.withUnsafeBufferPointer { QuantizedMatrix($0.baseAddress!, rows: 2, columns: 3) }
        #expect(quantized[0, 1] == -127 && quantized[0, 0] == 64 && quantized[0, 2] == 32)
        #expect(abs(quantized.scales[0] - 1 / 127) < 1e-9 && quantized.scales[1] == 1)
        #expect(quantized[1, 0] == 0)
    }

    @Test func graphLinearInInt8() throws {
        let x = try Tensor(shape: [5, 12], values: Self.random(60, seed: 4))
        let weight = try Tensor(shape: [6, 12], values: Self.random(72, seed: 5, scale: 0.3))
        let bias = try Tensor(shape: [6], values: Self.random(6, seed: 6))
        let exact = try Graph.inference().linear(x, weight: weight, bias: bias).values
        let cache = WeightCache()
        let int8 = try Graph.inference(precision: .int8, weightCache: cache).linear(x, weight: weight, bias: bias).values
        #expect(zip(exact, int8).allSatisfy { abs($0 - $1) < 0.03 })
        #expect(try Graph.inference(precision: .int8, weightCache: cache).linear(x, weight: weight, bias: nil).values.count == 30)
        // Gradients cannot flow through int8 layers.
        weight.requiresGrad = true
        #expect(throws: TensorError.self) { try Graph(training: true, precision: .int8).linear(x, weight: weight, bias: bias) }
    }
}
