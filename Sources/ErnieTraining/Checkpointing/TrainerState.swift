import ErnieEngine
import Foundation

/// What a resumable checkpoint (`model_last/` of pretraining, `checkpoint-<step>/` of fine-tuning) adds to its
/// Hugging Face folder so that a restart continues bit-identically: `trainer_state.json` (Hugging Face Trainer's file
/// name and field names, plus ernie's own fields) and `optimizer.safetensors` (the optimizer state by torch's names).
/// Random streams need no state: dropout masks come from (seed, micro-step, rank), samples and example orders from
/// (seed, index or epoch), so the step count determines them.
public struct TrainerState: Codable, Equatable, Sendable {
    // Hugging Face's fields.
    public var globalStep: Int
    public var epoch: Double?
    public var maxSteps: Int
    /// Examples (pretraining: samples) per optimizer step over all ranks and accumulated micro-batches.
    public var trainBatchSize: Int
    public var bestMetric: Double?
    public var bestGlobalStep: Int?
    // ernie's.
    public var seed: Int
    public var optimizer: OptimizerKind
    /// Updates the optimizer applied (steps whose gradients were not finite are skipped).
    public var optimizerStep: Int
    public var lossScaler: DynamicLossScaler?
    /// Pretraining: samples consumed so far.
    public var consumedSamples: Int?
    /// Pretraining: the architecture's config.json, compared on resume.
    public var modelConfig: String?
    /// Fine-tuning: training features (after truncation and windowing); the epoch order is a shuffle of this many.
    public var trainFeatures: Int?
    /// Fine-tuning: early-stopping and evaluation bookkeeping.
    public var evaluationsWithoutImprovement: Int?
    public var lastEvaluatedStep: Int?

    public static let fileName = "trainer_state.json"
    public static let optimizerFileName = "optimizer.safetensors"

    public init(globalStep: Int, epoch: Double? = nil, maxSteps: Int, trainBatchSize: Int, seed: Int,
                optimizer: OptimizerKind, optimizerStep: Int) {
        self.globalStep = globalStep
        self.epoch = epoch
        self.maxSteps = maxSteps
        self.trainBatchSize = trainBatchSize
        self.seed = seed
        self.optimizer = optimizer
        self.optimizerStep = optimizerStep
    }

    enum CodingKeys: String, CodingKey {
        case globalStep = "global_step", epoch, maxSteps = "max_steps", trainBatchSize = "train_batch_size"
        case bestMetric = "best_metric", bestGlobalStep = "best_global_step", seed, optimizer
        case optimizerStep = "optimizer_step", lossScaler = "loss_scaler", consumedSamples = "consumed_samples"
        case modelConfig = "model_config", trainFeatures = "train_features"
        case evaluationsWithoutImprovement = "evaluations_without_improvement", lastEvaluatedStep = "last_evaluated_step"
    }

    /// Names that checkpoints of earlier ernie versions used.
    enum LegacyKeys: String, CodingKey {
        case globalBatchSize = "global_batch_size"
    }

    /// Reads this schema and the two earlier ones (pretraining's `global_batch_size` and no `max_steps`;
    /// fine-tuning's without `optimizer`, which was always AdamW).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let legacy = try decoder.container(keyedBy: LegacyKeys.self)
        globalStep = try c.decode(Int.self, forKey: .globalStep)
        epoch = try c.decodeIfPresent(Double.self, forKey: .epoch)
        maxSteps = try c.decodeIfPresent(Int.self, forKey: .maxSteps) ?? 0
        trainBatchSize = try c.decodeIfPresent(Int.self, forKey: .trainBatchSize)
            ?? legacy.decode(Int.self, forKey: .globalBatchSize)
        bestMetric = try c.decodeIfPresent(Double.self, forKey: .bestMetric)
        bestGlobalStep = try c.decodeIfPresent(Int.self, forKey: .bestGlobalStep)
        seed = try c.decode(Int.self, forKey: .seed)
        optimizer = try c.decodeIfPresent(OptimizerKind.self, forKey: .optimizer) ?? .adamw
        optimizerStep = try c.decode(Int.self, forKey: .optimizerStep)
        lossScaler = try c.decodeIfPresent(DynamicLossScaler.self, forKey: .lossScaler)
        consumedSamples = try c.decodeIfPresent(Int.self, forKey: .consumedSamples)
        modelConfig = try c.decodeIfPresent(String.self, forKey: .modelConfig)
        trainFeatures = try c.decodeIfPresent(Int.self, forKey: .trainFeatures)
        evaluationsWithoutImprovement = try c.decodeIfPresent(Int.self, forKey: .evaluationsWithoutImprovement)
        lastEvaluatedStep = try c.decodeIfPresent(Int.self, forKey: .lastEvaluatedStep)
        for (name, value) in [("global_step", globalStep), ("optimizer_step", optimizerStep), ("train_batch_size", trainBatchSize),
                              ("max_steps", maxSteps), ("consumed_samples", consumedSamples ?? 0)] where value < 0 {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(name) is negative (\(value))"))
        }
    }

    /// `trainer_state.json` and `optimizer.safetensors` into `directory`.
    public func write(to directory: URL, optimizerState: [String: Tensor]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(Self.fileName))
        try NamedTensorsFile.write(optimizerState, to: directory.appendingPathComponent(Self.optimizerFileName))
    }

    /// Whether `directory` holds a trainer state (is a resumable checkpoint).
    public static func exists(in directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(fileName).path)
    }

    /// The state of `directory`.
    /// - Throws: naming the file when it is missing, unreadable or of an unknown layout.
    public static func read(from directory: URL) throws -> TrainerState {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError.missingInput("\(directory.path) is not a resumable checkpoint: it has no \(fileName)")
        }
        do { return try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: url)) } catch {
            throw TrainingError.incompatibleRun("cannot read \(url.path) (\(error)): start afresh in another output directory")
        }
    }

    /// The optimizer state saved beside the trainer state in `directory`.
    public static func readOptimizerState(from directory: URL) throws -> [String: Tensor] {
        try NamedTensorsFile.read(directory.appendingPathComponent(optimizerFileName))
    }
}
