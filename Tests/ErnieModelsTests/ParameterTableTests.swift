import Foundation
import Testing

@testable import ErnieModels

@Suite struct ParameterTableTests {
    static let combinations: [(ModelType, ModelHead)] = [ModelType.bert, .ernie].flatMap { type in ModelHead.allCases.map { (type, $0) } }

    /// Names, order and shapes equal `named_parameters()`; saved keys equal what `save_pretrained` wrote; aliases,
    /// buffers and the no-decay set equal transformers' (goldens.json `key_sets`, tiny config, ERNIE with task ids).
    @Test(arguments: 0..<combinations.count)
    func matchesTransformers(index: Int) throws {
        let (modelType, head) = Self.combinations[index]
        let golden = try #require(TestSupport.goldens["key_sets"]?["\(modelType.rawValue).\(head.rawValue)"])
        let table = ParameterTable(config: TestSupport.tinyConfig(modelType, head: head), head: head)
        let expected = golden["parameters"]!.arrayValue!.map { pair in
            (pair.arrayValue![0].stringValue!, pair.arrayValue![1].arrayValue!.map { $0.intValue! })
        }
        #expect(table.names == expected.map(\.0))
        #expect(table.parameters.map(\.shape) == expected.map(\.1))
        #expect(table.savedNames == golden["saved"]!.strings)
        #expect(table.aliases.keys.sorted() == golden["aliases"]!.strings)
        #expect(table.buffers.sorted() == golden["buffers"]!.strings)
        #expect(table.parameters.filter { !$0.weightDecay }.map(\.name) == golden["no_decay"]!.strings)
        for (alias, target) in table.aliases { #expect(table[alias] == table[target]) }
    }

    @Test func pretrainingTableForBaseSizes() throws {
        let config = try BertConfig.preset(named: "ernie-3.0-base-zh")
        let table = ParameterTable(config: config, head: .pretraining)
        #expect(table["ernie.embeddings.task_type_embeddings.weight"]?.shape == [3, 768])
        #expect(table["ernie.encoder.layer.11.intermediate.dense.weight"]?.shape == [3072, 768])
        #expect(table["cls.predictions.decoder.weight"]?.name == "ernie.embeddings.word_embeddings.weight")
        #expect(table["cls.predictions.bias"]?.shape == [40000])
        #expect(table.encoderPrefix == "ernie.")
        // 12 layers × 16 tensors + 6 embedding tensors + pooler 2 + MLM 5 + NSP 2.
        #expect(table.parameters.count == 12 * 16 + 6 + 2 + 5 + 2)
        let bert = ParameterTable(config: try BertConfig.preset(named: "bert-base-chinese"), head: .base)
        #expect(bert.elementCount == 102_267_648)  // bert-base-chinese BertModel
    }

    @Test func untiedDecoderIsItsOwnParameter() {
        var config = TestSupport.tinyConfig(.bert)
        config.extraFields["tie_word_embeddings"] = false
        let table = ParameterTable(config: config, head: .maskedLM)
        #expect(table.aliases == ["cls.predictions.decoder.bias": "cls.predictions.bias"])
        #expect(table["cls.predictions.decoder.weight"]?.shape == [200, 64])
        #expect(table.savedNames.contains("cls.predictions.decoder.weight"))
    }

    @Test func architectureNames() {
        #expect(ModelHead.pretraining.architectureName(for: .ernie) == "ErnieForPreTraining")
        #expect(ModelHead.base.architectureName(for: .bert) == "BertModel")
        for type in ModelType.allCases {
            for head in ModelHead.allCases where type.supports(head) {
                #expect(ModelHead.parse(architecture: head.architectureName(for: type)).map { [$0.0.rawValue, $0.1.rawValue] } == [type.rawValue, head.rawValue])
            }
        }
        #expect(ModelHead.parse(architecture: "RobertaForMaskedLM").map { [$0.0.rawValue, $0.1.rawValue] } == ["roberta", "masked_lm"])
        #expect(ModelHead.parse(architecture: "XLNetModel") == nil)
    }
}
