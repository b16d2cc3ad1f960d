import ErnieBasics
import Foundation
import Testing

@testable import ErnieModels

@Suite struct ConfigTests {
    /// config.json files written by transformers 4.57 (`to_json_string`) re-save byte for byte.
    @Test(arguments: [
        "bert_default.json", "ernie_default.json", "bert_chinese_labels.json", "ernie_tiny_task_id.json",
        "bert_regression.json", "../tiny_bert/config.json", "../tiny_ernie/config.json", "../sharded_micro/config.json",
    ])
    func transformersFilesRoundTripExactly(name: String) throws {
        let url = TestSupport.fixture("configs/" + name)
        let text = try String(contentsOf: url, encoding: .utf8)
        let config = try BertConfig(contentsOf: url)
        #expect(config.jsonString() == text)
    }

    @Test func readsTransformersValues() throws {
        let labels = try BertConfig(contentsOf: TestSupport.fixture("configs/bert_chinese_labels.json"))
        #expect(labels.labelCount == 3)
        #expect(labels.labels == ["负面", "正面", "中性"])
        #expect(labels.idsByLabel["中性"] == 2)
        #expect(labels.problemType == .singleLabelClassification)
        #expect(labels.classifierDropout == 0.2)
        #expect(labels.effectiveClassifierDropout == 0.2)
        #expect(labels.architectures == ["BertForSequenceClassification"])

        let ernie = try BertConfig(contentsOf: TestSupport.fixture("configs/ernie_tiny_task_id.json"))
        #expect(ernie.modelType == .ernie && ernie.useTaskId && ernie.taskTypeVocabularySize == 3)
        #expect(ernie.layerNormEpsilon == 1e-5)
        #expect(ernie.hiddenDropoutProbability == 0)
        #expect(ernie.headDimension == 16)
        #expect(ernie.extraFields.isEmpty)

        let regression = try BertConfig(contentsOf: TestSupport.fixture("configs/bert_regression.json"))
        #expect(regression.labelCount == 1 && regression.problemType == .regression)
        #expect(regression.hiddenActivation == .geluNew)
    }

