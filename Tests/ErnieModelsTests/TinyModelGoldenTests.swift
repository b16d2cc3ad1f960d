import ErnieEngine
import Foundation
import Testing
@testable import ErnieModels

/// The tiny random BERT/ERNIE against transformers (tools/model_goldens.py): logits, losses and every parameter
/// gradient. Tolerances, about 10x the measured errors: logits ≤ 5e-6 and loss ≤ 1e-6 relative, gradients ≤ 1e-4
/// relative to their max-norm (the bars were 1e-5 and 1e-3).
@Suite struct TinyModelGoldenTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Golden {
        let file: SafetensorsFile
        func floats(_ name: String) throws -> [Float] { try file.floats(named: name) }
        func ids(_ name: String) throws -> [Int32] { try file.integers(named: name).map { Int32($0) } }
        func has(_ name: String) -> Bool { file.info(named: name) != nil }
    }

    static func golden(_ name: String) throws -> Golden {
        Golden(file: try SafetensorsFile(contentsOf: fixtures.appendingPathComponent(name)))
    }

    static func architecture(_ family: String) throws -> BertArchitecture {
        try BertArchitecture(BertConfig(contentsOf: fixtures.appendingPathComponent("tiny_\(family)/config.json")))
    }

    /// Copies every parameter of `store` from the pretraining checkpoint (and `param.<name>` of the head's golden).
    static func load(_ store: ParameterStore, family: String, head golden: Golden) throws {
        let checkpoint = try SafetensorsFile(contentsOf: fixtures.appendingPathComponent("tiny_\(family)/model.safetensors"))
        for (name, tensor) in store.ordered {
            let values = checkpoint.info(named: name) != nil ? try checkpoint.floats(named: name) : try golden.floats("param." + name)
            #expect(values.count == tensor.count, "\(name)")
            values.withUnsafeBufferPointer { tensor.data.update(from: $0.baseAddress!, count: tensor.count) }
        }
    }

    static func inputs(_ golden: Golden, family: String) throws -> BertInputs {
        BertInputs(batch: 3, sequence: 16, inputIds: try golden.ids("input_ids"), tokenTypeIds: try golden.ids("token_type_ids"),
                   attentionMask: try golden.ids("attention_mask"),
                   taskTypeIds: family == "ernie" ? try golden.ids("task_type_ids") : nil)
    }

    /// max |actual − expected| / max(‖expected‖∞, floor). The floor (1e-4) stands in for gradients that are zero
    /// in exact arithmetic, such as attention key biases (softmax ignores a per-row constant): there both sides
    /// hold only rounding noise near 1e-9, whose ratio means nothing.
    static func relativeError(_ actual: [Float], _ expected: [Float], floor: Double = 1e-12) -> Double {
        let scale = max(expected.map { abs(Double($0)) }.max() ?? 0, floor)
        return zip(actual, expected).map { abs(Double($0) - Double($1)) }.max()! / scale
    }

    /// Checks every parameter gradient; returns the worst relative error.
    static func checkGradients(_ store: ParameterStore, _ golden: Golden, _ label: String) throws -> Double {
        var worst = 0.0
        for (name, tensor) in store.ordered {
            let expected = try golden.floats("grad." + name)
            let error = relativeError(tensor.grad?.values ?? [Float](repeating: 0, count: tensor.count), expected, floor: 1e-4)
            // Measured: ≤ 7.2e-6 (bert sequence classification; float32 rounding); bar 1e-4.
            #expect(error <= 1e-4, "\(label) gradient \(name): relative error \(error)")
            worst = max(worst, error)
        }
        return worst
    }

    @Test(arguments: ["bert", "ernie"])
    func pretraining(family: String) throws {
        let golden = try Self.golden("tiny_\(family)_pretraining.safetensors")
        let model = BertForPreTraining(try Self.architecture(family), prefix: family + ".")
        try Self.load(model.parameters, family: family, head: golden)
        let graph = Graph(training: true)
        let out = try model(Self.inputs(golden, family: family), mlmLabels: golden.ids("labels"),
                            pairLabels: golden.ids("next_sentence_label"), graph: graph)
        let logitError = Self.relativeError(out.mlmLogits.values, try golden.floats("prediction_logits"))
        let pairError = Self.relativeError(out.pairLogits!.values, try golden.floats("seq_relationship_logits"))
        let lossError = Self.relativeError(out.loss!.values, try golden.floats("loss"))
        // Measured: logits ≤ 4.9e-7, pair logits ≤ 3.7e-7, loss ≤ 7.9e-8; bars 5e-6, 5e-6, 1e-6.
        #expect(logitError <= 5e-6 && pairError <= 5e-6, "logits: \(logitError), \(pairError)")
        #expect(lossError <= 1e-6, "loss: \(lossError)")
        graph.backward(from: out.loss!)
        let gradientError = try Self.checkGradients(model.parameters, golden, "\(family) pretraining")
        print("tiny \(family) pretraining: logits \(logitError), pair logits \(pairError), loss \(lossError), worst gradient \(gradientError)")
    }

    @Test(arguments: ["bert", "ernie"])
    func sequenceClassification(family: String) throws {
        let golden = try Self.golden("tiny_\(family)_sequence_classification.safetensors")
        let model = BertForSequenceClassification(try Self.architecture(family), prefix: family + ".", labels: 3)
        try Self.load(model.parameters, family: family, head: golden)
        let graph = Graph(training: true)
        let out = try model(Self.inputs(golden, family: family), targets: .classes(golden.ids("labels")), graph: graph)
        let logitError = Self.relativeError(out.logits.values, try golden.floats("logits"))
        let lossError = Self.relativeError(out.loss!.values, try golden.floats("loss"))
        // Measured: logits ≤ 4.0e-7, loss 0; bars 5e-6, 1e-6.
        #expect(logitError <= 5e-6 && lossError <= 1e-6, "logits \(logitError), loss \(lossError)")
        graph.backward(from: out.loss!)
        let gradientError = try Self.checkGradients(model.parameters, golden, "\(family) sequence classification")
        print("tiny \(family) sequence classification: logits \(logitError), loss \(lossError), worst gradient \(gradientError)")
    }

    @Test(arguments: ["bert", "ernie"])
    func tokenClassification(family: String) throws {
        let golden = try Self.golden("tiny_\(family)_token_classification.safetensors")
        let model = BertForTokenClassification(try Self.architecture(family), prefix: family + ".", labels: 5)
        try Self.load(model.parameters, family: family, head: golden)
        let graph = Graph(training: true)
        let out = try model(Self.inputs(golden, family: family), labels: golden.ids("labels"), graph: graph)
        let logitError = Self.relativeError(out.logits.values, try golden.floats("logits"))
        let lossError = Self.relativeError(out.loss!.values, try golden.floats("loss"))
        // Measured: logits ≤ 3.0e-7, loss ≤ 7.1e-8; bars 5e-6, 1e-6.
        #expect(logitError <= 5e-6 && lossError <= 1e-6, "logits \(logitError), loss \(lossError)")
        graph.backward(from: out.loss!)
        let gradientError = try Self.checkGradients(model.parameters, golden, "\(family) token classification")
        print("tiny \(family) token classification: logits \(logitError), loss \(lossError), worst gradient \(gradientError)")
    }

    /// Other activations on the same weights: ReLU (ERNIE 1.0) logits and the tanh-approximated GELU's pair logits.
    @Test func otherActivations() throws {
        let golden = try Self.golden("tiny_bert_pretraining.safetensors")
        for (activation, key) in [(Activation.relu, "relu"), (.geluNew, "gelu_new")] {
            var architecture = try Self.architecture("bert")
            architecture.activation = activation
            let model = BertForPreTraining(architecture, prefix: "bert.")
            try Self.load(model.parameters, family: "bert", head: golden)
            let out = try model(Self.inputs(golden, family: "bert"), mlmLabels: golden.ids("labels"),
                                pairLabels: golden.ids("next_sentence_label"), graph: .inference())
            let logitError = golden.has(key + ".prediction_logits")
                ? Self.relativeError(out.mlmLogits.values, try golden.floats(key + ".prediction_logits")) : 0
            let pairError = Self.relativeError(out.pairLogits!.values, try golden.floats(key + ".seq_relationship_logits"))
            let lossError = Self.relativeError(out.loss!.values, try golden.floats(key + ".loss"))
            print("tiny bert \(key): logits \(logitError), pair logits \(pairError), loss \(lossError)")
            // Measured: logits 3.2e-7 (relu), pair logits ≤ 3.6e-7, loss ≤ 7.9e-8; bars 5e-6, 5e-6, 1e-6.
            #expect(logitError <= 5e-6 && pairError <= 5e-6, "\(key) logits: \(logitError), \(pairError)")
            #expect(lossError <= 1e-6, "\(key) loss: \(lossError)")
        }
    }
}

