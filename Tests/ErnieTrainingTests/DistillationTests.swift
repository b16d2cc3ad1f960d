import ErnieData
import ErnieEngine
import ErnieModels
import Foundation
import Testing
@testable import ErnieTraining

/// `ernie distill`'s parts: the student built from a teacher, general distillation in the pretraining loop, task
/// distillation in the fine-tuning loop, and the refusals.
@Suite(.serialized) struct DistillationTests {
    @Test func teacherLayersAreSpreadAsExtractDistilbert() {
        #expect(StudentInitialization.teacherLayers(student: 6, teacher: 12) == [0, 2, 4, 7, 9, 11])
        #expect(StudentInitialization.teacherLayers(student: 2, teacher: 4) == [0, 3])
        #expect(StudentInitialization.teacherLayers(student: 1, teacher: 4) == [0])
        #expect(StudentInitialization.teacherLayers(student: 3, teacher: 3) == [0, 1, 2])
    }

    /// A random ERNIE pretraining teacher in `fixture.model`'s shape, saved with its tokenizer.
    static func teacher(_ fixture: PretrainingFixture, layers: Int = 2, seed: UInt64 = 3) throws -> URL {
        var config = try ModelCheckpoint.loadConfig(directory: fixture.model)
        config.layerCount = layers
        let source = fixture.directory.appendingPathComponent("teacher-config")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try config.write(to: source.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: fixture.vocabulary, to: source.appendingPathComponent("vocab.txt"))
        let teacher = fixture.directory.appendingPathComponent("teacher")
        _ = try StudentFolder.write(from: source, to: teacher, layers: nil, modelType: nil, head: .pretraining, copyWeights: false, seed: seed)
        return teacher
    }

