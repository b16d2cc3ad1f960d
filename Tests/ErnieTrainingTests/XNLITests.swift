import ErnieModels
import Foundation
import Testing
@testable import ErnieTraining

/// XNLI as distributed (XNLI-MT-1.0 train files, XNLI-1.0 dev/test with a language column) and ERNIE-M's
/// run_classifier modes on a tiny hand-written folder: a plumbing test, not an accuracy claim.
@Suite struct XNLITests {
    static let header = "language\tgold_label\tsentence1\tsentence2\tpairID"

    /// train: en (3 rows, XNLI-MT's `contradictory`) and zh (3 rows); dev/test: en and zh, 3 rows each.
    static func folder(devRows: [String]? = nil) throws -> URL {
        let root = try FineTuningTestSupport.temporaryDirectory("xnli")
        let train = root.appendingPathComponent("XNLI-MT-1.0/multinli")
        let eval = root.appendingPathComponent("XNLI-1.0")
        try FileManager.default.createDirectory(at: train, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: eval, withIntermediateDirectories: true)
        try FineTuningTestSupport.write(["premise\thypo\tlabel", "the cat sat on the mat\tthe cat sat\tentailment",
                                         "the dog ran home\tthe dog ran home and slept\tneutral", "it is raining\tthe sun shines\tcontradictory"],
                                        to: train.appendingPathComponent("multinli.train.en.tsv"))
        try FineTuningTestSupport.write(["premise\thypo\tlabel", "今天下雨了\t今天下雨\tentailment", "我们去公园\t我们去公园散步\tneutral",
                                         "他很高兴\t他很难过\tcontradictory"], to: train.appendingPathComponent("multinli.train.zh.tsv"))
        let rows = devRows ?? ["en\tentailment\tthe cat sat on the mat\tthe cat sat\t1", "en\tneutral\tthe dog ran\tthe dog ran far\t2",
                               "en\tcontradiction\tit is cold\tit is hot\t3", "zh\tentailment\t今天下雨了\t今天下雨\t4",
                               "zh\tneutral\t我们去公园\t我们去公园玩\t5", "zh\tcontradiction\t他很高兴\t他很难过\t6"]
        for split in ["dev", "test"] {
            try FineTuningTestSupport.write([header] + rows, to: eval.appendingPathComponent("xnli.\(split).tsv"))
        }
        return root
    }

