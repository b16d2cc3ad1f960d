import ErnieEngine
import Foundation

/// What `checkpoint-<step>/` holds besides the model so that `--resume_from_checkpoint` continues bit-identically:
/// `trainer_state.json` (HF Trainer's file name and its main keys) and `optimizer.safetensors` (the AdamW moments,
/// torch's names). Dropout masks come from (seed, micro-step, rank) and the example order from (seed, epoch), so the
/// step count determines them; what they depend on (batch size, example count, seed) must match on resume.
struct FineTuningCheckpoint: Codable, Equatable {
    var globalStep: Int
    var epoch: Double
    var maxSteps: Int
    /// Examples per optimizer step over all ranks and accumulated micro-batches.
    var trainBatchSize: Int
    /// Training features (after truncation and windowing): the epoch order is a shuffle of this many.
    var trainFeatures: Int
    var seed: Int
    var optimizerStep: Int
    var bestMetric: Double?
    var bestGlobalStep: Int?
    var evaluationsWithoutImprovement: Int
    var lastEvaluatedStep: Int

    static let fileName = "trainer_state.json"
    static let optimizerFileName = "optimizer.safetensors"
    static let directoryPrefix = "checkpoint-"

    enum CodingKeys: String, CodingKey {
        case globalStep = "global_step", epoch, maxSteps = "max_steps", trainBatchSize = "train_batch_size"
        case trainFeatures = "train_features", seed, optimizerStep = "optimizer_step", bestMetric = "best_metric"
        case bestGlobalStep = "best_global_step", evaluationsWithoutImprovement = "evaluations_without_improvement"
        case lastEvaluatedStep = "last_evaluated_step"
    }

    func write(to directory: URL, optimizer: [String: Tensor]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(Self.fileName))
        try NamedTensorsFile.write(optimizer, to: directory.appendingPathComponent(Self.optimizerFileName))
    }

    static func read(from directory: URL) throws -> FineTuningCheckpoint {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError.missingInput("\(directory.path) is not a resumable checkpoint: it has no \(fileName) (checkpoints are written with --save_steps)")
        }
        do { return try JSONDecoder().decode(FineTuningCheckpoint.self, from: Data(contentsOf: url)) } catch {
            throw TrainingError.incompatibleRun("cannot read \(url.path): \(error)")
        }
    }

    static func readOptimizer(from directory: URL) throws -> [String: Tensor] {
        try NamedTensorsFile.read(directory.appendingPathComponent(optimizerFileName))
    }

    /// The `checkpoint-<step>` of `outputDirectory` with the highest step that has a trainer state, if any.
    static func latest(in outputDirectory: URL) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputDirectory.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix(directoryPrefix), let step = Int(name.dropFirst(directoryPrefix.count)) else { return nil }
            let url = outputDirectory.appendingPathComponent(name)
            return FileManager.default.fileExists(atPath: url.appendingPathComponent(fileName).path) ? (step, url) : nil
        }.max { $0.0 < $1.0 }?.1
    }

    /// Throws, naming the setting, when resuming with this run's settings could not continue the saved run exactly.
    func checkCompatible(trainBatchSize: Int, trainFeatures: Int, seed: Int, directory: URL) throws {
        for (name, saved, now) in [("examples per step (per_device_train_batch_size × gradient_accumulation_steps × ranks)", self.trainBatchSize, trainBatchSize),
                                   ("training features", self.trainFeatures, trainFeatures), ("seed", self.seed, seed)] where saved != now {
            throw TrainingError.incompatibleRun("cannot resume from \(directory.path): \(name) was \(saved), now \(now)")
        }
    }
}