    /// bert → distilbert: every student tensor comes from the teacher tensor of the same role.
    @Test func studentAcrossFamiliesCopiesByRole() throws {
        let fixture = try PretrainingFixture(documents: 10)
        defer { fixture.remove() }
        let teacher = try Self.teacher(fixture, layers: 3)
        let student = fixture.directory.appendingPathComponent("student")
        let summary = try StudentFolder.write(from: teacher, to: student, layers: 2, modelType: .distilbert, head: .maskedLM,
                                              copyWeights: true, seed: 1)
        #expect(summary.sourceLayers == [0, 2])
        #expect(summary.fresh.isEmpty, "fresh: \(summary.fresh)")
        let t = try SafetensorsFile(contentsOf: teacher.appendingPathComponent("model.safetensors"))
        let s = try SafetensorsFile(contentsOf: student.appendingPathComponent("model.safetensors"))
        for (studentName, teacherName) in [
            ("distilbert.transformer.layer.1.attention.q_lin.weight", "ernie.encoder.layer.2.attention.self.query.weight"),
            ("distilbert.transformer.layer.0.ffn.lin2.bias", "ernie.encoder.layer.0.output.dense.bias"),
            ("distilbert.transformer.layer.1.output_layer_norm.weight", "ernie.encoder.layer.2.output.LayerNorm.weight"),
            ("distilbert.embeddings.word_embeddings.weight", "ernie.embeddings.word_embeddings.weight"),
            ("vocab_transform.weight", "cls.predictions.transform.dense.weight"),
            ("vocab_projector.bias", "cls.predictions.bias"),
        ] {
            #expect(try s.floats(named: studentName) == t.floats(named: teacherName), "\(studentName) ← \(teacherName)")
        }
        let config = try ModelCheckpoint.loadConfig(directory: student)
        #expect(config.modelType == .distilbert && config.layerCount == 2 && config.architectures == ["DistilBertForMaskedLM"])
        #expect(FileManager.default.fileExists(atPath: student.appendingPathComponent("vocab.txt").path))
        #expect(throws: TrainingError.self) {
            try StudentFolder.write(from: teacher, to: fixture.directory.appendingPathComponent("s2"), layers: 4, modelType: nil,
                                    head: .pretraining, copyWeights: true, seed: 1)
        }
    }

    /// A student equal to its teacher (dropout off) starts at KL 0 and cosine 0; a half-size student learns to
    /// follow the teacher (its KL falls).
    @Test func generalDistillation() throws {
        let fixture = try PretrainingFixture(documents: 60)
        defer { fixture.remove() }
        let teacher = try Self.teacher(fixture)
        var c = fixture.configuration(output: "same", steps: 1)
        c.modelNameOrPath = teacher.path
        c.hiddenDropoutProb = 0
        c.attentionProbsDropoutProb = 0
        c.loggingFreq = 1
        var settings = DistillationSettings(teacherPath: teacher.path)
        settings.alphaCos = 1
        c.distillation = settings
        let same = RecordingMonitor()
        try Pretrainer(c, monitor: same).run()
        let first = try #require(same.rows.first)
        print("distillation of an equal student: KL \(first.ceLoss!), cosine \(first.cosLoss!)")
        // Measured: KL 1e-7, cosine 0 (the same float32 computation twice); bars 1e-5.
        #expect(abs(first.ceLoss!) < 1e-5 && abs(first.cosLoss!) < 1e-5, "KL \(first.ceLoss!), cosine \(first.cosLoss!)")

        let student = fixture.directory.appendingPathComponent("student")
        _ = try StudentFolder.write(from: teacher, to: student, layers: 1, modelType: nil, head: .pretraining, copyWeights: true, seed: 1)
        var d = fixture.configuration(output: "half", steps: 40)
        d.modelNameOrPath = student.path
        d.loggingFreq = 10
        settings.alphaCE = 1
        settings.alphaMLM = 0
        d.distillation = settings
        let half = RecordingMonitor()
        try Pretrainer(d, monitor: half).run()
        let (start, end) = (half.rows.first!.ceLoss!, half.rows.last!.ceLoss!)
        print("half-size student: KL \(start) → \(end)")
        #expect(end < start * 0.8, "KL \(start) → \(end)")
        #expect(FileManager.default.fileExists(atPath: fixture.directory.appendingPathComponent("half/model_last/model.safetensors").path))
    }

    @Test func differentVocabulariesAreRefused() throws {
        let fixture = try PretrainingFixture(documents: 10)
        defer { fixture.remove() }
        let teacher = try Self.teacher(fixture)
        var c = fixture.configuration(output: "out", steps: 1)
        c.distillation = DistillationSettings(teacherPath: teacher.path)
        // vocab_size differs.
        var config = try ModelCheckpoint.loadConfig(directory: fixture.model)
        config.vocabularySize = 130
        try config.write(to: fixture.model.appendingPathComponent("config.json"))
        let sizes = #expect(throws: TrainingError.self) { try Pretrainer(c, monitor: RecordingMonitor()) }
        #expect("\(sizes!)".contains("vocab_size 125 in \(teacher.path)/config.json"), "\(sizes!)")
        // Same size, one token differs.
        config.vocabularySize = 125
        try config.write(to: fixture.model.appendingPathComponent("config.json"))
        var tokens = try String(contentsOf: fixture.vocabulary, encoding: .utf8).split(separator: "\n").map(String.init)
        tokens[7] = "X"
        try (tokens.joined(separator: "\n") + "\n").write(to: fixture.vocabulary, atomically: true, encoding: .utf8)
        let differ = #expect(throws: TrainingError.self) { try Pretrainer(c, monitor: RecordingMonitor()) }
        #expect("\(differ!)".contains("\(teacher.path)/vocab.txt line 8"), "\(differ!)")
        // A teacher without an MLM head.
        let bare = fixture.directory.appendingPathComponent("bare")
        _ = try StudentFolder.write(from: teacher, to: bare, layers: nil, modelType: nil, head: .base, copyWeights: true, seed: 1)
        c.distillation = DistillationSettings(teacherPath: bare.path)
        let headless = #expect(throws: TrainingError.self) { try Pretrainer(c, monitor: RecordingMonitor()) }
        #expect("\(headless!)".contains("cls.predictions"), "\(headless!)")
    }

    /// Task distillation: a teacher fine-tuned on a toy task teaches a 1-layer student; a teacher of other labels is
    /// refused by name.
    @Test func taskDistillation() throws {
        let data = try FineTuningTestSupport.temporaryDirectory("distill")
        let words = ["好", "棒", "赞", "坏", "差", "烂"]
        var lines: [String] = []
        var random = RandomGenerator(seed: 5)
        for _ in 0..<96 {
            let text = (0..<8).map { _ in words[random.below(6)] }.joined()
            let positive = text.filter { "好棒赞".contains($0) }.count * 2 >= text.count
            lines.append(#"{"text": "\#(text)", "label": "\#(positive ? "positive" : "negative")"}"#)
        }
        try FineTuningTestSupport.write(Array(lines.prefix(64)), to: data.appendingPathComponent("train.json"))
        try FineTuningTestSupport.write(Array(lines.suffix(32)), to: data.appendingPathComponent("dev.json"))
        let model = try FineTuningTestSupport.tinyModelDirectory(texts: words, layers: 2)
        let teacherOutput = try FineTuningTestSupport.temporaryDirectory("teacher")
        var c = FineTuningEndToEndTests.configuration(.sequenceClassification, model: model, output: teacherOutput,
                                                      train: data.appendingPathComponent("train.json"), dev: data.appendingPathComponent("dev.json"),
                                                      test: data.appendingPathComponent("dev.json"))
        c.doPredict = false
        c.numTrainEpochs = 4
        try FineTuner(c, logger: RunLogger(outputDirectory: teacherOutput, title: "teacher", quiet: true)).run()

        let student = try FineTuningTestSupport.temporaryDirectory("student").appendingPathComponent("init")
        let summary = try StudentFolder.write(from: teacherOutput, to: student, layers: 1, modelType: nil, head: .sequenceClassification,
                                              copyWeights: true, seed: 1)
        #expect(summary.fresh.isEmpty && summary.sourceLayers == [0])
        let output = try FineTuningTestSupport.temporaryDirectory("distilled")
        var d = c
        d.modelNameOrPath = student.path
        d.outputDir = output.path
        d.distillation = DistillationSettings(teacherPath: teacherOutput.path)
        let result = try #require(try FineTuner(d, logger: RunLogger(outputDirectory: output, title: "student", quiet: true)).run())
        #expect(result.metric("accuracy")! > 0.5)
        #expect(try ModelCheckpoint.loadConfig(directory: output).layerCount == 1)

        // A teacher whose labels differ.
        var config = try ModelCheckpoint.loadConfig(directory: teacherOutput)
        config.labelsById = [0: "good", 1: "bad"]
        config.idsByLabel = ["good": 0, "bad": 1]
        try config.write(to: teacherOutput.appendingPathComponent("config.json"))
        let labels = #expect(throws: TrainingError.self) {
            try FineTuner(d, logger: RunLogger(outputDirectory: output, title: "student", quiet: true))
        }
        #expect("\(labels!)".contains("id2label in \(teacherOutput.path)/config.json"), "\(labels!)")
    }
}
