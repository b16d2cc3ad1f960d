import ArgumentParser
import ErnieModels
import ErnieTraining
import Foundation

extension ModelType: ExpressibleByArgument {}

/// `ernie pretrain`: PaddleNLP's run_pretrain.py flags, same spellings.
struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain an ERNIE/BERT model with MLM (+ SOP) on PaddleNLP-format token files.",
        discussion: "Restarting with the same --output_dir resumes from output_dir/model_last and continues bit-identically.")

    @Option(name: .customLong("model_type"), help: "ernie or bert (default: the model config's).") var modelType: ModelType?
    @Option(name: .customLong("model_name_or_path"), help: "A Hugging Face model directory (config.json; weights are continued from) or a preset.")
    var modelNameOrPath: String
    @Option(name: .customLong("tokenizer_name_or_path"), help: "A folder with vocab.txt, or the vocab file (default: the model folder).")
    var tokenizerNameOrPath: String?
    @Option(name: .customLong("continue_training"), help: "Require weights in model_name_or_path and start from them.") var continueTraining = false
    @Option(name: .customLong("input_dir"), help: "A prefix, a folder of *_idx.npz, or \"w1 prefix1 w2 prefix2 …\".") var inputDir: String
    @Option(name: .customLong("output_dir"), help: "Where checkpoints, logs and the report go.") var outputDir: String
    @Option(name: .customLong("split"), help: "Document split train,valid,test.") var split = "949,50,1"
    @Option(name: .customLong("max_seq_len"), parsing: .unconditional) var maxSeqLen = 512
    @Option(name: .customLong("micro_batch_size"), parsing: .unconditional) var microBatchSize = 8
    @Option(name: .customLong("global_batch_size"), parsing: .unconditional, help: "Default: micro_batch_size × ranks; larger means gradient accumulation.") var globalBatchSize: Int?
    @Option(name: .customLong("binary_head"), help: "Train the sentence-order head (true|false).") var binaryHead = true
    @Option(name: .customLong("masked_lm_prob"), parsing: .unconditional) var maskedLMProb = 0.15
    @Option(name: .customLong("short_seq_prob"), parsing: .unconditional) var shortSeqProb = 0.1
    @Option(name: .customLong("max_ngrams"), parsing: .unconditional) var maxNgrams = 3
    @Option(name: .customLong("favor_longer_ngram")) var favorLongerNgram = false
    @Option(name: .customLong("max_lr"), parsing: .unconditional) var maxLR = 1e-4
    @Option(name: .customLong("min_lr"), parsing: .unconditional) var minLR = 1e-5
    @Option(name: .customLong("warmup_rate"), parsing: .unconditional) var warmupRate = 0.01
    @Option(name: .customLong("decay_steps"), parsing: .unconditional, help: "Default: max_steps.") var decaySteps: Int?
    @Option(name: .customLong("lr_scheduler"), help: "linear (PaddleNLP's annealing) or cosine.") var lrScheduler = "linear"
    @OptionGroup var optimizerOptions: OptimizerOptions
    @Option(name: .customLong("grad_clip"), parsing: .unconditional, help: "Global gradient-norm limit (0: off).") var gradClip = 0.0
    @Option(name: .customLong("max_steps"), parsing: .unconditional) var maxSteps = 500_000
    @Option(name: .customLong("save_steps"), parsing: .unconditional, help: "Write output_dir/model_<step> every this many steps.") var saveSteps = 10_000
    @Option(name: .customLong("checkpoint_steps"), parsing: .unconditional, help: "Write output_dir/model_last (resumable) every this many steps.") var checkpointSteps = 20_000
    @Option(name: .customLong("logging_freq"), parsing: .unconditional) var loggingFreq = 1
    @Option(name: .customLong("eval_freq"), parsing: .unconditional) var evalFreq = 500
    @Option(name: .customLong("eval_iters"), parsing: .unconditional) var evalIters = 10
    @Option(name: .customLong("seed"), parsing: .unconditional) var seed = 1234
    @Option(name: .customLong("hidden_dropout_prob"), parsing: .unconditional, help: "Default: the model config's.") var hiddenDropoutProb: Double?
    @Option(name: .customLong("attention_probs_dropout_prob"), parsing: .unconditional, help: "Default: the model config's.") var attentionProbsDropoutProb: Double?
    @Option(name: .customLong("use_amp"), help: "bf16 matmuls (AMX or AVX512-BF16) with fp32 master weights (true|false).") var useAmp = false
    @Option(name: .customLong("scale_loss"), parsing: .unconditional, help: "Initial dynamic loss scale with --use_amp.") var scaleLoss = 32768.0
    @Option(name: .customLong("use_recompute"), help: "Recompute layer activations in the backward pass (true|false).") var useRecompute = false
    @Option(name: .customLong("num_workers"), parsing: .unconditional, help: "Data prefetch threads.") var numWorkers = 1
    @Option(name: .customLong("device"), help: "Accepted for PaddleNLP scripts; only cpu exists.") var device = "cpu"
    @Option(name: .customLong("use_sharding"), help: "Shard the optimizer state across the mpirun ranks (ZeRO-1; true|false).")
    var useSharding: Bool?
    @Option(name: .customLong("sharding_degree"), parsing: .unconditional, help: "Ranks sharing one copy of the optimizer state (default: all with --use_sharding).")
    var shardingDegree: Int?
    @Option(name: .customLong("dp_degree"), parsing: .unconditional, help: "Data-parallel groups (default: ranks / sharding_degree).") var dpDegree: Int?

    func run() throws {
        guard device == "cpu" else { throw ValidationError("--device \(device): ernie runs on the CPU") }
        var c = PretrainingConfiguration(modelNameOrPath: modelNameOrPath, inputDir: inputDir, outputDir: outputDir)
        c.modelType = modelType ?? .ernie
        c.tokenizerNameOrPath = tokenizerNameOrPath
        c.continueTraining = continueTraining
        c.split = split
        c.maxSeqLen = maxSeqLen
        c.microBatchSize = microBatchSize
        c.globalBatchSize = globalBatchSize
        c.binaryHead = binaryHead
        c.maskedLMProb = maskedLMProb
        c.shortSeqProb = shortSeqProb
        c.maxNgrams = maxNgrams
        c.favorLongerNgram = favorLongerNgram
        c.maxLR = maxLR
        c.minLR = minLR
        c.warmupRate = warmupRate
        c.decaySteps = decaySteps
        c.lrScheduler = lrScheduler
        c.optimizer = optimizerOptions.settings(defaultWeightDecay: 0.01)
        c.gradClip = gradClip
        c.maxSteps = maxSteps
        c.saveSteps = saveSteps
        c.checkpointSteps = checkpointSteps
        c.loggingFreq = loggingFreq
        c.evalFreq = evalFreq
        c.evalIters = evalIters
        c.seed = seed
        c.hiddenDropoutProb = hiddenDropoutProb
        c.attentionProbsDropoutProb = attentionProbsDropoutProb
        c.useAmp = useAmp
        c.scaleLoss = scaleLoss
        c.useRecompute = useRecompute
        c.numWorkers = numWorkers
        c.useSharding = useSharding
        c.shardingDegree = shardingDegree
        c.dpDegree = dpDegree
        try c.validate()  // before any rank writes into --output_dir
        try DataParallelLaunch.run { group in
            // Rank 0 alone reports and writes; the others only compute.
            let monitor = RunLogger(outputDirectory: URL(fileURLWithPath: outputDir), title: "ernie pretraining", silent: group.rank != 0)
            let trainer = try Pretrainer(c, modelType: modelType, monitor: monitor, group: group)
            Interruption.install()
            try trainer.run()
        }
    }
}
