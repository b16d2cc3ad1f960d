import ErnieEngine
import ErnieBasics
import ErnieModels
import Foundation

/// Everything `ernie finetune` takes, with Hugging Face Trainer / PaddleNLP names and defaults (see the CLI for flags).
public struct FineTuningConfiguration: Sendable, Codable, Equatable {
    public var taskName: FineTuningTask
    /// A local Hugging Face directory: config.json, vocab.txt (or tokenizer.json), and usually model.safetensors.
    public var modelNameOrPath: String
    public var outputDir: String
    public var trainFile: String?
    public var validationFile: String?
    public var testFile: String?
    /// A label list file (one label per line, in class-id order); default: config.json's labels when they are not
    /// HF's `LABEL_i` defaults, else the sorted labels of the training data.
    public var labelList: String?
    /// nil: inferred (multi-label when labels are lists, regression when they are non-integer numbers, else the
    /// config's `problem_type`, else single-label).
    public var problemType: ProblemType?
    /// `ernie distill --task_name …`: a teacher fine-tuned on the task and the loss weights (nil: plain fine-tuning).
    public var distillation: DistillationSettings?
    /// ERNIE-M's XNLI modes (`--task_type`): the data comes from the XNLI folder, evaluation is per language.
    public var xnli: XNLISettings?
    public var doTrain = false
    public var doEval = false
    public var doPredict = false
    public var numTrainEpochs = 3.0
    /// When set (> 0), overrides `numTrainEpochs`.
    public var maxSteps: Int?
    public var learningRate = 5e-5
    public var warmupRatio = 0.0
    /// When set (> 0), overrides `warmupRatio`.
    public var warmupSteps: Int?
    /// `--optimizer` (adamw, HF Trainer's, or lamb / momentum), `--weight_decay`, `--adam_beta1`, …
    public var optimizer = OptimizerSettings()
    /// Global gradient-norm clipping; 0 disables.
    public var maxGradNorm = 1.0
    /// Layer-wise learning-rate decay (PaddleNLP ERNIE 3.0): the rate of a parameter at depth d (embeddings 0,
    /// encoder layer i at i + 1, everything above at L + 1) is scaled by decay^(L + 1 − d). 1 disables.
    public var layerwiseDecay = 1.0
    public var perDeviceTrainBatchSize = 8
    /// Micro-batches whose gradients are summed before one optimizer step (HF Trainer's name): a step sees
    /// per_device_train_batch_size × this × ranks examples, and its gradient is exactly that batch's mean.
    public var gradientAccumulationSteps = 1
    /// ZeRO-1: shard the optimizer state over the data-parallel ranks (the weights stay identical to unsharded).
    public var useSharding = false
    /// A `checkpoint-<step>` directory to continue from, or "true" / "latest" for the highest one in the output
    /// directory (HF Trainer's `resume_from_checkpoint`); nil or "false": start afresh.
    public var resumeFromCheckpoint: String?
    public var perDeviceEvalBatchSize = 8
    public var maxSeqLength = 128
    /// Evaluate every this many steps; nil: at the end of every epoch.
    public var evalSteps: Int?
    /// Write `checkpoint-<step>` every this many steps; nil: never (the best model is still written).
    public var saveSteps: Int?
    public var loggingSteps = 10
    /// Without the `eval_` prefix (e.g. `accuracy`, `f1`, `loss`); nil: the task's default.
    public var metricForBestModel: String?
    /// nil: false for losses, true otherwise.
    public var greaterIsBetter: Bool?
    public var loadBestModelAtEnd = false
    /// Keep at most this many `checkpoint-<step>` directories (the oldest go first, the best is kept).
    public var saveTotalLimit: Int?
    /// Stop after this many evaluations without improvement of the best metric.
    public var earlyStoppingPatience: Int?
    public var seed = 42
    public var maxTrainSamples: Int?
    public var maxEvalSamples: Int?
    public var maxPredictSamples: Int?
    /// Token classification: a linear-chain CRF over the classifier's scores, Viterbi decoding (MindSpore `use_crf`).
    public var useCrf = false
    /// Question answering: tokens shared by consecutive windows of a long context.
    public var docStride = 128
    /// Question answering: questions are cut to this many tokens.
    public var maxQueryLength = 64
    public var nBestSize = 20
    public var maxAnswerLength = 30
    /// Question answering metric: `squad` (v1.1) or `cmrc2018`; nil: cmrc2018 when contexts are mostly CJK.
    public var qaMetric: String?
    /// nil: the model config's values.
    public var hiddenDropoutProb: Double?
    public var attentionProbsDropoutProb: Double?
    public var classifierDropout: Double?
    /// bf16 matmuls (AMX) with fp32 master weights.
    public var useAmp = false
    /// Prediction only (`ernie predict --dtype`): the matmul precision of inference, overriding `useAmp`.
    public var inferencePrecision: MatmulPrecision?
    /// HF's `group_by_length`: batches of similar lengths (less padding), from shuffled mega-batches of 50 batches.
    public var groupByLength = false

