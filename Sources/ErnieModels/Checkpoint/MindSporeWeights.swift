import ErnieBasics
import Foundation

/// A MindSpore `.ckpt` as `mindspore.save_checkpoint` writes it: protobuf `Checkpoint { repeated Value value = 1 }`,
/// `Value { string tag = 1; TensorProto tensor = 2 }`, `TensorProto { repeated int64 dims = 1; string tensor_type = 2;
/// bytes tensor_content = 3 }` (raw little-endian, row-major). A tensor above 512 MiB is written as several values
/// with the same tag, each with the full dims, whose contents join in order. Names are mapped to transformers'
/// (`MindSporeNames`); optimizer state and training bookkeeping (`adam_m.`, `moments.`, `global_step`, loss scale …)
/// are left out. MindSpore's `nn.Dense` stores weights [out, in], as torch does, so nothing is transposed.
public final class MindSporeWeights: CheckpointWeights, @unchecked Sendable {
    public static let fileExtension = "ckpt"

    public let source: String
    public let shapes: [String: [Int]]
    private let data: Data
    private let tensors: [String: Tensor]

    private struct Tensor {
        var dtype: SafetensorsDType
        var shape: [Int]
        /// The content's byte ranges in the file, in order (one unless the writer sliced the tensor).
        var slices: [Range<Int>]
    }

    static let dtypes: [String: SafetensorsDType] = [
        "Float32": .float32, "Float16": .float16, "BFloat16": .bfloat16, "Float64": .float64, "Int8": .int8, "UInt8": .uint8,
        "Uint8": .uint8, "Int16": .int16, "Int32": .int32, "Int64": .int64, "Bool": .bool,
    ]

    /// - Throws: `SafetensorsError` naming the file and the byte offset or tensor: not protobuf, wrong wire types,
    ///   lengths past the end, an unknown tensor type, contents whose size disagrees with dims.
    public init(file url: URL) throws {
        source = url.path
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SafetensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        var tensors: [String: Tensor] = [:]
        var order: [String] = []
        try data.withUnsafeBytes { bytes in
            do {
                var checkpoint = ProtobufReader(bytes)
                while let (field, value) = try checkpoint.next() {
                    guard field == 1 else { continue }
                    guard case .bytes(let valueRange) = value else { throw Self.bad(url, "Checkpoint.value is not a message (before byte \(checkpoint.offset))") }
                    let (tag, tensor) = try Self.value(checkpoint.message(valueRange), file: url)
                    guard let tag, var tensor else { continue }  // a map tensor or an entry without a tensor
                    if var previous = tensors[tag], order.last == tag {
                        // A slice of the previous value: same dims and type, content continues.
                        guard previous.shape == tensor.shape, previous.dtype == tensor.dtype else {
                            throw SafetensorsError.invalidEntry(path: url.path, tensor: tag, message: "slices disagree on dims or type")
                        }
                        previous.slices += tensor.slices
                        tensors[tag] = previous
                        continue
                    }
                    guard tensors[tag] == nil else {
                        throw SafetensorsError.invalidEntry(path: url.path, tensor: tag, message: "appears twice, not as consecutive slices")
                    }
                    tensor.slices = tensor.slices.filter { !$0.isEmpty }
                    tensors[tag] = tensor
                    order.append(tag)
                }
            } catch let error as ProtobufReader.DecodingError {
                throw Self.bad(url, error.description)
            }
        }
        var mapped: [String: Tensor] = [:], shapes: [String: [Int]] = [:]
        for (tag, tensor) in tensors {
            guard let count = CheckedSize.product(tensor.shape), let size = CheckedSize.product(count, tensor.dtype.byteSize) else {
                throw SafetensorsError.invalidEntry(path: url.path, tensor: tag, message: "dims \(tensor.shape) overflow")
            }
            let stored = tensor.slices.reduce(0) { $0 + $1.count }
            guard stored == size else {
                throw SafetensorsError.sizeMismatch(path: url.path, tensor: tag, shape: tensor.shape, dtype: tensor.dtype.rawValue,
                                                    expectedBytes: size, actualBytes: stored)
            }
            guard let name = MindSporeNames.huggingFace(tag) else { continue }
            mapped[name] = tensor
            shapes[name] = tensor.shape
        }
        // `--bert_network nezha` saves BERT's names plus a relative-position table per layer: a NEZHA model.
        if mapped.keys.contains(where: { $0.hasSuffix(".relative_positions_embeddings.weight") }) {
            let renamed = { (name: String) in name.hasPrefix("bert.") ? "nezha." + name.dropFirst("bert.".count) : name }
            mapped = Dictionary(uniqueKeysWithValues: mapped.map { (renamed($0.key), $0.value) })
            shapes = Dictionary(uniqueKeysWithValues: shapes.map { (renamed($0.key), $0.value) })
        }
        self.tensors = mapped
        self.shapes = shapes
    }

