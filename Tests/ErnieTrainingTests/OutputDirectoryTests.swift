import Foundation
import Testing

@testable import ErnieTraining

/// `--output_dir` may not be the model directory however it is spelled: saving there would overwrite the
/// pretrained weights.
@Suite struct OutputDirectoryTests {
    @Test func outputDirEqualToTheModelDirectoryIsRefused() throws {
        let model = try FineTuningTestSupport.temporaryDirectory("same-dir")
        defer { try? FileManager.default.removeItem(at: model) }
        let link = model.deletingLastPathComponent().appendingPathComponent(model.lastPathComponent + "-link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: model)
        defer { try? FileManager.default.removeItem(at: link) }
        let spellings = [model.path, model.path + "/", model.path + "/./", link.path,
                         model.path + "/../" + model.lastPathComponent]
        for output in spellings {
            var fineTuning = FineTuningConfiguration(taskName: .sequenceClassification, modelNameOrPath: model.path, outputDir: output)
            fineTuning.doTrain = true
            fineTuning.trainFile = "train.json"
            #expect(throws: TrainingError.self, "\(output)") { try fineTuning.validate() }
            let pretraining = PretrainingConfiguration(modelNameOrPath: model.path, inputDir: "data", outputDir: output)
            #expect(throws: TrainingError.self, "\(output)") { try pretraining.validate() }
            #expect(throws: Never.self) {
                try PretrainingConfiguration(modelNameOrPath: model.path, inputDir: "data", outputDir: output + "-run").validate()
            }
        }
        var fineTuning = FineTuningConfiguration(taskName: .sequenceClassification, modelNameOrPath: model.path, outputDir: model.path + "/run")
        fineTuning.doTrain = true
        fineTuning.trainFile = "train.json"
        try fineTuning.validate()
        // A preset name is no directory.
        try PretrainingConfiguration(modelNameOrPath: "ernie-3.0-micro-zh", inputDir: "data", outputDir: "ernie-3.0-micro-zh").validate()
    }
}
