import ArgumentParser
import ErnieBasics
import ErnieExport
import ErnieModels
import ErnieText
import Foundation

extension OnnxTask: ExpressibleByArgument {}

/// `ernie export`: a model folder as an ONNX graph for onnxruntime, with the folder's config and tokenizer beside it.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a model folder as ONNX (optimum's input and output names, dynamic batch and sequence axes).",
        discussion: "Writes OUTPUT (e.g. onnx/model.onnx) and, beside it, config.json and the tokenizer files, as optimum's "
            + "export folder holds them. The folder must exist. Weights above 2 GB go to OUTPUT_data (external data).")

    @Option(name: .customLong("model_name_or_path")) var modelNameOrPath: String
    @Option(name: .customLong("format"), help: "onnx.") var format = "onnx"
    @Option(name: .customLong("output"), help: "The .onnx file to write.") var output: String
    @Option(name: .customLong("opset"), parsing: .unconditional, help: "ONNX opset (17 or later; LayerNormalization needs 17).") var opset = 18
    @Option(name: .customLong("task"), help: "feature-extraction, text-classification, token-classification, question-answering or multiple-choice (default: the folder's head).")
    var task: OnnxTask?
    @Option(name: .customLong("quantize"), help: "int8: every Linear layer as `--dtype int8` runs it (int8 weights per output channel, activations quantised per row at run time, MatMulInteger); embeddings and LayerNorm stay fp32.")
    var quantize: String?

    func run() throws {
        guard format == "onnx" else { throw ValidationError("--format \(format): ernie exports onnx") }
        if let quantize, quantize != "int8" { throw ValidationError("--quantize \(quantize): ernie quantises to int8") }
        let exported = try ModelExport.onnx(from: URL(fileURLWithPath: modelNameOrPath), to: URL(fileURLWithPath: output), task: task,
                                            opset: opset, quantized: quantize != nil)
        warn("ernie export: \(exported.task.rawValue) graph\(quantize != nil ? " (int8)" : "") → \(output) (opset \(opset), \(exported.bytes) bytes)")
    }
}

/// The one export path (`ernie export` and `ernie finetune --do_export`).
enum ModelExport {
    /// Writes `output` (atomically) and the companion files beside it.
    static func onnx(from directory: URL, to output: URL, task: OnnxTask?, opset: Int, quantized: Bool = false) throws -> (task: OnnxTask, bytes: Int) {
        let folder = output.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("the folder of --output (\(folder.path)) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: folder.path) else { throw ValidationError("cannot write into \(folder.path)") }
        // Never over the model's own files (an old export may be replaced).
        if folder.standardizedFileURL.path == directory.standardizedFileURL.path, FileManager.default.fileExists(atPath: output.path),
           !["onnx", "onnx_data"].contains(output.pathExtension) {
            throw ValidationError("--output \(output.path) would overwrite a file of the model folder")
        }
        let result: (model: [UInt8], externalData: [UInt8]?, task: OnnxTask)
        do {
            result = try BertOnnxExport.export(directory: directory, task: task, opset: opset, quantized: quantized,
                                               externalData: (output.lastPathComponent + "_data", BertOnnxExport.externalDataThreshold))
        } catch let error as ExportError {
            throw ValidationError(error.description)
        }
        if let data = result.externalData {
            try AtomicFile.write(data, to: URL(fileURLWithPath: output.path + "_data"), durable: true)
        }
        try AtomicFile.write(result.model, to: output, durable: true)
        if folder.standardizedFileURL.path != directory.standardizedFileURL.path {
            let config = try ModelCheckpoint.loadConfig(directory: directory)
            try config.write(to: folder.appendingPathComponent("config.json"))
            try TokenizerFiles(source: directory, fallbackMaxLength: config.maxPositionEmbeddings).write(to: folder)
        }
        return (result.task, result.model.count)
    }
}
