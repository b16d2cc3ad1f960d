import ErnieEngine
import ErnieModels
import Foundation
import Testing
@testable import ErnieTraining

@Suite struct OptimizerTests {
    /// Two AdamW steps against the update written out in double precision.
    @Test func adamWMatchesTheFormula() throws {
        let store = ParameterStore()
        var random = RandomGenerator(seed: 1)
        let w = store.make("layer.weight", shape: [5], .normal(std: 1), random: &random)
        let b = store.make("layer.bias", shape: [5], .normal(std: 1), random: &random)
        let initial = (w.values, b.values)
        let optimizer = AdamW(beta1: 0.9, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1)
        let grads: [[Float]] = [[0.5, -1, 2, 0, 0.1], [1, 1, -3, 0.2, -0.4]]
        var expectedW = initial.0.map(Double.init), expectedB = initial.1.map(Double.init)
        var m = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 2), v = m
        for (step, grad) in grads.enumerated() {
            for p in [w, b] { p.grad = try Tensor(shape: [5], values: grad) }
            optimizer.update(store, learningRate: 0.01)
            let t = Double(step + 1)
            for (index, decay) in [(0, 0.1), (1, 0.0)] {
                for i in 0..<5 {
                    let g = Double(grad[i])
                    var value = index == 0 ? expectedW[i] : expectedB[i]
                    value *= 1 - 0.01 * decay
                    m[index][i] = 0.9 * m[index][i] + 0.1 * g
                    v[index][i] = 0.99 * v[index][i] + 0.01 * g * g
                    value -= 0.01 / (1 - pow(0.9, t)) * m[index][i] / (v[index][i].squareRoot() / (1 - pow(0.99, t)).squareRoot() + 1e-6)
                    if index == 0 { expectedW[i] = value } else { expectedB[i] = value }
                }
            }
        }
        #expect(zip(w.values, expectedW).allSatisfy { abs(Double($0) - $1) < 1e-6 })
        #expect(zip(b.values, expectedB).allSatisfy { abs(Double($0) - $1) < 1e-6 })
        #expect(AdamW.decays("encoder.layer.0.attention.output.dense.weight"))
        #expect(!AdamW.decays("encoder.layer.0.attention.output.LayerNorm.weight"))
        #expect(!AdamW.decays("ernie.encoder.layers.0.norm1.weight"))
        #expect(!AdamW.decays("cls.predictions.bias"))
    }

    @Test func clippingScalesToTheNorm() throws {
        let store = ParameterStore()
        var random = RandomGenerator(seed: 1)
        let a = store.make("a", shape: [2], .zeros, random: &random), c = store.make("c", shape: [1], .zeros, random: &random)
        a.grad = try Tensor(shape: [2], values: [3, 0])
        c.grad = try Tensor(shape: [1], values: [4])
        let norm = clipGradientNorm(store, maxNorm: 1)
        #expect(abs(norm - 5) < 1e-9)
        #expect(abs(gradientNorm(store) - 1) < 1e-5)
        #expect(clipGradientNorm(store, maxNorm: 10) < 1.0001)  // below the limit: unchanged
        #expect(abs(a.grad!.values[0] - 0.6) < 1e-5)
    }

    @Test func schedulesMatchTheirDefinitions() {
        let paddle = LearningRateSchedule.linearAnnealing(maxLR: 1e-4, minLR: 1e-5, warmup: 10, decaySteps: 110)
        #expect(paddle.rate(at: 0) == 0)
        #expect(abs(paddle.rate(at: 5) - 5e-5) < 1e-15)
        #expect(abs(paddle.rate(at: 10) - 1e-4) < 1e-15)
        #expect(abs(paddle.rate(at: 60) - 5.5e-5) < 1e-12)
        #expect(paddle.rate(at: 111) == 1e-5)
        let hf = LearningRateSchedule.linear(maxLR: 1e-3, warmup: 200, total: 1000)
        #expect(abs(hf.rate(at: 100) - 5e-4) < 1e-15)
        #expect(abs(hf.rate(at: 600) - 5e-4) < 1e-15)
        #expect(hf.rate(at: 1000) == 0)
        let cosine = LearningRateSchedule.cosine(maxLR: 1, minLR: 0, warmup: 0, total: 100)
        #expect(abs(cosine.rate(at: 50) - 0.5) < 1e-12)
    }
}
