import ErnieEngine
import ErnieModels
import ErnieText
import Foundation
import Testing
@testable import ErnieTraining

/// Loading a pretraining checkpoint into a task head, saving and reloading (with the CRF), and the optimizer's
/// parameter groups.
@Suite struct FineTuningModelTests {
    static let tinyBert = FineTuningTestSupport.root.appendingPathComponent("Tests/ErnieModelsTests/Fixtures/tiny_bert")

    @Test func pretrainingCheckpointIntoATaskHead() throws {
        var config = try BertConfig(contentsOf: Self.tinyBert.appendingPathComponent("config.json"))
        config.labelsById = [0: "O", 1: "B-PER", 2: "I-PER"]
        config.idsByLabel = ["O": 0, "B-PER": 1, "I-PER": 2]
        let model = try FineTuningModel(task: .tokenClassification, config: config, useCrf: true, seed: 7)
        let report = try model.load(from: Self.tinyBert)
        // As transformers reports it: the MLM/SOP heads and the pooler are unused, the classifier is new.
        #expect(report.uninitializedParameters == ["classifier.weight", "classifier.bias"])
        #expect(report.unexpectedKeys.contains("cls.predictions.bias") && report.unexpectedKeys.contains("cls.seq_relationship.weight"))
        #expect(report.unexpectedKeys.contains("bert.pooler.dense.weight"))
        // HF's head init: normal(0, initializer_range) weights, zero bias.
        let weights = model.parameters["classifier.weight"]!.values
        let std = (weights.reduce(0) { $0 + $1 * $1 } / Float(weights.count)).squareRoot()
        #expect(abs(std - 0.02) < 0.006)
        #expect(model.parameters["classifier.bias"]!.values.allSatisfy { $0 == 0 })

        let directory = try FineTuningTestSupport.temporaryDirectory("save")
        let saved = directory.appendingPathComponent("model")
        // tiny_bert has no tokenizer: the special tokens stand in.
        let tokenizer = try BertTokenizer(vocabulary: Vocabulary(tokens: Vocabulary.requiredSpecialTokens))
        try model.save(to: saved, tokenizer: TokenizerFiles(tokenizer: tokenizer, modelMaxLength: 512))
        let again = try FineTuningModel(task: .tokenClassification, config: try BertConfig(contentsOf: saved.appendingPathComponent("config.json")),
                                        useCrf: true, seed: 99)
        let second = try again.load(from: saved)
        #expect(second.uninitializedParameters.isEmpty && second.unexpectedKeys.isEmpty)
        for ((name, a), (_, b)) in zip(model.allParameters, again.allParameters) { #expect(a.values == b.values, "\(name) differs after reload") }
        #expect(again.config.labels == ["O", "B-PER", "I-PER"])
    }

    @Test func layerwiseDecayFactorsAndWeightDecayGroups() throws {
        let names = ["bert.embeddings.word_embeddings.weight", "bert.embeddings.LayerNorm.weight", "bert.encoder.layer.0.attention.self.query.weight",
                     "bert.encoder.layer.1.output.dense.bias", "bert.pooler.dense.weight", "classifier.weight", "crf.transitions"]
        let entries = try ParameterGroups(layers: 2, layerwiseDecay: 0.5).assign(names.map { ($0, Tensor(shape: [1]), true) })
        #expect(entries.map(\.rateFactor) == [0.125, 0.125, 0.25, 0.5, 1, 1, 1])
        // Weight decay comes from the declaration: not on biases, LayerNorm parameters; on the CRF's scores.
        var config = try BertConfig.preset(named: "ernie-tiny-zh-test")
        config.setLabelCount(3)
        let model = try FineTuningModel(task: .tokenClassification, config: config, useCrf: true, seed: 1)
        let decays = Dictionary(uniqueKeysWithValues: model.trainable.map { ($0.name, $0.decays) })
        #expect(decays["ernie.embeddings.word_embeddings.weight"] == true && decays["ernie.embeddings.LayerNorm.weight"] == false)
        #expect(decays["ernie.encoder.layer.1.output.dense.bias"] == false && decays["classifier.weight"] == true)
        #expect(decays["crf.transitions"] == true)
    }
}
