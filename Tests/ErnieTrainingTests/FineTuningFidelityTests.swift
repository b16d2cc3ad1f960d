import ErnieEngine
import ErnieModels
import ErnieText
import Foundation
import Testing
@testable import ErnieTraining

/// Same-init fidelity against transformers' Trainer (tools/finetune_fidelity.py): MiniLM as a 2-label
/// BertForSequenceClassification (dropout 0, the classifier transformers initialised), full-batch training on a
/// hand-written sentiment set with HF's AdamW, linear warmup/decay and clipping. Bar: every per-step training loss and
/// per-epoch eval loss within 2e-6 relative of transformers' (the issue's bar was 1e-3).
@Suite struct FineTuningFidelityTests {
    static let minilm = FineTuningTestSupport.minilm

    @Test(.enabled(if: FineTuningTestSupport.hasMiniLM, FineTuningTestSupport.miniLMAbsent)) func matchesTransformersTrainer() throws {
        let fixtures = FineTuningTestSupport.fixtures
        let golden = try #require(try FineTuningTestSupport.json(fixtures.appendingPathComponent("fidelity_golden.json")) as? [String: Any])
        let recipe = golden["recipe"] as! [String: Any]

        // The starting point: MiniLM's encoder + transformers' classifier, saved as an HF BertForSequenceClassification.
        var config = try BertConfig(contentsOf: Self.minilm.appendingPathComponent("config.json"))
        config.labelsById = [0: "negative", 1: "positive"]
        config.idsByLabel = ["negative": 0, "positive": 1]
        config.hiddenDropoutProbability = 0
        config.attentionDropoutProbability = 0
        let start = try FineTuningModel(task: .sequenceClassification, config: config, seed: 0)
        let report = try start.load(from: Self.minilm)
        #expect(report.uninitializedParameters == ["classifier.weight", "classifier.bias"])
        let classifier = try SafetensorsFile(contentsOf: fixtures.appendingPathComponent("fidelity_classifier.safetensors"))
        for name in ["classifier.weight", "classifier.bias"] {
            let tensor = start.parameters[name]!
            try classifier.readFloats(named: name, into: UnsafeMutableBufferPointer(start: tensor.data, count: tensor.count))
        }
        let initial = try FineTuningTestSupport.temporaryDirectory("fidelity-init")
        try start.save(to: initial, tokenizer: TokenizerFiles(source: Self.minilm, fallbackMaxLength: 512))

        let output = try FineTuningTestSupport.temporaryDirectory("fidelity-out")
        var c = FineTuningConfiguration(taskName: .sequenceClassification, modelNameOrPath: initial.path, outputDir: output.path)
        c.trainFile = fixtures.appendingPathComponent("fidelity_train.json").path
        c.validationFile = fixtures.appendingPathComponent("fidelity_dev.json").path
        c.doTrain = true
        c.doEval = true
        c.numTrainEpochs = recipe["num_train_epochs"] as! Double
        c.learningRate = recipe["learning_rate"] as! Double
        c.optimizer.weightDecay = recipe["weight_decay"] as! Double
        c.warmupRatio = recipe["warmup_ratio"] as! Double
        c.maxGradNorm = recipe["max_grad_norm"] as! Double
        c.perDeviceTrainBatchSize = recipe["per_device_train_batch_size"] as! Int
        c.perDeviceEvalBatchSize = recipe["per_device_eval_batch_size"] as! Int
        c.maxSeqLength = recipe["max_seq_length"] as! Int
        c.seed = recipe["seed"] as! Int
        c.loggingSteps = 1
        let tuner = try FineTuner(c, logger: RunLogger(outputDirectory: output, title: "test", quiet: true))
        #expect(tuner.labels?.labels == golden["labels"] as? [String])
        try tuner.run()

        let rows = try MetricsLog.readRows(at: output.appendingPathComponent("logs/metrics.jsonl"))
        let trainLosses = rows.compactMap { $0.number("loss") }, evalLosses = rows.compactMap { $0.number("eval_loss") }
        let expectedTrain = (golden["train_losses"] as! [NSNumber]).map(\.doubleValue)
        let expectedEval = (golden["eval_losses"] as! [NSNumber]).map(\.doubleValue)
        #expect(trainLosses.count == expectedTrain.count && evalLosses.count == expectedEval.count)
        let relative = { (a: [Double], b: [Double]) in zip(a, b).map { abs($0 - $1) / abs($1) }.max() ?? .infinity }
        let trainError = relative(trainLosses, expectedTrain), evalError = relative(evalLosses, expectedEval)
        print("fine-tuning fidelity vs transformers: train losses \(trainLosses.map { String(format: "%.6f", $0) })")
        print("  eval losses \(evalLosses.map { String(format: "%.6f", $0) }) vs \(expectedEval.map { String(format: "%.6f", $0) })")
        print("  worst relative error: train \(trainError), eval \(evalError)")
        // Measured: train 1.0e-7, eval 1.3e-7 relative; bar 2e-6 (15x: other CPUs' multi-threaded fp32 GEMMs).
        #expect(trainError <= 2e-6)
        #expect(evalError <= 2e-6)
        let results = try #require(try FineTuningTestSupport.json(output.appendingPathComponent("eval_results.json")) as? [String: Any])
        // Measured: 0 here; the bar of the eval losses above.
        #expect(abs((results["eval_loss"] as! Double) - expectedEval.last!) / expectedEval.last! <= 2e-6)
        #expect((results["eval_accuracy"] as! Double) == (golden["eval_accuracy"] as! [NSNumber]).last!.doubleValue)
    }
}
