import ErnieBasics
import ErnieData
import ErnieEngine
import ErnieModels
import Foundation

/// How `--input_dir` stores the pretraining data.
public enum PretrainingInputFormat: String, Sendable, Codable, CaseIterable {
    /// PaddleNLP's `_ids.npy` / `_idx.npz` (or Megatron `.bin` / `.idx`) token files; samples are built (masked,
    /// paired) on the fly, as PaddleNLP's ErnieDataset builds them.
    case mmap
    /// Google BERT's / MindSpore's TFRecord files of finished samples (static masks, NSP labels).
    case tfrecord
}

/// Everything `ernie pretrain` takes, with PaddleNLP's run_pretrain.py names and defaults (see the CLI for flags).
public struct PretrainingConfiguration: Sendable, Codable, Equatable {
    public var modelType: ModelType = .ernie
    /// A local Hugging Face directory (config.json; weights, when present, are continued from) or a preset name.
    public var modelNameOrPath: String
    /// A directory holding vocab.txt, or a vocab file; default: the model directory.
    public var tokenizerNameOrPath: String?
    public var continueTraining = false
    /// Weights to start from instead of the model folder's: a weights file in any format ernie reads (MindSpore's
    /// `--load_checkpoint_path`), or a folder.
    public var initialWeights: String?
    /// PaddleNLP token files (`--input_format mmap`, the default) or stored samples (`tfrecord`).
    public var inputDir: String
    public var inputFormat: PretrainingInputFormat = .mmap
    /// Validation data of its own (HF's `--eval_data_file`, prepared): every document is validation data, and
    /// `inputDir` all training data.
    public var evalInputDir: String?
    /// A MindSpore schema.json for TFRecord input (its columns are checked, its numRows honoured).
    public var schemaFile: String?
    /// Read only the first this many TFRecord samples (MindSpore's `--num_samples`).
    public var tfrecordSampleLimit: Int?
    public var outputDir: String
    public var split = "949,50,1"
    public var maxSeqLen = 512
    public var microBatchSize = 8
    /// nil: micro_batch_size × accumulation × data-parallel world size.
    public var globalBatchSize: Int?
    /// Micro-batches summed per step (HF's `--gradient_accumulation_steps`, MindSpore's `--accumulation_steps`); with
    /// `globalBatchSize` it must agree.
    public var accumulationSteps: Int?
    public var binaryHead = true
    public var maskedLMProb = 0.15
    public var shortSeqProb = 0.1
    public var maxNgrams = 3
    public var favorLongerNgram = false
    public var maxLR = 1e-4
    public var minLR = 1e-5
    public var warmupRate = 0.01
    /// nil: max_steps.
    public var decaySteps: Int?
    /// "linear" (PaddleNLP's LinearAnnealingWithWarmupDecay), "cosine", "polynomial" (with `power`) or "constant".
    public var lrScheduler = "linear"
    /// The exponent of the polynomial schedule (MindSpore's and HF's `power`).
    public var power = 1.0
    /// `--optimizer`, `--weight_decay`, `--adam_beta1`, … (PaddleNLP's default weight decay 0.01).
    public var optimizer = OptimizerSettings(weightDecay: 0.01)
    /// Global-norm clipping; 0 disables.
    public var gradClip = 0.0
    public var maxSteps = 500_000
    public var saveSteps = 10_000
    /// Write `model_<step>` folders at all (MindSpore's `--enable_save_ckpt`).
    public var saveModels = true
    /// Keep only the newest this many `model_<step>` folders (MindSpore's `--save_checkpoint_num`, HF's
    /// `--save_total_limit`); nil keeps all.
    public var saveTotalLimit: Int?
    /// Start over instead of resuming from `output_dir/model_last` (HF's `--overwrite_output_dir`).
    public var overwriteOutputDir = false
    /// The output and data folders are shared by every rank (PaddleNLP's `--share_folder`): rank 0 alone builds the
    /// cached index maps, the others wait for them.
    public var shareFolder = false
    public var checkpointSteps = 20_000
    public var loggingFreq = 1
    public var evalFreq = 500
    public var evalIters = 10
    public var seed = 1234
    /// nil: the model config's value.
    public var hiddenDropoutProb: Double?
    public var attentionProbsDropoutProb: Double?
    /// bf16 matmuls (fp32 master weights) with dynamic loss scaling from `scaleLoss`.
    public var useAmp = false
    /// `ernie distill`: the frozen teacher and the loss weights (nil: plain pretraining).
    public var distillation: DistillationSettings?
    public var scaleLoss = 32768.0
    public var useRecompute = false
    /// Data prefetch threads (0: build batches inline).
    public var numWorkers = 1
    /// ZeRO-1 optimizer-state sharding (nil: on when `shardingDegree` > 1).
    public var useSharding: Bool?
    /// Ranks that share one copy of the optimizer state (nil: all ranks with `useSharding`, else 1).
    public var shardingDegree: Int?
    /// Data-parallel groups (nil: ranks / sharding degree); given, it must match.
    public var dpDegree: Int?

    public init(modelNameOrPath: String, inputDir: String, outputDir: String) {
        self.modelNameOrPath = modelNameOrPath
        self.inputDir = inputDir
        self.outputDir = outputDir
    }

