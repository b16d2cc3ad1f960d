import Foundation

/// The tensors of a model's weights, whatever file format holds them: names (as the file has them; `StateDictMapping`
/// resolves them against a parameter table), shapes, and the elements as `Float`.
public protocol CheckpointWeights: Sendable {
    /// Where the weights came from (file or directory), for messages.
    var source: String { get }
    /// name → shape of every tensor.
    var shapes: [String: [Int]] { get }
    /// Converts tensor `name` into `destination` (at least its element count), e.g. straight into an engine tensor.
    func readFloats(named name: String, into destination: UnsafeMutableBufferPointer<Float>) throws
}

extension SafetensorsCheckpoint: CheckpointWeights {}

extension ModelCheckpoint {
    /// The file holding a model folder's weights: `model.safetensors` or its sharded index (what ernie and
    /// transformers save), else PyTorch's `pytorch_model.bin` or its sharded index, else PaddleNLP's
    /// `model_state.pdparams`, else the ONNX graph `ernie export` writes beside config.json and the tokenizer
    /// (`model.onnx`, or the folder's only `.onnx` file); nil when there is none.
    public static func weightsFile(in directory: URL) -> URL? {
        let fileManager = FileManager.default
        for name in [SafetensorsCheckpoint.singleFileName, SafetensorsCheckpoint.indexFileName, PyTorchWeights.fileName,
                     PyTorchWeights.indexFileName, PaddleWeights.fileName, OnnxWeights.fileName] {
            let url = directory.appendingPathComponent(name)
            if fileManager.fileExists(atPath: url.path) { return url }
        }
        let graphs = ((try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".onnx") }
        return graphs.count == 1 ? directory.appendingPathComponent(graphs[0]) : nil
    }

    /// The weights of a model folder (see `weightsFile(in:)`), so an exported folder can be predicted and encoded
    /// from as it is.
    /// - Throws: `SafetensorsError.missingCheckpoint` when the folder has none; the files' own errors.
    public static func openWeights(directory: URL) throws -> any CheckpointWeights {
        guard let file = weightsFile(in: directory) else { throw SafetensorsError.missingCheckpoint(directory: directory.path) }
        switch file.lastPathComponent {
        case SafetensorsCheckpoint.singleFileName: return try SafetensorsCheckpoint(file: file)
        case SafetensorsCheckpoint.indexFileName: return try SafetensorsCheckpoint(indexFile: file)
        case PyTorchWeights.fileName: return try PyTorchWeights(file: file)
        case PyTorchWeights.indexFileName: return try ShardedWeights(indexFile: file) { try PyTorchWeights(file: $0) }
        case PaddleWeights.fileName:
            let architectures = (try? loadConfig(directory: directory))?.architectures ?? []
            return try PaddleWeights(file: file, questionAnswering: architectures.contains { $0.hasSuffix("ForQuestionAnswering") })
        default: return try OnnxWeights(file: file)
        }
    }
}

extension CheckpointWeights {
    /// The elements of `name` as `Float`.
    public func floats(named name: String) throws -> [Float] {
        guard let shape = shapes[name] else { throw SafetensorsError.tensorNotFound(path: source, tensor: name) }
        let count = shape.reduce(1, *)
        return try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try readFloats(named: name, into: buffer)
            initialized = count
        }
    }
}
