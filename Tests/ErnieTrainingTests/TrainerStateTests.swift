import ErnieEngine
import Foundation
import Testing
@testable import ErnieTraining

/// One trainer_state.json schema (Hugging Face's field names) for both commands, reading the two earlier layouts.
@Suite struct TrainerStateTests {
    func decode(_ json: String) throws -> TrainerState { try JSONDecoder().decode(TrainerState.self, from: Data(json.utf8)) }

    @Test func readsTheOldPretrainingLayout() throws {
        let state = try decode("""
            {"consumed_samples": 48, "global_batch_size": 8, "global_step": 6, "loss_scaler": null, "model_config": "{}",
             "optimizer": "lamb", "optimizer_step": 5, "seed": 1234}
            """)
        #expect(state.globalStep == 6 && state.trainBatchSize == 8 && state.consumedSamples == 48)
        #expect(state.optimizer == .lamb && state.optimizerStep == 5 && state.maxSteps == 0)
    }

    @Test func readsTheOldFineTuningLayout() throws {
        let state = try decode("""
            {"best_global_step": 4, "best_metric": 0.5, "epoch": 0.5, "evaluations_without_improvement": 1,
             "global_step": 8, "last_evaluated_step": 8, "max_steps": 16, "optimizer_step": 8, "seed": 42,
             "train_batch_size": 8, "train_features": 64}
            """)
        #expect(state.optimizer == .adamw && state.trainFeatures == 64 && state.bestGlobalStep == 4 && state.bestMetric == 0.5)
    }

    @Test func roundTripsAndRefusesNegativeCounts() throws {
        var state = TrainerState(globalStep: 3, epoch: 0.25, maxSteps: 12, trainBatchSize: 16, seed: 7, optimizer: .momentum, optimizerStep: 3)
        state.consumedSamples = 48
        state.lossScaler = DynamicLossScaler(initialScale: 1024)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try state.write(to: directory, optimizerState: ["momentum_buffer.w": try Tensor(shape: [2], values: [1, 2])])
        #expect(try TrainerState.read(from: directory) == state)
        #expect(try TrainerState.readOptimizerState(from: directory)["momentum_buffer.w"]?.values == [1, 2])
        let written = try String(contentsOf: directory.appendingPathComponent(TrainerState.fileName), encoding: .utf8)
        #expect(written.contains("\"train_batch_size\"") && written.contains("\"global_step\"") && !written.contains("global_batch_size"))
        #expect(throws: DecodingError.self) { try decode(#"{"global_step": -1, "train_batch_size": 8, "optimizer_step": 0, "seed": 1}"#) }
        #expect(throws: TrainingError.self) { try TrainerState.read(from: directory.appendingPathComponent("absent")) }
    }
}
