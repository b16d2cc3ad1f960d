import Testing
@testable import ErnieEngine

/// Finite-difference gradient checking in float64: loss = Σ wᵢ·yᵢ (w fixed random) is evaluated in double precision
/// around the float32 kernels; central differences give the numeric gradient of every input element (or a sample of
/// them), compared with the op's hand-written backward.
struct GradientCheck {
    var epsilon: Double = 1e-2
    /// Maximum |analytic − numeric| / max(‖numeric‖∞, 1e-2).
    /// Measured: ≤ 9.3e-5 (crossEntropy; the other ops 8e-7…8e-5: float32 rounding in the differences); bar 1e-3.
    var tolerance: Double = 1e-3
    var samplesPerInput = 40

    /// - Parameters:
    ///   - inputs: the tensors to differentiate against (their requiresGrad is set here).
    ///   - build: runs the op(s) on a graph; must be deterministic (a fixed-seed graph is passed).
    /// - Returns: the worst relative error over the inputs.
    @discardableResult
    func check(_ name: String, inputs: [Tensor], training: Bool = false,
               build: (Graph, [Tensor]) throws -> Tensor) throws -> Double {
        for input in inputs {
            input.requiresGrad = true
            input.grad = nil
        }
        let graph = Graph(training: training, recordsGradients: true, random: RandomGenerator(seed: 7))
        let output = try build(graph, inputs)
        var rng = RandomGenerator(seed: 99)
        let weights = Tensor(uninitializedShape: output.shape)
        rng.fillUniform(weights, low: -1, high: 1)
        try graph.backward(from: output, gradient: weights)

        func loss() throws -> Double {
            let graph = Graph(training: training, recordsGradients: false, random: RandomGenerator(seed: 7))
            let y = try build(graph, inputs).contiguous()
            var total = 0.0
            for i in 0..<y.count { total += Double(weights.data[i]) * Double(y.data[i]) }
            return total
        }

        var worst = 0.0
        for (number, input) in inputs.enumerated() {
            let analytic = input.grad ?? Tensor(shape: input.shape)
            var picker = RandomGenerator(seed: UInt64(number) + 1)
            let positions = input.count <= samplesPerInput
                ? Array(0..<input.count) : (0..<samplesPerInput).map { _ in picker.below(input.count) }
            var maxError = 0.0, maxNumeric = 0.0
            for i in positions {
                let saved = input.data[i]
                input.data[i] = Float(Double(saved) + epsilon)
                let plus = try loss()
                input.data[i] = Float(Double(saved) - epsilon)
                let minus = try loss()
                input.data[i] = saved
                let numeric = (plus - minus) / (2 * epsilon)
                maxNumeric = max(maxNumeric, abs(numeric))
                maxError = max(maxError, abs(numeric - Double(analytic.data[i])))
            }
            let relative = maxError / max(maxNumeric, 1e-2)
            worst = max(worst, relative)
            #expect(relative <= tolerance, "\(name): input \(number) \(input.shape): max |Δ| \(maxError), ‖g‖∞ \(maxNumeric)")
        }
        print("gradcheck \(name): worst relative error \(worst)")
        return worst
    }
}

/// A tensor of uniform values in [low, high).
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let t = Tensor(uninitializedShape: shape)
    rng.fillUniform(t, low: low, high: high)
    return t
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
