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
            guard ModelCheckpoint.hasConfig(directory: url) else {
                throw TrainingError.missingInput("\(path) has no config.json: give a Hugging Face model directory or a preset name")
            }
            config = try ModelCheckpoint.loadConfig(directory: url)
            directory = url
            weights = ModelCheckpoint.weightsFile(in: url) != nil ? url : nil
            if let modelTypeOverride, modelTypeOverride != config.modelType {
                throw TrainingError.invalidConfiguration(
                    "--model_type \(modelTypeOverride.rawValue) contradicts model_type \"\(config.modelType.rawValue)\" in \(path)/config.json")
            }
        } else if BertConfig.presets[path] != nil {
            config = try BertConfig.preset(named: path)
            if let modelTypeOverride { config = config.converted(to: modelTypeOverride) }
        } else {
            throw TrainingError.missingInput(
                "model_name_or_path \(path) is neither a directory with config.json nor a preset (presets: \(BertConfig.presets.keys.sorted().joined(separator: ", ")))")
        }
        if let initial = configuration.initialWeights {
            guard FileManager.default.fileExists(atPath: initial) else { throw TrainingError.missingInput("checkpoint \(initial) does not exist") }
            weights = URL(fileURLWithPath: initial)
        }
        if configuration.continueTraining && weights == nil {
            throw TrainingError.missingInput("--continue_training needs weights (model.safetensors) in \(path)")
        }
        if let p = configuration.hiddenDropoutProb { config.hiddenDropoutProbability = p }
        if let p = configuration.attentionProbsDropoutProb { config.attentionDropoutProbability = p }
        return (config, weights, directory)
    }

    /// The tokenizer of `--tokenizer_name_or_path` (a folder, a vocab.txt file, or a BPE vocab.json with merges.txt
    /// beside it), else of the model directory,
    /// with the path it came from. Its settings (casing, `model_max_length`, else `maxLength`) are what every saved
    /// model folder's tokenizer files say.
    static func tokenizer(_ configuration: PretrainingConfiguration, modelDirectory: URL?, maxLength: Int) throws -> (files: TokenizerFiles, source: URL)? {
        let source: URL
        if let path = configuration.tokenizerNameOrPath {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw TrainingError.missingInput("tokenizer_name_or_path \(path) does not exist")
            }
            source = URL(fileURLWithPath: path)
            if isDirectory.boolValue && !hasTokenizer(source) {
                throw TrainingError.missingInput("\(path) has no tokenizer.json, vocab.txt or vocab.json + merges.txt")
            }
        } else if let modelDirectory, hasTokenizer(modelDirectory) {
            source = modelDirectory
        } else if configuration.inputFormat == .tfrecord {
            return nil  // stored samples are ids already; the model config's vocab_size bounds them
        } else {
            throw TrainingError.missingInput("no vocabulary: pass --tokenizer_name_or_path (a folder with vocab.txt or vocab.json + merges.txt, or the vocab.txt file)")
        }
        return (try TokenizerFiles(source: source, fallbackMaxLength: maxLength), source)
    }

    static func hasTokenizer(_ directory: URL) -> Bool {
        ["vocab.txt", "tokenizer.json", "vocab.json"].contains { FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }
    }
}