    /// MiniLM's config (transformers 4.8.2) keeps every member it had, including the ones ernie does not model.
    @Test(.enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent)) func miniLMConfigRoundTrips() throws {
        let directory = TestSupport.miniLMDirectory
        let url = directory.appendingPathComponent("config.json")
        let original = try JSONParser.parse(Data(contentsOf: url))
        let config = try BertConfig(contentsOf: url)
        #expect(config.hiddenSize == 384 && config.layerCount == 6 && config.attentionHeadCount == 12)
        #expect(config.intermediateSize == 1536 && config.vocabularySize == 30522)
        #expect(config.transformersVersion == "4.8.2")
        #expect(config.extraFields["gradient_checkpointing"] == .bool(false))
        #expect(config.extraFields["_name_or_path"] != nil)
        let written = try JSONParser.parse(config.jsonString())
        for (key, value) in original.objectValue! {
            #expect(written[key] == value, "member \(key)")
        }
        // What ernie adds is only HF's newer default.
        let added = Set(written.objectValue!.keys).subtracting(original.objectValue!.keys)
        #expect(added == ["classifier_dropout"])
        #expect(try BertConfig(jsonData: Data(config.jsonString().utf8)) == config)
    }

    @Test func absentFieldsTakeTransformersDefaults() throws {
        let config = try BertConfig(jsonData: Data("{}".utf8))
        let defaults = try BertConfig(contentsOf: TestSupport.fixture("configs/bert_default.json"))
        var expected = defaults
        expected.transformersVersion = nil
        #expect(config == expected)
        #expect(config.labelCount == 2 && config.labels == ["LABEL_0", "LABEL_1"])
        #expect(config.padTokenId == 0 && config.layerNormEpsilon == 1e-12 && config.hiddenActivation == .gelu)
        #expect(config.tieWordEmbeddings)
    }

    @Test func numLabelsWithoutId2label() throws {
        let config = try BertConfig(jsonData: Data(#"{"num_labels": 4}"#.utf8))
        #expect(config.labels == ["LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"])
        #expect(config.idsByLabel["LABEL_3"] == 3)
        #expect(config.extraFields["num_labels"] == nil)
        let text = config.jsonString()
        #expect(text.contains(#""id2label": {"#) && !text.contains("num_labels"))
    }

    @Test func manyLabelsWriteNumericOrder() throws {
        var config = BertConfig()
        config.setLabelCount(11)
        let written = try JSONParser.parse(config.jsonString())
        #expect(written["id2label"]?.objectValue?.keys == (0...10).map(String.init))
        #expect(written["label2id"]?.objectValue?.keys.first == "LABEL_0")
        #expect(written["label2id"]?.objectValue?.keys[2] == "LABEL_10")
    }

    @Test func bertKeepsErnieFieldsAsExtras() throws {
        let config = try BertConfig(jsonData: Data(#"{"model_type": "bert", "use_task_id": true}"#.utf8))
        #expect(!config.useTaskId)
        #expect(config.extraFields["use_task_id"] == .bool(true))
    }

    @Test func codableUsesTheSameMapping() throws {
        let config = try BertConfig(contentsOf: TestSupport.fixture("configs/bert_chinese_labels.json"))
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(BertConfig.self, from: data) == config)
    }

    @Test func writesAtomically() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("config.json")
        var config = try BertConfig.preset(named: "ernie-3.0-base-zh")
        try config.write(to: url)
        config.transformersVersion = BertConfig.transformersVersion
        #expect(try BertConfig(contentsOf: url) == config)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["config.json"])
    }

    /// Each case: JSON text and a fragment the error message must contain.
    @Test(arguments: [
        (#"{"hidden_size": 100, "num_attention_heads": 12}"#, "not a multiple of num_attention_heads"),
        (#"{"hidden_act": "swish"}"#, "\"hidden_act\" = \"swish\" is not supported; use one of: gelu, relu, gelu_new"),
        (#"{"model_type": "xlnet"}"#, "\"model_type\" = \"xlnet\" is not supported"),
        (#"{"hidden_size": "768"}"#, "\"hidden_size\" must be an integer, found string"),
        (#"{"hidden_size": 768.0}"#, "\"hidden_size\" must be an integer, found number"),
        (#"{"vocab_size": 0}"#, "\"vocab_size\" must be positive"),
        (#"{"hidden_dropout_prob": 1.5}"#, "\"hidden_dropout_prob\" must be in [0, 1)"),
        (#"{"classifier_dropout": -0.1}"#, "\"classifier_dropout\" must be in [0, 1)"),
        (#"{"layer_norm_eps": 0}"#, "\"layer_norm_eps\" must be positive"),
        (#"{"pad_token_id": 30522}"#, "\"pad_token_id\" (30522) must be a token id below vocab_size"),
        (#"{"position_embedding_type": "relative_key"}"#, "\"position_embedding_type\" = \"relative_key\" is not supported"),
        (#"{"id2label": {"0": "a", "2": "b"}}"#, "\"id2label\" keys must be 0…1"),
        (#"{"id2label": {"x": "a"}}"#, "\"id2label\" has the key \"x\""),
        (#"{"label2id": {"a": "0"}}"#, "\"label2id.a\" must be an integer"),
        (#"{"problem_type": "regression"}"#, "\"problem_type\" \"regression\" needs exactly one label"),
        (#"{"problem_type": "ranking"}"#, "\"problem_type\" = \"ranking\" is not supported"),
        (#"{"use_cache": 1}"#, "\"use_cache\" must be true or false"),
        (#"{"architectures": [1]}"#, "\"architectures\" must be an array of strings"),
        (#"{"model_type": "ernie", "use_task_id": true, "task_type_vocab_size": 0}"#, "\"task_type_vocab_size\" must be positive"),
        (#"{"hidden_size": null}"#, "\"hidden_size\" must be an integer, found null"),
        (#"[1, 2]"#, "must hold one JSON object"),
        (#"{"a": 1, "a": 2}"#, "duplicate key \"a\""),
        (#"{"a": "#, "invalid JSON"),
    ])
    func rejectsBadConfigsWithClearErrors(json: String, fragment: String) {
        #expect {
            try BertConfig(jsonData: Data(json.utf8), source: "test/config.json")
        } throws: { error in
            let message = String(describing: error)
            return message.contains(fragment) && message.hasPrefix("test/config.json")
        }
    }

    @Test func unreadableFileNamesThePath() {
        #expect { try BertConfig(contentsOf: URL(fileURLWithPath: "/nonexistent/config.json")) } throws: { error in
            String(describing: error).contains("/nonexistent/config.json")
        }
    }

    /// The base presets equal what transformers writes for the same values (tools/model_goldens.py `configs`).
    @Test(arguments: ["ernie-1.0-base-zh", "ernie-3.0-base-zh", "bert-base-chinese"])
    func presetsMatchTransformers(name: String) throws {
        let preset = try BertConfig.preset(named: name)
        let text = try String(contentsOf: TestSupport.fixture("configs/preset_\(name).json"), encoding: .utf8)
        #expect(preset.jsonString() == text)
    }

    @Test func presetShapes() throws {
        for (name, config) in BertConfig.presets { #expect(throws: Never.self, "\(name)") { try config.validate() } }
        let ernie1 = try BertConfig.preset(named: "ernie-1.0-base-zh")
        #expect(ernie1.hiddenActivation == .relu && ernie1.maxPositionEmbeddings == 513 && ernie1.vocabularySize == 18000)
        let ernie3 = try BertConfig.preset(named: "ernie-3.0-base-zh")
        #expect(ernie3.useTaskId && ernie3.typeVocabularySize == 4 && ernie3.maxPositionEmbeddings == 2048)
        let bert = try BertConfig.preset(named: "bert-base-chinese")
        #expect(bert.modelType == .bert && bert.vocabularySize == 21128 && bert.hiddenSize == 768 && bert.layerCount == 12)
        let small = try BertConfig.preset(named: "ernie-small-zh")
        #expect(small.layerCount == 4 && small.hiddenSize == 256 && small.attentionHeadCount == 4 && small.intermediateSize == 1024)
        let distil = try BertConfig.preset(named: "distilbert-base")
        #expect(distil.modelType == .distilbert && distil.layerCount == 6 && distil.vocabularySize == 30522)
        let albert = try BertConfig.preset(named: "albert-tiny-chinese")
        #expect(albert.embeddingSize == 128 && albert.hiddenSize == 312 && albert.layerCount == 4 && albert.hiddenGroupCount == 1)
        let tiny = try BertConfig.preset(named: "ernie-tiny-zh-test")
        #expect(tiny.layerCount == 2 && tiny.hiddenSize == 64)
        #expect { try BertConfig.preset(named: "ernie-huge") } throws: { error in
            String(describing: error).contains("available: albert-base-chinese, albert-tiny-chinese, bert-base-chinese, bert-large")
        }
    }
}
