import ErnieBasics
import ErnieModels
import ErnieTraining
import Foundation
import Testing
@testable import ErnieServing

/// The routes against `ernie predict` (the same folder, the same inputs): outputs must agree within float rounding,
/// whatever batches the scheduler forms.
@Suite struct ServingRoutesTests {
    static func routes(_ directory: URL, _ edit: (inout ServingConfiguration) -> Void = { _ in }) throws -> (ServingRoutes, BatchScheduler) {
        var c = ServingTestSupport.configuration(directory)
        edit(&c)
        let server = try InferenceServer(c)
        server.scheduler.start()
        return (server.routes, server.scheduler)
    }

    @Test func predictMatchesErniePredict() async throws {
        let directory = try ServingTestSupport.folder(.sequenceClassification)
        let (routes, scheduler) = try Self.routes(directory) { $0.maxBatchTokens = 64 }   // forces several batches
        defer { scheduler.stop() }
        let inputs = ServingTestSupport.texts
        let body: JSONValue = ["inputs": .array(inputs.map { .array([.string($0)]) })]
        let answer = try ServingTestSupport.json(try await routes.predict(body).body)

        let file = try ServingTestSupport.temporaryDirectory("predict").appendingPathComponent("input.txt")
        try (inputs.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        var c = FineTuningConfiguration(taskName: .sequenceClassification, modelNameOrPath: directory.path, outputDir: "")
        c.perDeviceEvalBatchSize = 3
        let predicted = try Predictor(c).predict(input: file.path, issues: DataIssues()).predictions.map { try ServingTestSupport.json($0) }
        let lists = try #require(answer.arrayValue)
        #expect(lists.count == inputs.count)
        for (list, expected) in zip(lists, predicted) {
            let best = try #require(list.arrayValue?.first?.objectValue)
            #expect(best["label"] == expected.objectValue?["label"])
            let score = try #require(best["score"]?.doubleValue), confidence = try #require(expected.objectValue?["confidence"]?.doubleValue)
            // fp32 forward passes over differently padded batches: measured differences ≈ 1e-7.
            #expect(abs(score - confidence) < 1e-5)
            // Scores of one input sum to 1 (softmax) and come best first.
            let scores = list.arrayValue!.compactMap { $0.objectValue?["score"]?.doubleValue }
            #expect(abs(scores.reduce(0, +) - 1) < 1e-9)
            #expect(scores == scores.sorted(by: >))
        }
    }

    @Test func predictShapesFollowTEI() async throws {
        let directory = try ServingTestSupport.folder(.sequenceClassification)
        let (routes, scheduler) = try Self.routes(directory)
        defer { scheduler.stop() }
        // A single text and a pair give one list; a batch gives a list of lists.
        let single = try ServingTestSupport.json(try await routes.predict(["inputs": "一般般吧"]).body)
        #expect(single.arrayValue?.first?.objectValue?["label"] != nil)
        let pair = try ServingTestSupport.json(try await routes.predict(["inputs": ["一般般吧", "非常满意"]]).body)
        #expect(pair.arrayValue?.count == 2 && pair.arrayValue?.first?.objectValue != nil)
        let batch = try ServingTestSupport.json(try await routes.predict(["inputs": [["一般般吧", "非常满意"], ["今天"], "很好"]]).body)
        #expect(batch.arrayValue?.count == 3 && batch.arrayValue?.allSatisfy { $0.arrayValue?.count == 2 } == true)
        let raw = try ServingTestSupport.json(try await routes.predict(["inputs": "一般般吧", "raw_scores": true]).body)
        let rawScores = raw.arrayValue!.compactMap { $0.objectValue?["score"]?.doubleValue }
        #expect(abs(rawScores.reduce(0, +) - 1) > 1e-6)   // logits, not probabilities
    }

    @Test func validationErrors() async throws {
        let directory = try ServingTestSupport.folder(.sequenceClassification, maxPositions: 16)
        let (routes, scheduler) = try Self.routes(directory) { $0.maxClientBatchSize = 2 }
        defer { scheduler.stop() }
        func kind(_ body: JSONValue?) async -> ServingError.Kind? {
            do { _ = try await routes.predict(body); return nil } catch { return error.kind }
        }
        #expect(await kind(nil) == .validation)
        #expect(await kind(["inputs": []]) == .empty)
        #expect(await kind(["inputs": 3]) == .validation)
        #expect(await kind(["inputs": [3, "a"]]) == .validation)
        #expect(await kind(["inputs": ["a", "b", "c"]]) == .validation)   // over max_client_batch_size
        #expect(await kind(["inputs": "今天天气很好，我们去公园散步。这家餐厅的菜很难吃"]) == .validation)   // over 16 tokens
        #expect(await kind(["inputs": "今天天气很好，我们去公园散步。这家餐厅的菜很难吃", "truncate": true]) == nil)
        #expect(await kind(["inputs": "a", "raw_scores": "yes"]) == .validation)
        do { _ = try await routes.embed(["inputs": "a"]); Issue.record("a classifier served /embed") } catch {
            #expect(error.kind == .unsupported && error.status.code == 424)
        }
    }

    @Test func simpleServingAnswersAsPaddleNLP() async throws {
        let directory = try ServingTestSupport.folder(.sequenceClassification, labels: ["contradiction", "entailment", "neutral"])
        let (routes, scheduler) = try Self.routes(directory)
        defer { scheduler.stop() }
        let texts = ["今天天气很好", "张三在北京大学读书"], pairs = ["明天上海会下雨吗", "他在读书"]
        let body: JSONValue = ["data": ["text": .array(texts.map { .string($0) }), "text_pair": .array(pairs.map { .string($0) })],
                               "parameters": ["max_seq_len": 128, "batch_size": 2]]
        let answer = try #require(try ServingTestSupport.json(try await routes.simpleServing(body).body).objectValue?["result"]?.objectValue)
        let labels = try #require(answer["label"]?.arrayValue?.compactMap { $0.intValue })
        let confidences = try #require(answer["confidence"]?.arrayValue?.compactMap { $0.doubleValue })
        let predicted = try ServingTestSupport.json(try await routes.predict(["inputs": .array(zip(texts, pairs).map { [.string($0), .string($1)] })]).body)
        for (index, list) in predicted.arrayValue!.enumerated() {
            let best = list.arrayValue![0].objectValue!
            #expect(["contradiction", "entailment", "neutral"][labels[index]] == best["label"]?.stringValue)
            #expect(abs(confidences[index] - best["score"]!.doubleValue!) < 1e-12)
        }
    }

    @Test func nerLabelsWordsAsErniePredict() async throws {
        let labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
        for crf in [false, true] {
            let directory = try ServingTestSupport.folder(.tokenClassification, labels: labels, useCrf: crf, seed: 11)
            let (routes, scheduler) = try Self.routes(directory)
            defer { scheduler.stop() }
            let text = "张三在北京大学读书"
            let words = try ServingTestSupport.json(try await routes.ner(["inputs": .string(text), "aggregation_strategy": "none"]).body)
            let file = try ServingTestSupport.temporaryDirectory("ner").appendingPathComponent("input.json")
            try (JSONWriter.compact(["tokens": .array(text.map { .string(String($0)) })]) + "\n").write(to: file, atomically: true, encoding: .utf8)
            let predicted = try ServingTestSupport.json(try Predictor(FineTuningConfiguration(taskName: .tokenClassification, modelNameOrPath: directory.path, outputDir: ""))
                .predict(input: file.path, issues: DataIssues()).predictions[0]).objectValue!
            let served = try #require(words.arrayValue?.compactMap { $0.objectValue })
            #expect(served.map { $0["label"]!.stringValue! } == predicted["labels"]!.arrayValue!.map { $0.stringValue! })
            #expect(served.map { $0["text"]!.stringValue! } == text.map { String($0) })
            #expect(served.map { $0["start"]!.intValue! } == Array(0..<text.count))
            // Entities are the seqeval chunks of those tags, with their text cut from the input.
            let entities = try ServingTestSupport.json(try await routes.ner(["inputs": .string(text)]).body).arrayValue!.map { $0.objectValue! }
            let chunks = extractEntities(served.map { $0["label"]!.stringValue! })
            #expect(!chunks.isEmpty)   // the seeded random head tags entities (so the comparison below is not vacuous)
            #expect(entities.count == chunks.count)
            for (entity, chunk) in zip(entities, chunks) {
                #expect(entity["label"]?.stringValue == chunk.type)
                #expect(entity["start"]?.intValue == chunk.start && entity["end"]?.intValue == chunk.end + 1)
                #expect(entity["text"]?.stringValue == String(Array(text)[chunk.start...chunk.end]))
            }
        }
    }

    @Test func questionAnsweringMatchesErniePredict() async throws {
        let directory = try ServingTestSupport.folder(.questionAnswering, maxPositions: 32, seed: 5)
        let (routes, scheduler) = try Self.routes(directory) { $0.docStride = 8 }
        defer { scheduler.stop() }
        let context = "张三在北京大学读书，李四说：明天上海会下雨吗？今天天气很好，我们去公园散步。"
        let question = "张三在哪里读书？"
        let answer = try #require(try ServingTestSupport.json(try await routes.questionAnswering(["inputs": ["question": .string(question), "context": .string(context)]]).body).objectValue)

        let file = try ServingTestSupport.temporaryDirectory("qa").appendingPathComponent("input.json")
        let squad: JSONValue = ["data": [["paragraphs": [["context": .string(context), "qas": [["id": "q1", "question": .string(question), "answers": []]]]]]]]
        try JSONWriter.compact(squad).write(to: file, atomically: true, encoding: .utf8)
        var c = FineTuningConfiguration(taskName: .questionAnswering, modelNameOrPath: directory.path, outputDir: "")
        c.maxSeqLength = 32
        c.docStride = 8
        let predicted = try ServingTestSupport.json(try Predictor(c).predict(input: file.path, issues: DataIssues()).predictions[0]).objectValue!
        #expect(answer["answer"] == predicted["answer"])
        #expect(answer["start"]?.intValue == predicted["start"]?.intValue)
        #expect(abs(answer["score"]!.doubleValue! - predicted["confidence"]!.doubleValue!) < 1e-5)
        let text = try #require(answer["answer"]?.stringValue)
        #expect(!text.isEmpty)   // the seeded random head picks a span
        if let start = answer["start"]?.intValue, let end = answer["end"]?.intValue {
            #expect(String(Array(context)[start..<end]) == text)
        }
    }

    @Test func tokenizeGivesByteOffsets() throws {
        let directory = try ServingTestSupport.folder(.sequenceClassification)
        let (routes, scheduler) = try Self.routes(directory)
        defer { scheduler.stop() }
        let text = "Hello 世界!"
        let tokens = try #require(try ServingTestSupport.json(routes.tokenize(["inputs": .string(text)]).body).arrayValue?.first?.arrayValue?.map { $0.objectValue! })
        #expect(tokens.first?["special"] == .bool(true) && tokens.first?["start"] == .null)
        let bytes = Array(text.utf8)
        for token in tokens where token["special"] == .bool(false) {
            let start = token["start"]!.intValue!, stop = token["stop"]!.intValue!
            #expect(String(decoding: bytes[start..<stop], as: UTF8.self).lowercased() == token["text"]!.stringValue!.lowercased())
        }
    }

    @Test(.enabled(if: ServingTestSupport.hasMiniLM, ServingTestSupport.miniLMAbsent))
    func embeddingsAreMeanPooledAndNormalised() async throws {
        let (routes, scheduler) = try Self.routes(ServingTestSupport.minilm)
        defer { scheduler.stop() }
        #expect(routes.model.pooling == .mean)   // from 1_Pooling/config.json
        let texts: [JSONValue] = ["A man is eating food.", "今天天气很好", "A man is eating a piece of bread."]
        let vectors = try ServingTestSupport.json(try await routes.embed(["inputs": .array(texts)]).body).arrayValue!.map { $0.arrayValue!.map { $0.doubleValue! } }
        #expect(vectors.count == 3 && vectors.allSatisfy { $0.count == 384 })
        for vector in vectors { #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5) }
        // Batched and alone agree.
        let alone = try ServingTestSupport.json(try await routes.embed(["inputs": texts[1]]).body).arrayValue![0].arrayValue!.map { $0.doubleValue! }
        #expect(zip(alone, vectors[1]).allSatisfy { abs($0 - $1) < 1e-5 })
        // The two English sentences are closer to each other than to the Chinese one.
        func cosine(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(cosine(vectors[0], vectors[2]) > cosine(vectors[0], vectors[1]))
        // OpenAI's shape, base64 included.
        let openAI = try ServingTestSupport.json(try await routes.openAIEmbeddings(["input": ["今天天气很好"], "encoding_format": "base64"]).body).objectValue!
        let encoded = try #require(openAI["data"]?.arrayValue?.first?.objectValue?["embedding"]?.stringValue)
        let decoded = Data(base64Encoded: encoded)!.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(zip(decoded, vectors[1]).allSatisfy { abs(Double($0) - $1) < 1e-5 })
        #expect(openAI["usage"]?.objectValue?["prompt_tokens"]?.intValue ?? 0 > 0)
    }
}
