import Foundation

/// Reading and writing Hugging Face model directories (`config.json` + `model.safetensors`, or shards) for a
/// parameter table, without the engine: tensors travel as `[Float]` or through caller-owned buffers.
public enum ModelCheckpoint {
    /// Reads `config.json` of `directory`, or, in a folder saved by PaddleNLP before 2.5, its `model_config.json`.
    public static func loadConfig(directory: URL) throws -> BertConfig {
        let config = directory.appendingPathComponent("config.json")
        let paddle = directory.appendingPathComponent(BertConfig.paddleModelConfigName)
        if !FileManager.default.fileExists(atPath: config.path), FileManager.default.fileExists(atPath: paddle.path) {
            return try BertConfig(paddleModelConfig: paddle)
        }
        return try BertConfig(contentsOf: config)
    }

    /// Whether `directory` holds a model config (config.json, or PaddleNLP's older model_config.json).
    public static func hasConfig(directory: URL) -> Bool {
        [directory.appendingPathComponent("config.json"), directory.appendingPathComponent(BertConfig.paddleModelConfigName)]
            .contains { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Resolves the names of `checkpoint` against `table` (see `StateDictMapping`).
    public static func resolve(
        _ checkpoint: any CheckpointWeights, table: ParameterTable, options: StateDictLoadOptions = StateDictLoadOptions()
    ) throws -> StateDictLoadReport {
        try StateDictMapping.resolve(table: table, checkpointShapes: checkpoint.shapes, source: checkpoint.source, options: options)
    }

    /// Loads every parameter the checkpoint provides as `Float` (converted from F16/BF16 if need be), keyed by
    /// the model's parameter names; `report.uninitializedParameters` lists those left to the model's init.
    public static func loadFloats(
        _ checkpoint: any CheckpointWeights, table: ParameterTable, options: StateDictLoadOptions = StateDictLoadOptions()
    ) throws -> (tensors: [String: [Float]], report: StateDictLoadReport) {
        let report = try resolve(checkpoint, table: table, options: options)
        var tensors = [String: [Float]]()
        for parameter in table.parameters {
            guard let key = report.sources[parameter.name] else { continue }
            tensors[parameter.name] = try checkpoint.floats(named: key)
        }
        return (tensors, report)
    }

    /// Writes `directory/config.json` and `directory/model.safetensors` as transformers' `save_pretrained` does:
    /// `architectures` set to the head's class, `dtype` float32, and exactly `table.savedNames` as F32 tensors.
    /// - Parameter tensor: the elements of each parameter (row-major, `spec.shape`); borrowed buffers must stay
    ///   valid until the call returns.
    /// - Throws: `SafetensorsError.invalidTensor` when an element count does not match its shape.
    public static func save(
        directory: URL, table: ParameterTable, durable: Bool = true,
        tensor: (ParameterSpec) throws -> SafetensorsTensor.Elements
    ) throws {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw SafetensorsError.unwritable(path: directory.path, reason: error.localizedDescription)
        }
        var config = table.config
        config.architectures = [table.head.architectureName(for: config.modelType)]
        if config.extraFields["dtype"] == nil && config.extraFields["torch_dtype"] == nil {
            config.extraFields["dtype"] = .string("float32")
        }
        let tensors = try table.parameters.map { spec in
            let elements = try tensor(spec)
            if case .borrowed(let dtype, _) = elements, dtype != .float32 {
                throw SafetensorsError.invalidTensor(tensor: spec.name, message: "parameters are saved as F32, got \(dtype.rawValue)")
            }
            return SafetensorsTensor(name: spec.name, shape: spec.shape, elements: elements)
        }
        try SafetensorsWriter.write(tensors, to: directory.appendingPathComponent(SafetensorsCheckpoint.singleFileName), durable: durable)
        try config.write(to: directory.appendingPathComponent("config.json"))
    }

    /// `save` from a dictionary of parameter name → elements.
    /// - Throws: `SafetensorsError.invalidTensor` naming a parameter absent from `tensors`.
    public static func save(directory: URL, table: ParameterTable, tensors: [String: [Float]], durable: Bool = true) throws {
        try save(directory: directory, table: table, durable: durable) { spec in
            guard let values = tensors[spec.name] else {
                throw SafetensorsError.invalidTensor(tensor: spec.name, message: "no values given for this parameter")
            }
            return .float32(values)
        }
    }
}
