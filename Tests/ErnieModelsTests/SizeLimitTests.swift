import ErnieBasics
import Foundation
import Testing

@testable import ErnieModels

/// Sizes from config.json and checkpoints are checked before anything is allocated: overflowing, huge or
/// inconsistent values are errors naming the field instead of traps or memory exhaustion.
@Suite struct SizeLimitTests {
    @Test func checkedSizeReportsOverflowAndNegatives() {
        #expect(CheckedSize.product([3, 4, 5]) == 60)
        #expect(CheckedSize.product([1 << 62, 4]) == nil)
        #expect(CheckedSize.product(-1, 2) == nil)
        #expect(CheckedSize.sum(Int.max, 1) == nil)
        #expect(CheckedSize.product([1 << 20, 1 << 20], atMost: 1 << 30) == nil)
    }

    /// The config.json of the tiny model with one field replaced.
    static func parse(_ key: String, _ value: Int) throws {
        var text = TestSupport.tinyConfig(.bert).jsonString()
        if let range = text.range(of: "\"\(key)\": [0-9]+", options: .regularExpression) {
            text.replaceSubrange(range, with: "\"\(key)\": \(value)")
        } else {
            text = "{\"\(key)\": \(value)," + text.dropFirst()
        }
        _ = try BertConfig(jsonData: Data(text.utf8), source: "probe/config.json")
    }

    @Test(arguments: [
        ("intermediate_size", 1 << 62), ("vocab_size", Int.max), ("vocab_size", 1 << 40), ("num_hidden_layers", 1_000_000),
        ("hidden_size", 1 << 40), ("max_position_embeddings", 1 << 50), ("num_labels", 1 << 40),
    ])
    func hugeConfigSizesNameTheField(key: String, value: Int) {
        #expect {
            try Self.parse(key, value)
        } throws: { error in
            "\(error)".contains("probe/config.json") && "\(error)".contains("\"\(key)\"") && "\(error)".contains("at most")
        }
    }

    /// Every size within its limit, yet the product is too big to allocate.
    @Test func tooManyParametersIsAnError() {
        var config = TestSupport.tinyConfig(.bert)
        config.vocabularySize = 1 << 24
        config.hiddenSize = 1 << 16
        #expect(throws: ConfigError.self) { try config.validate() }
        #expect(throws: ModelError.self) {
            try BertArchitecture(vocabularySize: Int.max, hiddenSize: 64, layers: 2, heads: 4, intermediateSize: 128)
        }
    }

    /// A checkpoint is compared with the config before the model is built (tiny_bert: vocab 200, 2 layers).
    @Test func checkpointThatDoesNotFitTheConfigIsAnError() throws {
        let directory = TestSupport.fixture("tiny_bert")
        let config = try ModelCheckpoint.loadConfig(directory: directory)
        try ModelCheckpoint.checkFits(directory: directory, table: ParameterTable(config: config, head: .pretraining))
        var classifier = config
        classifier.setLabelCount(7)
        try ModelCheckpoint.checkFits(directory: directory, table: ParameterTable(config: classifier, head: .sequenceClassification))

        var wider = config
        wider.vocabularySize = 5000
        #expect {
            try ModelCheckpoint.checkFits(directory: directory, table: ParameterTable(config: wider, head: .pretraining))
        } throws: { error in
            "\(error)".contains("the checkpoint says [200, 64] for bert.embeddings.word_embeddings.weight, config.json says vocab_size 5000")
        }
        var deeper = config
        deeper.layerCount = 24
        #expect {
            try ModelCheckpoint.checkFits(directory: directory, table: ParameterTable(config: deeper, head: .base))
        } throws: { error in
            "\(error)".contains("the checkpoint holds 2 encoder layers, config.json says num_hidden_layers 24")
        }
    }
}
