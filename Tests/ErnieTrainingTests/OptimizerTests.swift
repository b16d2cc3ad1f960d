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
        let w = store.make("layer.weight", shape: [5], kind: .linearWeight, .normal(std: 1), random: &random)!
        let b = store.make("layer.bias", shape: [5], kind: .bias, .normal(std: 1), random: &random)!
        let initial = (w.values, b.values)
        let optimizer = Optimizer(AdamWRule(beta1: 0.9, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1),
                                  parameters: try ParameterGroups(layers: 0).assign(store.trainable))
        let grads: [[Float]] = [[0.5, -1, 2, 0, 0.1], [1, 1, -3, 0.2, -0.4]]
        var expectedW = initial.0.map(Double.init), expectedB = initial.1.map(Double.init)
        var m = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 2), v = m
        for (step, grad) in grads.enumerated() {
            for p in [w, b] { p.grad = try Tensor(shape: [5], values: grad) }
            optimizer.update(learningRate: 0.01)
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
        // Measured: ≤ 1.2e-7 absolute (float32 rounding); bar 1e-6.
        #expect(zip(w.values, expectedW).allSatisfy { abs(Double($0) - $1) < 1e-6 })
        #expect(zip(b.values, expectedB).allSatisfy { abs(Double($0) - $1) < 1e-6 })
    }

    /// Six LAMB and six Momentum steps against tools/optimizer_goldens.py (float64 numpy: torch.optim.SGD's documented
    /// momentum update and the published LAMB update), with a layer-wise rate factor of 0.5 on the undecayed bias.
    @Test(arguments: ["lamb", "momentum"])
    func ruleMatchesItsReference(_ kind: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/optimizer_goldens.json")
        let golden = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let initial = golden["initial"] as! [String: [Double]]
        let factors = golden["factors"] as! [String: Double]
        let names = ["layer.weight", "layer.bias"], shapes = [[3, 4], [4]]
        let tensors = try zip(names, shapes).map { try Tensor(shape: $1, values: initial[$0]!.map(Float.init)) }
        let parameters = zip(names, tensors).map {
            OptimizerParameter(name: $0, tensor: $1, rateFactor: Float(factors[$0]!), decays: $0.hasSuffix("weight"))
        }
        let rule: any UpdateRule = kind == "lamb" ? LAMBRule(beta1: 0.9, beta2: 0.999, epsilon: 1e-6, weightDecay: 0.01)
                                                   : MomentumRule(momentum: 0.9, weightDecay: 0.01)
        let optimizer = Optimizer(rule, parameters: parameters)
        for (gradients, rate) in zip(golden["gradients"] as! [[String: [Double]]], golden["learning_rates"] as! [Double]) {
            for (name, tensor) in zip(names, tensors) { tensor.grad = try Tensor(shape: tensor.shape, values: gradients[name]!.map(Float.init)) }
            optimizer.update(learningRate: rate)
        }
        let expected = golden[kind] as! [String: [Double]]
        var worst = 0.0
        for (name, tensor) in zip(names, tensors) {
            for (value, reference) in zip(tensor.values, expected[name]!) { worst = max(worst, abs(Double(value) - reference) / max(1e-3, abs(reference))) }
        }
        print("\(kind): worst relative error \(worst) after 6 steps")
        // Measured: LAMB 1.2e-7, Momentum 1.5e-7 (float32 rounding); bar 2e-6.
        #expect(worst < 2e-6)
    }

    @Test func stateUsesTorchNamesAndReadsTheOldOnes() throws {
        let store = ParameterStore()
        var random = RandomGenerator(seed: 1)
        let w = store.make("encoder.layer.0.weight", shape: [2, 3], kind: .linearWeight, .normal(std: 1), random: &random)!
        let parameters = try ParameterGroups(layers: 1).assign(store.trainable)
        let optimizer = Optimizer(AdamWRule(weightDecay: 0.01), parameters: parameters)
        w.grad = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        optimizer.update(learningRate: 0.1)
        let state = optimizer.stateTensors()
        #expect(state.keys.sorted() == ["exp_avg.encoder.layer.0.weight", "exp_avg_sq.encoder.layer.0.weight"])

        // The same state under the names pretraining checkpoints used before: the next update is identical.
        let renamed = Dictionary(uniqueKeysWithValues: state.map { ($0.key.replacingOccurrences(of: "exp_avg_sq.", with: "v.").replacingOccurrences(of: "exp_avg.", with: "m."), $0.value) })
        let copies = [w.values, w.values]
        var results: [[Float]] = []
        for tensors in [state, renamed] {
            copies[results.count].withUnsafeBufferPointer { w.data.update(from: $0.baseAddress!, count: 6) }
            let again = Optimizer(AdamWRule(weightDecay: 0.01), parameters: parameters)
            try again.restore(step: 1, tensors: tensors.mapValues { $0.copy() }, source: "test")
            w.grad = try Tensor(shape: [2, 3], values: [-1, 0.5, 0, 2, -3, 1])
            again.update(learningRate: 0.1)
            results.append(w.values)
        }
        #expect(results[0] == results[1])

        // Another optimizer's state, a state of the wrong shape, half a state: errors that name the file.
        let momentum = Optimizer(MomentumRule(), parameters: parameters)
        #expect(throws: TrainingError.self) { try momentum.restore(step: 1, tensors: state, source: "optimizer.safetensors") }
        let wrongShape = ["exp_avg.encoder.layer.0.weight": Tensor(shape: [3]), "exp_avg_sq.encoder.layer.0.weight": Tensor(shape: [3])]
        #expect(throws: TrainingError.self) { try optimizer.restore(step: 1, tensors: wrongShape, source: "optimizer.safetensors") }
        #expect(throws: TrainingError.self) {
            try optimizer.restore(step: 1, tensors: ["exp_avg.encoder.layer.0.weight": Tensor(shape: [2, 3])], source: "optimizer.safetensors")
        }
    }

    @Test func layerwiseDecayThatMatchesNoLayerIsAnError() throws {
        let tensors = [(name: "classifier.weight", tensor: Tensor(shape: [1]), decays: true)]
        #expect(throws: TrainingError.self) { try ParameterGroups(layers: 2, layerwiseDecay: 0.8).assign(tensors) }
        #expect(try ParameterGroups(layers: 2).assign(tensors).map(\.rateFactor) == [1])
    }

    @Test func clippingScalesToTheNorm() throws {
        let store = ParameterStore()
        var random = RandomGenerator(seed: 1)
        let a = store.make("a", shape: [2], kind: .weight, .zeros, random: &random)!, c = store.make("c", shape: [1], kind: .weight, .zeros, random: &random)!
        a.grad = try Tensor(shape: [2], values: [3, 0])
        c.grad = try Tensor(shape: [1], values: [4])
        let optimizer = Optimizer(AdamWRule(), parameters: try ParameterGroups(layers: 0).assign(store.trainable))
        let norm = optimizer.clipGradients(maxNorm: 1)
        // Measured: norm 0, clipped norm 1.9e-7, clipped gradient 1.2e-7 (float32); bars 1e-9, 1e-6, 1e-6.
        #expect(abs(norm - 5) < 1e-9)
        #expect(abs(optimizer.gradientNorm() - 1) < 1e-6)
        #expect(optimizer.clipGradients(maxNorm: 10) < 1.000001)  // below the limit: unchanged
        #expect(abs(a.grad!.values[0] - 0.6) < 1e-6)
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
        #expect(abs(cosine.rate(at: 50) - 0.5) < 1e-12)  // Measured: 0 for each rate above; bars allow float64 reordering.
    }
}
