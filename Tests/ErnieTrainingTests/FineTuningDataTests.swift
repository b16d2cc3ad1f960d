import ErnieModels
import ErnieText
import Foundation
import Testing
@testable import ErnieTraining

/// Readers and feature encoding: formats, label lists, and bad input counted rather than crashing.
@Suite struct FineTuningDataTests {
    static func tokenizer(_ texts: [String]) throws -> BertTokenizer {
        try BertTokenizer(directory: FineTuningTestSupport.tinyModelDirectory(texts: texts))
    }

    @Test func jsonLinesWithBadLines() throws {
        let directory = try FineTuningTestSupport.temporaryDirectory("data")
        let file = directory.appendingPathComponent("train.json")
        try FineTuningTestSupport.write([
            #"{"sentence": "good film", "label": "positive"}"#,
            #"{"sentence": "bad film", "label": 0}"#,
            #"not json"#,
            #"{"label": "positive"}"#,
            "",
            #"{"sentence1": "a cat", "sentence2": "an animal", "label": "entailment"}"#,
            #"{"sentence": "   ", "label": "positive"}"#,
            #"{"sentence": "meh", "label": "neutral"}"#,
            #"{"sentence": "good good good good good good good good good good good good", "label": "positive"}"#,
        ], to: file)
        let issues = DataIssues()
        let examples = try SequenceExample.read(path: file.path, issues: issues)
        #expect(examples.count == 6)
        #expect(issues.count(DataIssue.malformedLine) == 2)
        #expect(issues.examples[DataIssue.malformedLine]?.first?.hasPrefix(file.path + ":3") == true)
        #expect(examples[1].labels == ["0"])
        #expect(examples[2].pair == "an animal" && examples[2].line == 6)

        let tokenizer = try Self.tokenizer(examples.map(\.text) + examples.compactMap(\.pair))
        let labels = LabelSpace(labels: ["negative", "positive"], problem: .singleLabelClassification)
        let encoder = FeatureEncoder(tokenizer: tokenizer, maxSeqLength: 8, issues: issues)
        let features = try encoder.sequenceFeatures(examples, labels: labels, requireLabels: true)
        #expect(features.count == 2)                       // "good film" and the long one
        #expect(issues.count(DataIssue.unknownLabel) == 3)  // "0", "entailment", "neutral"
        #expect(issues.count(DataIssue.emptyText) == 1)
        #expect(issues.count(DataIssue.truncated) == 1)
        #expect(features[1].rows[0].inputIds.count == 8)
        // Prediction keeps everything, labels or not.
        #expect(try encoder.sequenceFeatures(examples, labels: labels, requireLabels: false).count == 6)
    }

    @Test func tsvWithAndWithoutHeader() throws {
        let directory = try FineTuningTestSupport.temporaryDirectory("tsv")
        let plain = directory.appendingPathComponent("train.tsv"), xnli = directory.appendingPathComponent("xnli.tsv")
        try FineTuningTestSupport.write(["1\t好看", "0\t难看\t真的", "only\tfour\tfields\there", "无标签"], to: plain)
        try FineTuningTestSupport.write(["premise\thypo\tlabel", "他在跑步\t他在动\tentailment", "天在下雨\t天很晴\tcontradictory"], to: xnli)
        let issues = DataIssues()
        let rows = try SequenceExample.read(path: plain.path, issues: issues)
        #expect(rows.map(\.text) == ["好看", "难看", "无标签"])
        #expect(rows[1].pair == "真的" && rows[1].labels == ["0"] && rows[2].labels == nil)
        #expect(issues.count(DataIssue.malformedLine) == 1)
        let pairs = try SequenceExample.read(path: xnli.path, issues: issues)
        #expect(pairs.map(\.labels) == [["entailment"], ["contradiction"]])
        #expect(pairs[0].pair == "他在动")
    }