    public init(taskName: FineTuningTask, modelNameOrPath: String, outputDir: String) {
        self.taskName = taskName
        self.modelNameOrPath = modelNameOrPath
        self.outputDir = outputDir
    }

    /// The metric that picks the best model, without prefix.
    public var bestMetric: String {
        let name = metricForBestModel ?? taskName.defaultMetric
        return name.hasPrefix("eval_") ? String(name.dropFirst(5)) : name
    }

    public var bestMetricIncreases: Bool { greaterIsBetter ?? !bestMetric.hasSuffix("loss") }

    /// Contradictions and out-of-range values, before anything runs.
    public func validate() throws {
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw TrainingError.invalidConfiguration(message) }
        }
        try require(doTrain || doEval || doPredict, "nothing to do: pass --do_train, --do_eval and/or --do_predict")
        try distillation?.validate()
        try require(distillation.map { $0.alphaCos == 0 } ?? true,
                    "--alpha_cos compares the encoders' hidden states in general distillation (ernie distill without --task_name); a task distillation uses --alpha_ce and --alpha_task")
        // Predicting into the model's own folder (ERNIE-M's predict command) writes no weights there.
        try require(!doTrain || !FileLocation.same(outputDir, modelNameOrPath),
                    "--output_dir \(outputDir) is the --model_name_or_path directory: saving there would overwrite the pretrained weights; give another --output_dir")
        if xnli != nil {
            try require(taskName == .sequenceClassification, "--task_type (XNLI) is sequence classification: drop --task_name \(taskName.rawValue)")
            try require(trainFile == nil && validationFile == nil && testFile == nil,
                        "--task_type reads XNLI from --data_dir (or --test_data_path): drop --train_file/--validation_file/--test_file")
        } else {
            try require(!doTrain || trainFile != nil, "--do_train needs --train_file")
            try require(!doEval || validationFile != nil, "--do_eval needs --validation_file")
            try require(!doPredict || testFile != nil, "--do_predict needs --test_file")
        }
        try require(maxSeqLength >= 8, "--max_seq_length \(maxSeqLength) is too small (at least 8)")
        try FlagRange.positive("--max_steps", maxSteps, " (or -1: train --num_train_epochs)")
        try require(numTrainEpochs > 0 || (maxSteps ?? 0) > 0, "--num_train_epochs must be positive (or give --max_steps), found \(numTrainEpochs)")
        try FlagRange.positive("--learning_rate", learningRate)
        try FlagRange.within("--warmup_ratio", warmupRatio, 0...1, "[0, 1]")
        try FlagRange.optimizer(optimizer)
        try FlagRange.nonNegative("--max_grad_norm", maxGradNorm)
        try FlagRange.within("--layerwise_decay", layerwiseDecay, .leastNonzeroMagnitude...1, "(0, 1]")
        for (flag, value) in [("--per_device_train_batch_size", perDeviceTrainBatchSize), ("--per_device_eval_batch_size", perDeviceEvalBatchSize),
                              ("--gradient_accumulation_steps", gradientAccumulationSteps), ("--logging_steps", loggingSteps),
                              ("--max_query_length", maxQueryLength), ("--n_best_size", nBestSize), ("--max_answer_length", maxAnswerLength)] {
            try FlagRange.positive(flag, value)
        }
        try require(resumeFromCheckpoint == nil || resumeFromCheckpoint == "false" || doTrain, "--resume_from_checkpoint needs --do_train")
        for (flag, value) in [("--eval_steps", evalSteps), ("--save_steps", saveSteps), ("--save_total_limit", saveTotalLimit),
                              ("--early_stopping_patience", earlyStoppingPatience), ("--max_train_samples", maxTrainSamples),
                              ("--max_eval_samples", maxEvalSamples), ("--max_predict_samples", maxPredictSamples),
                              ("--warmup_steps", warmupSteps), ("--doc_stride", docStride), ("--seed", seed)] {
            try FlagRange.nonNegative(flag, value)
        }
        try require(taskName != .questionAnswering || docStride < maxSeqLength / 2, "doc_stride \(docStride) must be less than half of max_seq_length \(maxSeqLength)")
        if let qaMetric { try require(["squad", "cmrc2018"].contains(qaMetric), "qa_metric must be squad or cmrc2018, not \(qaMetric)") }
        for (flag, p) in [("--hidden_dropout_prob", hiddenDropoutProb), ("--attention_probs_dropout_prob", attentionProbsDropoutProb),
                          ("--classifier_dropout", classifierDropout)] {
            try FlagRange.probability(flag, p)
        }
        try require(!useCrf || taskName == .tokenClassification, "--use_crf applies to --task_name token-cls only")
        try require(!loadBestModelAtEnd || doEval, "--load_best_model_at_end needs --do_eval (the best model is chosen on the validation file)")
        try require(earlyStoppingPatience == nil || doEval, "early stopping needs --do_eval")
    }
}