    /// One `Value`: its tag and tensor (nil for entries without a dense tensor).
    private static func value(_ message: ProtobufReader, file: URL) throws -> (String?, Tensor?) {
        var reader = message
        var tag: String?, tensor: Tensor?
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let range)): tag = reader.string(range)
            case (2, .bytes(let range)): tensor = try self.tensor(reader.message(range), tag: tag ?? "?", file: file)
            case (1, _), (2, _): throw bad(file, "Checkpoint.Value field \(field) has the wrong wire type (before byte \(reader.offset))")
            default: continue  // 3: MapTensorProto, not read
            }
        }
        return (tag, tensor)
    }

    private static func tensor(_ message: ProtobufReader, tag: String, file: URL) throws -> Tensor {
        var reader = message
        var dims: [Int] = [], type: String?, content: Range<Int> = 0..<0
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .varint(let dim)): dims.append(Int(truncatingIfNeeded: Int64(bitPattern: dim)))
            case (1, .bytes(let range)): dims += try reader.packedVarints(range).map { Int(truncatingIfNeeded: Int64(bitPattern: $0)) }
            case (2, .bytes(let range)): type = reader.string(range)
            case (3, .bytes(let range)): content = range
            case (1, _), (2, _), (3, _): throw bad(file, "TensorProto field \(field) of \(tag) has the wrong wire type (before byte \(reader.offset))")
            default: continue
            }
        }
        guard let type else { throw SafetensorsError.invalidEntry(path: file.path, tensor: tag, message: "no tensor_type") }
        guard let dtype = dtypes[type] else { throw SafetensorsError.unknownDType(path: file.path, tensor: tag, dtype: type) }
        guard dims.allSatisfy({ $0 >= 0 }) else { throw SafetensorsError.invalidEntry(path: file.path, tensor: tag, message: "negative dims \(dims)") }
        // The old writer stores a scalar as dims [0].
        return Tensor(dtype: dtype, shape: dims == [0] ? [] : dims, slices: [content])
    }

    private static func bad(_ file: URL, _ message: String) -> SafetensorsError {
        .invalidHeader(path: file.path, message: "not a MindSpore checkpoint: \(message)")
    }

    public func readFloats(named name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let tensor = tensors[name] else { throw SafetensorsError.tensorNotFound(path: source, tensor: name) }
        let elements = StridedElements(dtype: tensor.dtype, offset: 0, shape: tensor.shape, strides: StridedElements.contiguousStrides(tensor.shape))
        try data.withUnsafeBytes { bytes in
            if tensor.slices.count <= 1 {
                try elements.readFloats(from: bytes, at: tensor.slices.first?.lowerBound ?? 0, source: source, name: name, into: destination)
            } else {
                var joined = [UInt8]()
                for slice in tensor.slices { joined += bytes[slice] }
                try joined.withUnsafeBytes { try elements.readFloats(from: $0, at: 0, source: source, name: name, into: destination) }
            }
        }
    }
}

