import ErnieEngine
import ErnieModels
import Foundation

/// What `model_last/` adds to a Hugging Face directory so that a restart continues bit-identically:
/// `trainer_state.json` (step, consumed samples, the settings that must not change) and `optimizer.safetensors`.
/// Random streams need no state: dropout masks are drawn from (seed, step, micro-step) and samples from
/// (seed, sample index), so the step count determines them.
public struct TrainerState: Codable, Equatable, Sendable {
    public var globalStep: Int
    public var consumedSamples: Int
    public var globalBatchSize: Int
    public var optimizerStep: Int
    public var optimizer: OptimizerKind
    public var lossScaler: DynamicLossScaler?
    public var seed: Int
    /// The architecture's config.json, compared on resume.
    public var modelConfig: String

    static let fileName = "trainer_state.json"
    static let optimizerFileName = "optimizer.safetensors"

    enum CodingKeys: String, CodingKey {
        case globalStep = "global_step", consumedSamples = "consumed_samples", globalBatchSize = "global_batch_size"
        case optimizerStep = "optimizer_step", optimizer, lossScaler = "loss_scaler", seed, modelConfig = "model_config"
    }

    public func write(to directory: URL, optimizerState: [String: Tensor]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(Self.fileName))
        try NamedTensorsFile.write(optimizerState, to: directory.appendingPathComponent(Self.optimizerFileName))
    }

    public static func read(from directory: URL) throws -> (state: TrainerState, optimizer: [String: Tensor]) {
        let stateURL = directory.appendingPathComponent(fileName)
        let state: TrainerState
        do { state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL)) } catch {
            throw TrainingError.incompatibleRun("cannot read \(stateURL.path): \(error)")
        }
        let tensors = try NamedTensorsFile.read(directory.appendingPathComponent(optimizerFileName))
        return (state, tensors)
    }
}
