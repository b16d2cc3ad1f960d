import ErnieData
import ErnieEngine
import ErnieModels
import Foundation
import Testing
@testable import ErnieTraining

/// A small synthetic corpus in PaddleNLP's format and a tiny model config, in a fresh temporary directory.
struct PretrainingFixture {
    let directory: URL
    let prefix: String
    let vocabulary: URL
    let model: URL

    init(documents: Int = 120, seed: UInt64 = 1) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-pretrain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // [PAD] [CLS] [SEP] [MASK] [UNK], then 120 CJK characters.
        let characters = (0..<120).map { String(UnicodeScalar(0x4E00 + $0 * 7)!) }
        vocabulary = directory.appendingPathComponent("vocab.txt")
        try (["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"] + characters).joined(separator: "\n").appending("\n")
            .write(to: vocabulary, atomically: true, encoding: .utf8)
        prefix = directory.appendingPathComponent("corpus").path
        let writer = try TokenFileWriter(outputPrefix: prefix, vocabularySize: 125)
        var random = RandomGenerator(seed: seed)
        for _ in 0..<documents {
            for _ in 0..<(2 + random.below(4)) {
                // Skewed (u³) token frequencies and a repeated motif: structure for the model to learn.
                let motif = random.below(20)
                try writer.appendSentence((0..<(6 + random.below(20))).map { i in
                    5 + (i % 3 == 0 ? motif : Int(119.99 * Foundation.pow(random.uniform(), 3)))
                })
            }
            try writer.endDocument()
        }
        _ = try writer.finish()
        var config = try BertConfig.preset(named: "ernie-tiny-zh-test")
        config.vocabularySize = 125
        config.maxPositionEmbeddings = 64
        model = directory.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try config.write(to: model.appendingPathComponent("config.json"))
    }

    func configuration(output: String, steps: Int) -> PretrainingConfiguration {
        var c = PretrainingConfiguration(modelNameOrPath: model.path, inputDir: prefix, outputDir: directory.appendingPathComponent(output).path)
        c.tokenizerNameOrPath = vocabulary.path
        c.maxSeqLen = 32
        c.microBatchSize = 8
        c.maxSteps = steps
        c.maxLR = 1e-3
        c.warmupRate = 0.2
        c.gradClip = 1
        c.evalIters = 1
        c.evalFreq = 1000
        c.saveSteps = 1000
        c.checkpointSteps = 1000
        c.numWorkers = 1
        return c
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Collects what the loop reports.
final class RecordingMonitor: PretrainingMonitor {
    var rows: [TrainingRow] = []
    var evaluations: [EvaluationRow] = []
    var notes: [String] = []
    func started(settings: [(String, String)], resumedFromStep: Int?) {}
    func trained(_ row: TrainingRow) { rows.append(row) }
    func evaluated(_ row: EvaluationRow) { evaluations.append(row) }
    func saved(_ path: String, step: Int) {}
    func note(_ message: String) { notes.append(message) }
    func finished(step: Int) {}
}

@Suite(.serialized) struct PretrainingTests {
    /// Gradient accumulation 4 × micro-batch 4 takes the same steps as micro-batch 16 (dropout off).
    @Test func accumulationEqualsOneLargeBatch() throws {
        let fixture = try PretrainingFixture()
        defer { fixture.remove() }
        var losses: [[Double]] = []
        var weights: [[Float]] = []
        for micro in [16, 4] {
            var c = fixture.configuration(output: "run-\(micro)", steps: 4)
            c.microBatchSize = micro
            c.globalBatchSize = 16
            c.hiddenDropoutProb = 0
            c.attentionProbsDropoutProb = 0
            let monitor = RecordingMonitor()
            let trainer = try Pretrainer(c, monitor: monitor)
            try trainer.run()
            losses.append(monitor.rows.map(\.loss))
            weights.append(trainer.model.parameters["ernie.encoder.layer.1.output.dense.weight"]!.values)
        }
        let worst = zip(losses[0], losses[1]).map { abs($0 - $1) / abs($0) }.max()!
        print("accumulation: losses \(losses[0]) vs \(losses[1]); worst relative difference \(worst)")
        #expect(losses[0].count == 4 && worst <= 1e-5)
        let weightScale = weights[0].map(abs).max()!
        #expect(zip(weights[0], weights[1]).map { abs($0 - $1) }.max()! / weightScale <= 1e-4)
    }

    /// Stopping after step 3 (checkpoint at step 2 and at the stop) and restarting gives bit-identical losses and
    /// weights to an uninterrupted run, dropout included.
    @Test func resumeIsBitIdentical() throws {
        let fixture = try PretrainingFixture()
        defer { fixture.remove() }
        var full = fixture.configuration(output: "full", steps: 6)
        full.checkpointSteps = 2
        let fullMonitor = RecordingMonitor()
        let fullTrainer = try Pretrainer(full, monitor: fullMonitor)
        try fullTrainer.run()

        var interrupted = fixture.configuration(output: "interrupted", steps: 6)
        interrupted.checkpointSteps = 2
        let first = try Pretrainer(interrupted, monitor: RecordingMonitor())
        first.stopAfterStep = 3
        try first.run()
        #expect(first.step == 3)
        let resumedMonitor = RecordingMonitor()
        let second = try Pretrainer(interrupted, monitor: resumedMonitor)
        #expect(second.step == 3)
        try second.run()
        let expected = fullMonitor.rows.filter { $0.step > 3 }.map(\.loss)
        #expect(resumedMonitor.rows.map(\.loss) == expected, "resumed \(resumedMonitor.rows.map(\.loss)) vs \(expected)")
        for (name, tensor) in fullTrainer.model.parameters.ordered {
            #expect(second.model.parameters[name]!.values == tensor.values, "\(name)")
        }
    }

    /// The loss goes down on a corpus with structure (the loop learns, not just runs).
    @Test func lossDecreases() throws {
        let fixture = try PretrainingFixture()
        defer { fixture.remove() }
        var c = fixture.configuration(output: "learn", steps: 30)
        c.loggingFreq = 10
        let monitor = RecordingMonitor()
        try Pretrainer(c, monitor: monitor).run()
        #expect(monitor.rows.count == 3)
        #expect(monitor.rows.last!.lmLoss < monitor.rows.first!.lmLoss - 0.3, "\(monitor.rows.map(\.lmLoss))")
        // Checkpoints: model_30 and model_last, loadable and complete.
        let output = URL(fileURLWithPath: c.outputDir)
        for name in ["model_30", "model_last"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("\(name)/model.safetensors").path))
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("\(name)/vocab.txt").path))
        }
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("model_last/trainer_state.json").path))
    }

    @Test func incompatibleOutputDirectoryIsRefused() throws {
        let fixture = try PretrainingFixture()
        defer { fixture.remove() }
        var c = fixture.configuration(output: "run", steps: 2)
        try Pretrainer(c, monitor: RecordingMonitor()).run()
        c.globalBatchSize = 16
        #expect(throws: TrainingError.self) { try Pretrainer(c, monitor: RecordingMonitor()) }
        c.globalBatchSize = nil
        c.inputDir = fixture.directory.appendingPathComponent("missing").path
        #expect(throws: (any Error).self) { try Pretrainer(c, monitor: RecordingMonitor()) }
        var bad = fixture.configuration(output: "bad", steps: 2)
        bad.globalBatchSize = 12
        #expect(throws: TrainingError.self) { try Pretrainer(bad, monitor: RecordingMonitor()) }
    }
}
