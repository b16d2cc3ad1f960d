import ErnieData
import ErnieEngine
import ErnieModels
import ErnieText
import Foundation

/// Resolving `--model_name_or_path`, `--tokenizer_name_or_path` and `--input_dir` into a model config, weights, a
/// vocabulary and opened corpora, with errors that say what to fix.
enum PretrainingSetup {
    /// The model config and, when the directory holds weights, that directory.
    static func model(_ configuration: PretrainingConfiguration, modelTypeOverride: ModelType?) throws -> (config: BertConfig, weights: URL?, directory: URL?) {
        let path = configuration.modelNameOrPath
        var isDirectory: ObjCBool = false
        var config: BertConfig
        var weights: URL?
        var directory: URL?
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let url = URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) else {
                throw TrainingError.missingInput("\(path) has no config.json: give a Hugging Face model directory or a preset name")
            }
            config = try ModelCheckpoint.loadConfig(directory: url)
            directory = url
            let hasWeights = [SafetensorsCheckpoint.singleFileName, SafetensorsCheckpoint.indexFileName]
                .contains { FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path) }
            weights = hasWeights ? url : nil
            if let modelTypeOverride, modelTypeOverride != config.modelType {
                throw TrainingError.invalidConfiguration(
                    "--model_type \(modelTypeOverride.rawValue) contradicts model_type \"\(config.modelType.rawValue)\" in \(path)/config.json")
            }
        } else if BertConfig.presets[path] != nil {
            config = try BertConfig.preset(named: path)
            if let modelTypeOverride { config.modelType = modelTypeOverride }
        } else {
            throw TrainingError.missingInput(
                "model_name_or_path \(path) is neither a directory with config.json nor a preset (presets: \(BertConfig.presets.keys.sorted().joined(separator: ", ")))")
        }
        if configuration.continueTraining && weights == nil {
            throw TrainingError.missingInput("--continue_training needs weights (model.safetensors) in \(path)")
        }
        if let p = configuration.hiddenDropoutProb { config.hiddenDropoutProbability = p }
        if let p = configuration.attentionProbsDropoutProb { config.attentionDropoutProbability = p }
        return (config, weights, directory)
    }

    /// vocab.txt from `--tokenizer_name_or_path` (a directory or a file), else from the model directory.
    static func vocabularyFile(_ configuration: PretrainingConfiguration, modelDirectory: URL?) throws -> URL {
        if let path = configuration.tokenizerNameOrPath {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw TrainingError.missingInput("tokenizer_name_or_path \(path) does not exist")
            }
            let file = isDirectory.boolValue ? URL(fileURLWithPath: path).appendingPathComponent("vocab.txt") : URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: file.path) else { throw TrainingError.missingInput("\(path) has no vocab.txt") }
            return file
        }
        if let file = modelDirectory?.appendingPathComponent("vocab.txt"), FileManager.default.fileExists(atPath: file.path) {
            return file
        }
        throw TrainingError.missingInput("no vocabulary: pass --tokenizer_name_or_path (a folder with vocab.txt, or the file)")
    }
}
