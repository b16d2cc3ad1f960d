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
            + "(or shards; read without running its pickle), PaddleNLP's model_state.pdparams or an exported model.onnx. "
            + "The head comes from config.json's architectures; "
            + "the weights are resolved by name as transformers does and saved under transformers' names. --to must not exist "
            + "or be empty; it appears whole or not at all.")

    @Option(name: .customLong("from"), help: "The model folder to read.") var from: String
    @Option(name: .customLong("to"), help: "The folder to write.") var to: String

    func run() throws {
        let source = URL(fileURLWithPath: from), destination = URL(fileURLWithPath: to)
        guard source.standardizedFileURL.path != destination.standardizedFileURL.path else {
            throw ValidationError("--to must differ from --from (no command overwrites its own input)")
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: destination.path), !contents.isEmpty {
            throw ValidationError("--to \(to) exists and is not empty")
        }
        let config = try ModelCheckpoint.loadConfig(directory: source)
        let head = config.architectures?.first.flatMap { ModelHead.parse(architecture: $0)?.1 } ?? .base
        let table = ParameterTable(config: config, head: head)
        try ModelCheckpoint.checkFits(directory: source, table: table)
        let weights = try ModelCheckpoint.openWeights(directory: source)
        let (tensors, report) = try ModelCheckpoint.loadFloats(weights, table: table)
        if !report.uninitializedParameters.isEmpty {
            throw ValidationError("\(weights.source) lacks \(report.uninitializedParameters.count) parameters of a \(head.architectureName(for: config.modelType)): \(report.uninitializedParameters.prefix(5).joined(separator: ", "))")
        }
        let tokenizer = try TokenizerFiles(source: source, fallbackMaxLength: config.maxPositionEmbeddings)
        try AtomicDirectory.write(destination) { staging in
            try ModelCheckpoint.save(directory: staging, table: table, tensors: tensors)
            try tokenizer.write(to: staging)
        }
        if !report.unexpectedKeys.isEmpty { warn("ernie convert: not part of the model, left out: \(report.unexpectedKeys.joined(separator: ", "))") }
        warn("ernie convert: \(weights.source) → \(to) (\(head.architectureName(for: config.modelType)), \(tensors.count) tensors)")
    }
}