/// MindSpore model-zoo BERT names and their transformers equivalents (the name table of MindSpore's own ms↔tf
/// converter, scripts/ms2tf): `bert.bert.bert_embedding_lookup.embedding_table` → `bert.embeddings.word_embeddings.weight`,
/// `bert.bert.bert_encoder.layers.i.attention.attention.{query,key,value}_layer` → `bert.encoder.layer.i.attention.self.{…}`,
/// LayerNorm `gamma` / `beta` → `weight` / `bias`, the pooler `bert.bert.dense`, the MLM head `bert.cls1` (decoder tied to
/// the word embeddings), NSP `bert.cls2.dense`, and the fine-tuning heads `bert.dense_1` (classifier, NER) and
/// `bert.dense1` (SQuAD). Older checkpoints' `bert_embedding_postprocessor.embedding_table` /
/// `full_position_embeddings` are read too. NEZHA's (`--bert_network nezha`) per-layer
/// `_generate_relative_positions_embeddings.embeddings_table` is `nezha.encoder.layer.i.attention.self.relative_positions_embeddings.weight`
/// (`relative_position_table: "learned"`), and its other names move from `bert.` to `nezha.`.
public enum MindSporeNames {
    static let replacements: [(String, String)] = [
        ("bert.bert.bert_embedding_lookup.embedding_table", "bert.embeddings.word_embeddings.weight"),
        ("bert.bert.bert_embedding_postprocessor.token_type_embedding.embedding_table", "bert.embeddings.token_type_embeddings.weight"),
        ("bert.bert.bert_embedding_postprocessor.full_position_embedding.embedding_table", "bert.embeddings.position_embeddings.weight"),
        ("bert.bert.bert_embedding_postprocessor.embedding_table", "bert.embeddings.token_type_embeddings.weight"),
        ("bert.bert.bert_embedding_postprocessor.full_position_embeddings", "bert.embeddings.position_embeddings.weight"),
        ("bert.bert.bert_embedding_postprocessor.layernorm.", "bert.embeddings.LayerNorm."),
        ("bert.bert.bert_encoder.layers.", "bert.encoder.layer."),
        (".attention.attention.query_layer.", ".attention.self.query."),
        (".attention.attention.key_layer.", ".attention.self.key."),
        (".attention.attention.value_layer.", ".attention.self.value."),
        (".attention.attention._generate_relative_positions_embeddings.embeddings_table", ".attention.self.relative_positions_embeddings.weight"),
        (".attention.output.layernorm.", ".attention.output.LayerNorm."),
        (".intermediate.", ".intermediate.dense."),
        (".output.layernorm.", ".output.LayerNorm."),
        ("bert.bert.dense.", "bert.pooler.dense."),
        ("bert.cls1.dense.", "cls.predictions.transform.dense."),
        ("bert.cls1.layernorm.", "cls.predictions.transform.LayerNorm."),
        ("bert.cls1.output_bias", "cls.predictions.bias"),
        ("bert.cls2.dense.", "cls.seq_relationship."),
        ("bert.dense_1.", "classifier."),
        ("bert.dense1.", "qa_outputs."),
    ]

    /// Optimizer state and training bookkeeping a training checkpoint also holds.
    static let trainingStatePrefixes = ["adam_m.", "adam_v.", "lamb_m.", "lamb_v.", "moments.", "accu_grads.", "thor_"]
    static let trainingStateNames: Set<String> = [
        "global_step", "learning_rate", "momentum", "scale_sense", "loss_scale", "current_iterator_step", "last_overflow_iterator_step",
        "local_step", "accu_overflow", "accu_loss", "total_num", "start_num", "end_num", "beta1_power", "beta2_power", "random_op",
    ]

    /// The transformers name of a MindSpore parameter; nil for optimizer state and bookkeeping.
    public static func huggingFace(_ name: String) -> String? {
        if trainingStateNames.contains(name) || trainingStatePrefixes.contains(where: { name.hasPrefix($0) }) { return nil }
        var mapped = name
        for (from, to) in replacements { mapped = mapped.replacingOccurrences(of: from, with: to) }
        if mapped.hasSuffix(".gamma") { mapped = mapped.dropLast("gamma".count) + "weight" }
        if mapped.hasSuffix(".beta") { mapped = mapped.dropLast("beta".count) + "bias" }
        return mapped
    }
}