/// `--use_recompute`: recomputing each layer in the backward pass gives the same gradients, dropout included.
@Suite struct RecomputeTests {
    @Test func recomputeGivesTheSameGradients() throws {
        let architecture = try BertArchitecture(vocabularySize: 50, hiddenSize: 32, layers: 2, heads: 4, intermediateSize: 64,
                                                hiddenDropout: 0.1, attentionDropout: 0.1, maxPositions: 16)
        var gradients: [[String: [Float]]] = []
        for recompute in [false, true] {
            var model = BertForPreTraining(architecture, prefix: "ernie.", seed: 3)
            model.bert.recomputesLayers = recompute
            let graph = Graph(training: true, random: RandomGenerator(seed: 11))
            let inputs = BertInputs(batch: 2, sequence: 8, inputIds: (0..<16).map { Int32(5 + $0 * 3 % 45) },
                                    attentionMask: (0..<16).map { $0 < 14 ? 1 : 0 })
            let out = try model(inputs, maskedPositions: [1, 4, 9], mlmLabels: [7, 8, 9], pairLabels: [0, 1], graph: graph)
            graph.backward(from: out.loss!)
            gradients.append(Dictionary(uniqueKeysWithValues: model.parameters.ordered.map { ($0.name, $0.tensor.grad!.values) }))
        }
        for (name, plain) in gradients[0] {
            // Measured: 0 (the same kernels on the same inputs); exact.
            #expect(plain == gradients[1][name]!, "\(name): max abs difference \(maxAbsDifference(plain, gradients[1][name]!))")
        }
    }
}