    /// Gradient accumulation steps: global / (micro × world).
    public func accumulationSteps(worldSize: Int) throws -> Int {
        let global = effectiveGlobalBatchSize(worldSize: worldSize)
        if let accumulationSteps, let globalBatchSize, globalBatchSize != microBatchSize * worldSize * accumulationSteps {
            throw TrainingError.invalidConfiguration(
                "global_batch_size \(globalBatchSize) contradicts micro_batch_size \(microBatchSize) × accumulation_steps \(accumulationSteps) × \(worldSize) ranks")
        }
        guard microBatchSize > 0, global > 0, global % (microBatchSize * worldSize) == 0 else {
            throw TrainingError.invalidConfiguration(
                "global_batch_size \(global) is not a multiple of micro_batch_size \(microBatchSize) × \(worldSize) data-parallel ranks")
        }
        return global / (microBatchSize * worldSize)
    }

    public func effectiveGlobalBatchSize(worldSize: Int) -> Int { globalBatchSize ?? microBatchSize * worldSize * (accumulationSteps ?? 1) }

    /// The sharding degree for `worldSize` ranks (1: no sharding); contradictions with the launch are errors.
    public func effectiveShardingDegree(worldSize: Int) throws -> Int {
        if useSharding == false, let shardingDegree, shardingDegree > 1 {
            throw TrainingError.invalidConfiguration("--use_sharding false contradicts --sharding_degree \(shardingDegree)")
        }
        let degree = shardingDegree ?? (useSharding == true ? worldSize : 1)
        guard degree >= 1, degree <= worldSize, worldSize % degree == 0 else {
            throw TrainingError.invalidConfiguration(
                "sharding_degree \(degree) must divide the \(worldSize) ranks of this launch (mpirun -np \(worldSize))")
        }
        if let dpDegree, dpDegree * degree != worldSize {
            throw TrainingError.invalidConfiguration(
                "dp_degree \(dpDegree) × sharding_degree \(degree) must equal the \(worldSize) ranks of this launch")
        }
        return degree
    }

    /// The learning-rate schedule: warmup = warmup_rate × max_steps, decay to min_lr at decay_steps.
    public var schedule: LearningRateSchedule {
        let warmup = Int(warmupRate * Double(maxSteps))
        switch lrScheduler {
        case "cosine": return .cosine(maxLR: maxLR, minLR: minLR, warmup: warmup, total: decaySteps ?? maxSteps)
        case "polynomial": return .polynomial(maxLR: maxLR, minLR: minLR, warmup: warmup, total: decaySteps ?? maxSteps, power: power)
        case "constant": return .constant(maxLR)
        default: return .linearAnnealing(maxLR: maxLR, minLR: minLR, warmup: warmup, decaySteps: decaySteps ?? maxSteps)
        }
    }

    /// Contradictions and out-of-range values, before anything runs.
    public func validate() throws {
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw TrainingError.invalidConfiguration(message) }
        }
        try distillation?.validate()
        try require(!FileLocation.same(outputDir, modelNameOrPath),
                    "--output_dir \(outputDir) is the --model_name_or_path directory: checkpoints there would mix with (and may overwrite) its weights; give another --output_dir")
        try require(maxSeqLen >= 8, "--max_seq_len \(maxSeqLen) is too small (at least 8)")
        for (flag, value) in [("--max_steps", maxSteps), ("--micro_batch_size", microBatchSize), ("--global_batch_size", globalBatchSize),
                              ("--save_steps", saveSteps), ("--checkpoint_steps", checkpointSteps), ("--logging_freq", loggingFreq),
                              ("--eval_freq", evalFreq), ("--max_ngrams", maxNgrams), ("--decay_steps", decaySteps),
                              ("--sharding_degree", shardingDegree), ("--dp_degree", dpDegree)] {
            try FlagRange.positive(flag, value)
        }
        for (flag, value) in [("--eval_iters", evalIters), ("--num_workers", numWorkers), ("--seed", seed)] {
            try FlagRange.nonNegative(flag, value)
        }
        try FlagRange.positive("--max_lr", maxLR)
        try FlagRange.nonNegative("--min_lr", minLR)
        try require(minLR <= maxLR, "--min_lr \(minLR) must not exceed --max_lr \(maxLR)")
        try FlagRange.within("--warmup_rate", warmupRate, 0...1, "[0, 1]")
        try require(["linear", "cosine", "polynomial", "constant"].contains(lrScheduler),
                    "--lr_scheduler must be linear, cosine, polynomial or constant, not \(lrScheduler)")
        try FlagRange.positive("--power", power)
        try FlagRange.positive("--accumulation_steps", accumulationSteps)
        try FlagRange.positive("--save_checkpoint_num", saveTotalLimit)
        try require(maskedLMProb > 0, "--masked_lm_prob must be in (0, 1), found \(maskedLMProb)")
        try FlagRange.probability("--masked_lm_prob", maskedLMProb)
        try FlagRange.within("--short_seq_prob", shortSeqProb, 0...1, "[0, 1]")
        try FlagRange.optimizer(optimizer)
        try FlagRange.nonNegative("--grad_clip", gradClip)
        for (flag, p) in [("--hidden_dropout_prob", hiddenDropoutProb), ("--attention_probs_dropout_prob", attentionProbsDropoutProb)] {
            try FlagRange.probability(flag, p)
        }
        try require(scaleLoss >= 1, "--scale_loss must be at least 1, found \(scaleLoss)")
    }
}

public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidConfiguration(String)
    case incompatibleRun(String)
    case missingInput(String)
    /// SIGINT / SIGTERM stopped the run after saving what resuming needs.
    case interrupted(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): message
        case .incompatibleRun(let message): message
        case .missingInput(let message): message
        case .interrupted(let message): message
        }
    }

    /// Whether a signal stopped the run (after saving a checkpoint).
    public var isInterruption: Bool {
        if case .interrupted = self { return true }
        return false
    }
}
