import ErnieEngine
import ErnieModels
import Foundation
import Testing
@testable import ErnieTraining

/// Ten AdamW steps of the tiny pretraining models against torch.optim.AdamW (lr 1e-3, weight decay 0.01 except
/// biases and LayerNorm, as HF's Trainer groups them) — tools/model_goldens.py. Bar: every loss ≤ 2e-6 relative.
@Suite struct AdamWGoldenTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ErnieModelsTests/Fixtures")

    @Test(arguments: ["bert", "ernie"])
    func tenStepsOfPretraining(family: String) throws {
        let goldens = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("goldens.json"))) as! [String: Any]
        let heads = (goldens["tiny"] as! [String: Any])["heads"] as! [String: Any]
        let expected = ((heads["\(family).pretraining"] as! [String: Any])["adamw_losses"] as! [NSNumber]).map(\.doubleValue)

        let config = try BertConfig(contentsOf: Self.fixtures.appendingPathComponent("tiny_\(family)/config.json"))
        let model = BertForPreTraining(try BertArchitecture(config), prefix: family + ".")
        let checkpoint = try SafetensorsFile(contentsOf: Self.fixtures.appendingPathComponent("tiny_\(family)/model.safetensors"))
        for (name, tensor) in model.parameters.ordered {
            try checkpoint.floats(named: name).withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: tensor.count) }
        }
        let golden = try SafetensorsFile(contentsOf: Self.fixtures.appendingPathComponent("tiny_\(family)_pretraining.safetensors"))
        let ids = { (name: String) in try golden.integers(named: name).map { Int32($0) } }
        let inputs = BertInputs(batch: 3, sequence: 16, inputIds: try ids("input_ids"), tokenTypeIds: try ids("token_type_ids"),
                                attentionMask: try ids("attention_mask"), taskTypeIds: family == "ernie" ? try ids("task_type_ids") : nil)
        let optimizer = Optimizer(AdamWRule(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01),
                                  parameters: try ParameterGroups(layers: 0).assign(model.parameters.trainable))
        var losses: [Double] = []
        for _ in 0..<10 {
            model.parameters.zeroGradients()
            let graph = Graph(training: true)
            let out = try model(inputs, mlmLabels: try ids("labels"), pairLabels: try ids("next_sentence_label"), graph: graph)
            graph.backward(from: out.loss!)
            optimizer.update(learningRate: 1e-3)
            losses.append(Double(out.loss!.values[0]))
        }
        let worst = zip(losses, expected).map { abs($0 - $1) / abs($1) }.max()!
        print("tiny \(family) AdamW: losses \(losses.map { String(format: "%.6f", $0) }), worst relative error \(worst)")
        // Measured: ≤ 1.5e-7 (ernie; bert 1.3e-7); bar 2e-6 (the issue's bar was 1e-4).
        #expect(worst <= 2e-6)
    }
}