    @Test func labelListsAndProblemTypes() throws {
        let directory = try FineTuningTestSupport.temporaryDirectory("labels")
        let multi = directory.appendingPathComponent("multi.json"), regression = directory.appendingPathComponent("sts.json")
        try FineTuningTestSupport.write([#"{"text": "a", "label": ["x", "y"]}"#, #"{"text": "b", "label": []}"#], to: multi)
        try FineTuningTestSupport.write([#"{"sentence1": "a", "sentence2": "b", "label": 3.5}"#, #"{"sentence1": "a", "sentence2": "c", "label": 1}"#], to: regression)
        let issues = DataIssues()
        let multiExamples = TaskExamples.sequence(try SequenceExample.read(path: multi.path, issues: issues))
        #expect(multiExamples.inferredProblem == .multiLabelClassification)
        #expect(TaskExamples.sequence(try SequenceExample.read(path: regression.path, issues: issues)).inferredProblem == .regression)
        let numeric = try LabelSpace.resolve(file: nil, config: BertConfig(), configIsHeadOfThisTask: false, dataLabels: ["10", "2", "1"],
                                             problem: .singleLabelClassification)
        #expect(numeric.labels == ["1", "2", "10"])
        var trained = BertConfig()
        trained.labelsById = [0: "neg", 1: "pos"]
        #expect(try LabelSpace.resolve(file: nil, config: trained, configIsHeadOfThisTask: true, dataLabels: ["pos", "neg", "x"],
                                       problem: .singleLabelClassification).labels == ["neg", "pos"])
        let tokenizer = try Self.tokenizer(["a", "b"])
        let features = try FeatureEncoder(tokenizer: tokenizer, maxSeqLength: 16, issues: issues)
            .sequenceFeatures(try SequenceExample.read(path: multi.path, issues: issues),
                              labels: LabelSpace(labels: ["x", "y", "z"], problem: .multiLabelClassification), requireLabels: true)
        #expect(features.map(\.values!) == [[1, 1, 0], [0, 0, 0]])
    }

    @Test func wordsAlignToTheirFirstToken() throws {
        let tokenizer = try Self.tokenizer(["张三去北京", "visited", "paris"])
        let example = TokenClassificationExample(tokens: ["张", "三", "\u{3000}", "visited", "paris", "北", "京"],
                                                 labels: ["B-PER", "I-PER", "O", "O", "B-LOC", "B-LOC", "I-LOC"])
        let labels = LabelSpace(labels: ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"], problem: .singleLabelClassification)
        let issues = DataIssues()
        let feature = try FeatureEncoder(tokenizer: tokenizer, maxSeqLength: 32, issues: issues)
            .tokenFeatures([example], labels: labels, requireLabels: true)[0]
        // "\u{3000}" is whitespace: no token, counted; every other word has exactly its first token labelled.
        #expect(feature.wordIndices! == [nil, 0, 1, 3, 4, 5, 6, nil])
        #expect(feature.tokenLabels! == [-100, 1, 2, 0, 3, 3, 4, -100])
        #expect(issues.count(DataIssue.wordsWithoutTokens) == 1)
        let short = try FeatureEncoder(tokenizer: tokenizer, maxSeqLength: 5, issues: issues).tokenFeatures([example], labels: labels, requireLabels: true)[0]
        #expect(short.wordIndices! == [nil, 0, 1, 3, nil])
        #expect(issues.count(DataIssue.truncated) == 1)
        let unknown = TokenClassificationExample(tokens: ["张"], labels: ["B-ORG"], file: "x.txt", line: 7)
        #expect(try FeatureEncoder(tokenizer: tokenizer, maxSeqLength: 8, issues: issues).tokenFeatures([unknown], labels: labels, requireLabels: true).isEmpty)
        #expect(issues.examples[DataIssue.unknownLabel]?.first == "x.txt:7: \"B-ORG\"")
    }

    @Test func questionAnsweringWindowsAndPositions() throws {
        let context = "one two three four five six seven eight nine ten eleven twelve"
        let example = QuestionAnsweringExample(id: "q", question: "which number", context: context, answers: ["nine ten"],
                                               answerStarts: [40])
        #expect(example.firstAnswerRange == 40..<48)
        let shifted = QuestionAnsweringExample(id: "s", question: "q", context: context, answers: ["nine ten"], answerStarts: [30])
        #expect(shifted.firstAnswerRange == 40..<48)
        let tokenizer = try Self.tokenizer([context, "which number"])
        let issues = DataIssues()
        let features = try FeatureEncoder(tokenizer: tokenizer, maxSeqLength: 12, issues: issues)
            .questionAnsweringFeatures([example], docStride: 2, maxQueryLength: 64, training: true)
        #expect(features.count > 1)
        var found = 0
        for feature in features where feature.startPosition != 0 {
            let offsets = feature.contextOffsets!
            let start = Int(feature.startPosition!), end = Int(feature.endPosition!)
            let text = String(String.UnicodeScalarView(Array(context.unicodeScalars)[offsets[start]!.lowerBound..<offsets[end]!.upperBound]))
            #expect(text == "nine ten")
            found += 1
        }
        #expect(found >= 1)
        #expect(features.allSatisfy { $0.rows[0].inputIds.count <= 12 })
    }
}