/// The engine models create exactly the parameters (names and shapes) of the checkpoint tables.
@Suite struct ParameterTableAgreementTests {
    @Test(arguments: [ModelType.bert, .ernie])
    func everyHeadMatchesItsTable(modelType: ModelType) throws {
        var config = try BertConfig.preset(named: "ernie-tiny-zh-test")
        config.modelType = modelType
        config.useTaskId = modelType == .ernie
        config.setLabelCount(3)
        let architecture = try BertArchitecture(config)
        let prefix = modelType.parameterPrefix + "."
        let base = BertModel(architecture, seed: 1).store
        let stores: [(ModelHead, ParameterStore)] = [
            (.base, base),
            (.pretraining, BertForPreTraining(architecture, prefix: prefix).parameters),
            (.maskedLM, BertForMaskedLM(architecture, prefix: prefix).parameters),
            (.sequenceClassification, BertForSequenceClassification(architecture, prefix: prefix, labels: 3).parameters),
            (.tokenClassification, BertForTokenClassification(architecture, prefix: prefix, labels: 3).parameters),
            (.questionAnswering, BertForQuestionAnswering(architecture, prefix: prefix).parameters),
            (.multipleChoice, BertForMultipleChoice(architecture, prefix: prefix).parameters),
        ]
        for (head, store) in stores {
            let table = ParameterTable(config: config, head: head)
            #expect(store.names == table.names, "\(modelType) \(head)")
            for spec in table.parameters { #expect(store[spec.name]?.shape == spec.shape, "\(spec.name)") }
        }
    }

    /// Save → load round trip through a Hugging Face directory.
    @Test func saveAndLoadRoundTrip() throws {
        let config = try BertConfig.preset(named: "ernie-tiny-zh-test")
        let model = BertForPreTraining(try BertArchitecture(config), prefix: config.modelType.parameterPrefix + ".", seed: 5)
        let table = ParameterTable(config: config, head: .pretraining)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-roundtrip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try PretrainedWeights.save(model.parameters, table: table, to: directory, durable: false)
        let other = BertForPreTraining(try BertArchitecture(config), prefix: config.modelType.parameterPrefix + ".", seed: 6)
        let report = try PretrainedWeights.load(other.parameters, table: table, from: directory, strict: true)
        #expect(report.missingKeys.isEmpty && report.unexpectedKeys.isEmpty)
        for (name, tensor) in model.parameters.ordered { #expect(other.parameters[name]!.values == tensor.values, "\(name)") }
    }
}