    @Test func readsTheDistributedLayout() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let settings = XNLISettings(taskType: .translateTrainAll, dataDirectory: root.path)
        let train = try XNLI.read(.train, settings: settings, languages: nil, issues: DataIssues())
        #expect(train.map(\.language) == ["en", "zh"])
        #expect(train[0].examples.map { $0.labels! } == [["entailment"], ["neutral"], ["contradiction"]])
        #expect(train[1].examples[0].text == "今天下雨了" && train[1].examples[0].pair == "今天下雨")
        let english = try XNLI.read(.validation, settings: settings, languages: ["en"], issues: DataIssues())
        #expect(english.count == 1 && english[0].examples.count == 3)
        #expect(throws: DatasetError.self) { try XNLI.read(.validation, settings: settings, languages: ["de"], issues: DataIssues()) }
    }

    /// PaddleNLP's `--use_test_data --test_data_path F`: the one JSON-lines file for every split and language.
    @Test func paddleTestDataFile() throws {
        let folder = try FineTuningTestSupport.temporaryDirectory("xnli-json")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("tiny.jsonl")
        try FineTuningTestSupport.write([#"{"premise": "a b", "hypothesis": "a", "label": 0}"#,
                                         #"{"premise": "x", "hypothesis": "y", "label": "contradiction"}"#], to: file)
        let settings = XNLISettings(taskType: .translateTrainAll, testDataPath: file.path)
        let all = try XNLI.read(.validation, settings: settings, languages: nil, issues: DataIssues())
        #expect(all.map(\.language) == XNLI.languages && all.allSatisfy { $0.examples.map { $0.labels! } == [["entailment"], ["contradiction"]] })
        try FineTuningTestSupport.write([#"{"premise": "a b", "hypothesis": "a", "label": 7}"#], to: file)
        do {
            _ = try XNLI.read(.train, settings: settings, languages: ["en"], issues: DataIssues())
            Issue.record("label 7 was accepted")
        } catch let error as DatasetError {
            #expect(error.line == 1 && error.message.contains("unknown label"), "\(error)")
        }
    }

    @Test func unknownLabelsAndLanguagesNameTheLine() throws {
        for (row, message) in [("en\tmaybe\ta\tb\t1", "unknown label \"maybe\""), ("xx\tneutral\ta\tb\t1", "unknown language \"xx\"")] {
            let root = try Self.folder(devRows: ["en\tneutral\ta\tb\t0", row])
            defer { try? FileManager.default.removeItem(at: root) }
            let settings = XNLISettings(taskType: .crossLingualTransfer, dataDirectory: root.path)
            do {
                _ = try XNLI.read(.validation, settings: settings, languages: nil, issues: DataIssues())
                Issue.record("\(row) was accepted")
            } catch let error as DatasetError {
                #expect(error.line == 3 && error.file.hasSuffix("xnli.dev.tsv") && error.message.contains(message), "\(error)")
            }
        }
        #expect(throws: DatasetError.self) {
            try XNLI.read(.train, settings: XNLISettings(taskType: .crossLingualTransfer, dataDirectory: "/nonexistent/xnli"),
                          languages: nil, issues: DataIssues())
        }
    }

    /// ERNIE-M's seed flow on a tiny random ERNIE-M: train on English, evaluate per language, predict.
    @Test(arguments: [XNLITaskType.crossLingualTransfer, .translateTrainAll])
    func fineTunesPerLanguage(taskType: XNLITaskType) throws {
        let root = try Self.folder()
        let model = try FineTuningTestSupport.temporaryDirectory("ernie-m")
        let output = try FineTuningTestSupport.temporaryDirectory("xnli-out")
        defer { for url in [root, model, output] { try? FileManager.default.removeItem(at: url) } }
        let text = FineTuningTestSupport.root.appendingPathComponent("Tests/ErnieTextTests/Fixtures")
        try FileManager.default.copyItem(at: text.appendingPathComponent("sentencepiece/unigram.model"),
                                         to: model.appendingPathComponent("sentencepiece.bpe.model"))
        try FileManager.default.copyItem(at: text.appendingPathComponent("ernie_m/unigram/vocab.txt"), to: model.appendingPathComponent("vocab.txt"))
        var config = BertConfig.familyDefaults(.ernieM)
        (config.vocabularySize, config.hiddenSize, config.layerCount, config.attentionHeadCount, config.intermediateSize,
         config.maxPositionEmbeddings) = (6001, 32, 2, 4, 64, 66)
        try config.write(to: model.appendingPathComponent("config.json"))

        var c = FineTuningConfiguration(taskName: .sequenceClassification, modelNameOrPath: model.path, outputDir: output.path)
        c.xnli = XNLISettings(taskType: taskType, dataDirectory: root.path)
        (c.doTrain, c.doEval, c.doPredict) = (true, true, true)
        (c.maxSteps, c.perDeviceTrainBatchSize, c.maxSeqLength, c.layerwiseDecay) = (3, 2, 64, 0.8)
        c.metricForBestModel = "eval_accuracy"
        c.loadBestModelAtEnd = true
        try c.validate()
        try FineTuner(c, logger: RunLogger(outputDirectory: output, title: "test", quiet: true)).run()
        let results = try FineTuningTestSupport.json(output.appendingPathComponent("eval_results.json")) as! [String: Double]
        #expect(Set(results.keys) == ["eval_accuracy_en", "eval_accuracy_zh", "eval_accuracy_average"])
        #expect(abs(results["eval_accuracy_average"]! - (results["eval_accuracy_en"]! + results["eval_accuracy_zh"]!) / 2) < 1e-12)
        let test = try FineTuningTestSupport.json(output.appendingPathComponent("test_results.json")) as! [String: [Double]]
        // Cross-lingual transfer tests on English (as run_classifier loads xnli "en"), translate-train-all on all.
        let count = taskType == .crossLingualTransfer ? 3 : 6
        #expect(test["label"]!.count == count && test["confidence"]!.count == count)
        #expect(test["label"]!.allSatisfy { [0, 1, 2].contains($0) } && test["confidence"]!.allSatisfy { $0 >= 1.0 / 3 - 1e-9 && $0 <= 1 })
        let saved = try ModelCheckpoint.loadConfig(directory: output)
        #expect(saved.modelType == .ernieM && saved.labels == XNLI.labels)
    }
}
