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
    /// (`model.onnx`, or the folder's only `.onnx` file), else the folder's only MindSpore `.ckpt`; nil when there is none.
    public static func weightsFile(in directory: URL) -> URL? {
        let fileManager = FileManager.default
        for name in [SafetensorsCheckpoint.singleFileName, SafetensorsCheckpoint.indexFileName, PyTorchWeights.fileName,
                     PyTorchWeights.indexFileName, PaddleWeights.fileName, OnnxWeights.fileName] {
            let url = directory.appendingPathComponent(name)
            if fileManager.fileExists(atPath: url.path) { return url }
        }
        let names = (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []
        for suffix in [".onnx", "." + MindSporeWeights.fileExtension] {
            let files = names.filter { $0.hasSuffix(suffix) }
            if files.count == 1 { return directory.appendingPathComponent(files[0]) }
        }
        return nil
    }

    /// The weights of a model folder (see `weightsFile(in:)`), so an exported folder can be predicted and encoded
    /// from as it is; or of one weights file, when `location` is a file.
    /// - Throws: `SafetensorsError.missingCheckpoint` when the folder has none; the files' own errors.
    public static func openWeights(directory location: URL) throws -> any CheckpointWeights {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: location.path, isDirectory: &isFolder), !isFolder.boolValue {
            return try openWeights(file: location)
        }
        guard let file = weightsFile(in: location) else { throw SafetensorsError.missingCheckpoint(directory: location.path) }
        return try openWeights(file: file)
    }

    /// The weights in one file, its format told by its name: `.safetensors` (or `.safetensors.index.json`), torch's
    /// `.bin` / `.pt` / `.pth` (or `.bin.index.json`), Paddle's `.pdparams`, MindSpore's `.ckpt`, ONNX's `.onnx`.
    /// PaddleNLP names a question-answering head `classifier`: the config.json beside the file says whether it is one.
    public static func openWeights(file: URL) throws -> any CheckpointWeights {
        let name = file.lastPathComponent
        if name.hasSuffix(".safetensors.index.json") { return try SafetensorsCheckpoint(indexFile: file) }
        if name.hasSuffix(".bin.index.json") { return try ShardedWeights(indexFile: file) { try PyTorchWeights(file: $0) } }
        switch file.pathExtension {
        case "safetensors": return try SafetensorsCheckpoint(file: file)
        case "bin", "pt", "pth": return try PyTorchWeights(file: file)
        case "pdparams":
            let config = try? loadConfig(directory: file.deletingLastPathComponent())
            let architectures = config?.architectures ?? []
            return try PaddleWeights(file: file, questionAnswering: architectures.contains { $0.hasSuffix("ForQuestionAnswering") },
                                     ernieM: config?.modelType == .ernieM)
        case MindSporeWeights.fileExtension: return try MindSporeWeights(file: file)
        case "onnx": return try OnnxWeights(file: file)
        default:
            throw SafetensorsError.unreadable(
                path: file.path, reason: "not a known weights file (.safetensors, .bin, .pt, .pdparams, .ckpt, .onnx, or a folder holding one)")
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
