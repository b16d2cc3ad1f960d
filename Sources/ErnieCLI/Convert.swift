import ArgumentParser
import ErnieBasics
import ErnieModels
import ErnieText
import Foundation

/// `ernie convert`: a model folder whose weights ernie reads in any format (safetensors, `pytorch_model.bin`,
/// PaddleNLP's `model_state.pdparams`, an exported model.onnx) written as a complete Hugging Face folder.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a model folder as a complete Hugging Face folder (config.json, model.safetensors, tokenizer files).",
        discussion: "--from is a folder with config.json and its weights as model.safetensors (or shards), pytorch_model.bin "
            + "(or shards; read without running its pickle), PaddleNLP's model_state.pdparams, a MindSpore .ckpt or an exported "
            + "model.onnx; or one such file, whose config is --config, else the config.json beside it, else inferred from the "
            + "tensors' shapes (num_attention_heads = hidden / 64, said on stderr). "
            + "The head comes from config.json's architectures; "
            + "the weights are resolved by name as transformers does and saved under transformers' names. --to must not exist "
            + "or be empty; it appears whole or not at all.")

    @Option(name: .customLong("from"), help: "The model folder or weights file to read.") var from: String
    @Option(name: .customLong("to"), help: "The folder to write.") var to: String
    @Option(name: .customLong("config"), help: "A config.json or a preset name, for a weights file without one beside it.") var config: String?
    @Option(name: [.customLong("tokenizer_name_or_path"), .customLong("vocab_file")], help: "Tokenizer files to include (default: the source folder's).")
    var tokenizerNameOrPath: String?

    func run() throws {
        let source = URL(fileURLWithPath: from), destination = URL(fileURLWithPath: to)
        guard source.standardizedFileURL.path != destination.standardizedFileURL.path else {
            throw ValidationError("--to must differ from --from (no command overwrites its own input)")
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: destination.path), !contents.isEmpty {
            throw ValidationError("--to \(to) exists and is not empty")
        }
        try Self.write(from: source, to: destination, config: config, tokenizer: tokenizerNameOrPath)
    }

    /// Writes the model at `source` (a folder or a weights file) as a complete Hugging Face folder at `destination`.
    static func write(from source: URL, to destination: URL, config given: String?, tokenizer tokenizerNameOrPath: String?) throws {
        let from = source.path, to = destination.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isFolder) else { throw ValidationError("--from \(from) does not exist") }
        let folder = isFolder.boolValue ? source : source.deletingLastPathComponent()
        let (config, head) = try Self.config(for: source, folder: folder, given: given)
        let table = ParameterTable(config: config, head: head)
        try ModelCheckpoint.checkFits(directory: source, table: table)
        let weights = try ModelCheckpoint.openWeights(directory: source)
        let (tensors, report) = try ModelCheckpoint.loadFloats(weights, table: table)
        if !report.uninitializedParameters.isEmpty {
            throw ValidationError("\(weights.source) lacks \(report.uninitializedParameters.count) parameters of a \(head.architectureName(for: config.modelType)): \(report.uninitializedParameters.prefix(5).joined(separator: ", "))")
        }
        let tokenizerSource = tokenizerNameOrPath.map { URL(fileURLWithPath: $0) } ?? folder
        let tokenizer = FileManager.default.fileExists(atPath: tokenizerSource.appendingPathComponent("vocab.txt").path)
            || FileManager.default.fileExists(atPath: tokenizerSource.appendingPathComponent("tokenizer.json").path) || tokenizerNameOrPath != nil
            ? try TokenizerFiles(source: tokenizerSource, fallbackMaxLength: config.maxPositionEmbeddings) : nil
        if tokenizer == nil { warn("ernie convert: no vocab.txt or tokenizer.json beside \(from): the folder has no tokenizer files (pass --tokenizer_name_or_path)") }
        try AtomicDirectory.write(destination) { staging in
            try ModelCheckpoint.save(directory: staging, table: table, tensors: tensors)
            try tokenizer?.write(to: staging)
        }
        if !report.unexpectedKeys.isEmpty { warn("ernie convert: not part of the model, left out: \(report.unexpectedKeys.joined(separator: ", "))") }
        warn("ernie convert: \(weights.source) → \(to) (\(head.architectureName(for: config.modelType)), \(tensors.count) tensors)")
    }

    /// The config of `source`: `--config` (a file or preset), else config.json in `folder`, else inferred from the
    /// weights' shapes; and the head its architectures name.
    static func config(for source: URL, folder: URL, given: String?) throws -> (BertConfig, ModelHead) {
        func head(of config: BertConfig) -> ModelHead { config.architectures?.first.flatMap { ModelHead.parse(architecture: $0)?.1 } ?? .base }
        if let given {
            let config = FileManager.default.fileExists(atPath: given)
                ? try BertConfig(jsonData: Data(contentsOf: URL(fileURLWithPath: given))) : try BertConfig.preset(named: given)
            return (config, head(of: config))
        }
        if ModelCheckpoint.hasConfig(directory: folder) {
            let config = try ModelCheckpoint.loadConfig(directory: folder)
            return (config, head(of: config))
        }
        let shapes = try ModelCheckpoint.openWeights(directory: source).shapes
        guard let (config, head) = BertConfig.inferred(fromShapes: shapes) else {
            throw ValidationError("\(source.path) has no config.json beside it and its tensors are not a BERT encoder's: pass --config (a config.json or a preset)")
        }
        warn("ernie convert: no config.json: \(config.layerCount) layers × \(config.hiddenSize), vocab \(config.vocabularySize), \(config.attentionHeadCount) attention heads (hidden / 64; not recorded in the weights: pass --config if that is wrong), \(head.architectureName(for: config.modelType))")
        return (config, head)
    }
}
