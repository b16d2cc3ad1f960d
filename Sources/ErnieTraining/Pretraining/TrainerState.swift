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
        let tensors = optimizerState.keys.sorted().map { name -> SafetensorsTensor in
            let tensor = optimizerState[name]!
            return SafetensorsTensor(name: name, shape: tensor.shape,
                                     elements: .borrowed(.float32, UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * 4)))
        }
        try SafetensorsWriter.write(tensors, to: directory.appendingPathComponent(Self.optimizerFileName), durable: true)
    }

    public static func read(from directory: URL) throws -> (state: TrainerState, optimizer: [String: Tensor]) {
        let stateURL = directory.appendingPathComponent(fileName)
        let state: TrainerState
        do { state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL)) } catch {
            throw TrainingError.incompatibleRun("cannot read \(stateURL.path): \(error)")
        }
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent(optimizerFileName))
        var tensors: [String: Tensor] = [:]
        for info in file.tensors {
            let tensor = Tensor(shape: info.shape)
            try file.readFloats(named: info.name, into: UnsafeMutableBufferPointer(start: tensor.data, count: tensor.count))
            tensors[info.name] = tensor
        }
        return (state, tensors)
    }
}
