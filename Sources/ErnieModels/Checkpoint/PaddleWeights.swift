import ErnieBasics
import Foundation

/// A PaddlePaddle `.pdparams` as `paddle.save(model.state_dict())` writes it (PaddleNLP's `model_state.pdparams`): a
/// pickle of name → numpy array, read by `PickleMachine` with only numpy's array globals allowed. The names are mapped
/// to transformers' (`PaddleNames`) and Paddle's `Linear` weights, stored [in, out], are read transposed to [out, in],
/// so the folder loads like its Hugging Face conversion.
public final class PaddleWeights: CheckpointWeights, @unchecked Sendable {
    public static let fileName = "model_state.pdparams"

    public let source: String
    public let shapes: [String: [Int]]
    private let data: Data
    private let arrays: [String: Array]

    /// An array's elements in `bytes` of the file (or decoded from a protocol-2 string), contiguous unless read
    /// transposed.
    private struct Array {
        var elements: StridedElements
        var bytes: Range<Int>
        var owned: [UInt8]?
    }

    static let allowed: Set<PickleGlobal> = [
        PickleGlobal("numpy.core.multiarray", "_reconstruct"), PickleGlobal("numpy._core.multiarray", "_reconstruct"),
        PickleGlobal("numpy", "ndarray"), PickleGlobal("numpy", "dtype"), PickleGlobal("collections", "OrderedDict"),
        PickleGlobal("_codecs", "encode"),
    ]

    static let dtypes: [String: SafetensorsDType] = [
        "f4": .float32, "f2": .float16, "f8": .float64, "i8": .int64, "i4": .int32, "i2": .int16, "i1": .int8,
        "u1": .uint8, "b1": .bool,
    ]

    /// - Parameter questionAnswering: the file holds a `…ForQuestionAnswering` (its config's architectures say so), whose
    ///   head PaddleNLP names `classifier` and transformers `qa_outputs`.
    ///   `ernieM`: the file holds PaddleNLP's ERNIE-M (also assumed when its names start with `ernie_m.`).
    public init(file url: URL, questionAnswering: Bool = false, ernieM: Bool = false) throws {
        source = url.path
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SafetensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        var arrays: [String: Array] = [:], shapes: [String: [Int]] = [:]
        try data.withUnsafeBytes { bytes in
            let root = try PickleMachine.load(bytes, allowed: Self.allowed, source: url.path)
            guard let items = root.items else {
                throw SafetensorsError.invalidHeader(path: url.path, message: "not a state dict (a dict of name → array)")
            }
            var byPaddleName: [(String, Array)] = []
            var parts: [String: Array] = [:]
            var splitInfo: [(key: PickleValue, value: PickleValue)] = []
            for (key, value) in items {
                guard let paddleName = key.string else { continue }
                if paddleName == Self.splitInfoKey { splitInfo = value.items ?? []; continue }
                guard case .call(let call) = value, call.callable.name == "_reconstruct" else { continue }
                let array = try Self.array(call, bytes: bytes, path: url.path, name: paddleName)
                if paddleName.contains("@@.") { parts[paddleName] = array } else { byPaddleName.append((paddleName, array)) }
            }
            for (key, info) in splitInfo {
                guard let paddleName = key.string else { continue }
                byPaddleName.append((paddleName, try Self.joined(paddleName, info: info, parts: &parts, bytes: bytes, path: url.path)))
            }
            if let stray = parts.keys.sorted().first {
                throw SafetensorsError.invalidEntry(path: url.path, tensor: stray, message: "a part of a split parameter that \(Self.splitInfoKey) does not list")
            }
            let ernieM = ernieM || byPaddleName.contains { $0.0.hasPrefix("ernie_m.") }
            for (paddleName, original) in byPaddleName {
                var array = original
                let (mapped, transposed) = ernieM ? PaddleNames.ernieM(paddleName) : PaddleNames.huggingFace(paddleName)
                let name = questionAnswering && mapped.hasPrefix("classifier.") ? "qa_outputs." + mapped.dropFirst("classifier.".count) : mapped
                if transposed && array.elements.shape.count == 2 {
                    // Stored [in, out]: the [out, in] view steps 1 along out and `out` along in.
                    let (inputs, outputs) = (array.elements.shape[0], array.elements.shape[1])
                    array.elements.shape = [outputs, inputs]
                    array.elements.strides = [1, outputs]
                }
                arrays[name] = array
                shapes[name] = array.elements.shape
            }
        }
        self.arrays = arrays
        self.shapes = shapes
    }

    /// Where `paddle.save` with pickle protocol 2 or 3 lists the arrays it split (those above 2^30 − 1 bytes):
    /// name → {"OriginShape": shape, "slices": ["name@@.0", "name@@.1", …]}, each slice a 1-D piece of the flattened array.
    static let splitInfoKey = "UnpackBigParamInfor@@"

    /// A split parameter put back together (`paddle.load`'s `_pack_loaded_dict`): its slices, in order, concatenated and
    /// shaped as `OriginShape`; the slices are taken out of `parts`.
    private static func joined(_ name: String, info: PickleValue, parts: inout [String: Array], bytes: UnsafeRawBufferPointer,
                               path: String) throws -> Array {
        func bad(_ reason: String) -> SafetensorsError { .invalidEntry(path: path, tensor: name, message: reason) }
        let fields = info.items ?? []
        guard let shape = fields.first(where: { $0.key.string == "OriginShape" })?.value.tuple?.compactMap(\.int),
              let slices = fields.first(where: { $0.key.string == "slices" })?.value.tuple?.compactMap(\.string), !slices.isEmpty,
              shape.allSatisfy({ $0 >= 0 }), let count = CheckedSize.product(shape) else {
            throw bad("\(splitInfoKey) has no OriginShape and slices for it")
        }
        var joined: [UInt8] = []
        var dtype: SafetensorsDType?
        for slice in slices {
            guard let part = parts.removeValue(forKey: slice) else { throw bad("its slice \(slice) is not in the file") }
            guard part.elements.shape.count == 1, dtype == nil || dtype == part.elements.dtype else {
                throw bad("slice \(slice) is not a 1-D piece of the same dtype")
            }
            dtype = part.elements.dtype
            if let owned = part.owned { joined += owned } else { joined += bytes[part.bytes] }
        }
        guard let dtype, let size = CheckedSize.product(count, dtype.byteSize), size == joined.count else {
            throw bad("its slices hold \(joined.count) bytes, OriginShape \(shape) needs \(CheckedSize.product(count, dtype?.byteSize ?? 0) ?? -1)")
        }
        return Array(elements: StridedElements(dtype: dtype, offset: 0, shape: shape, strides: StridedElements.contiguousStrides(shape)),
                     bytes: 0..<0, owned: joined)
    }

    /// `_reconstruct(ndarray, (0,), b'b')` built with `(1, shape, dtype, is_fortran, raw)`.
    private static func array(_ call: PickleCall, bytes: UnsafeRawBufferPointer, path: String, name: String) throws -> Array {
        func bad(_ reason: String) -> SafetensorsError { .invalidEntry(path: path, tensor: name, message: reason) }
        guard let state = call.state?.tuple, state.count == 5, let dims = state[1].tuple?.map(\.int), dims.allSatisfy({ $0 != nil }),
              case .call(let dtypeCall) = state[2], dtypeCall.callable.name == "dtype", let code = dtypeCall.arguments.first?.string else {
            throw bad("not a numpy array as pickle writes one")
        }
        guard let dtype = dtypes[code] else { throw bad("numpy dtype \(code) is not read") }
        if let order = dtypeCall.state?.tuple?.dropFirst().first?.string, order == ">" { throw bad("big-endian arrays are not read") }
        guard case .bool(false) = state[3] else { throw bad("Fortran-ordered arrays are not read") }
        let shape = dims.map { $0! }
        guard shape.allSatisfy({ $0 >= 0 }), let count = CheckedSize.product(shape), let size = CheckedSize.product(count, dtype.byteSize) else {
            throw bad("shape \(shape) overflows")
        }
        var array = Array(elements: StridedElements(dtype: dtype, offset: 0, shape: shape, strides: StridedElements.contiguousStrides(shape)),
                          bytes: 0..<0, owned: nil)
        switch state[4] {
        case .bytes(let range): array.bytes = range
        case .call(let encode) where encode.callable == PickleGlobal("_codecs", "encode"):
            // Protocol 2 writes bytes as _codecs.encode(latin-1 text, 'latin1').
            guard let text = encode.arguments.first?.string, text.unicodeScalars.allSatisfy({ $0.value < 256 }) else {
                throw bad("array data is not latin-1 text")
            }
            array.owned = text.unicodeScalars.map { UInt8($0.value) }
        default: throw bad("array data is not bytes")
        }
        let stored = array.owned?.count ?? array.bytes.count
        guard stored == size else { throw bad("\(shape) × \(dtype.rawValue) needs \(size) bytes, the file holds \(stored)") }
        return array
    }

    public func readFloats(named name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let array = arrays[name] else { throw SafetensorsError.tensorNotFound(path: source, tensor: name) }
        if let owned = array.owned {
            try owned.withUnsafeBytes { try array.elements.readFloats(from: $0, at: 0, source: source, name: name, into: destination) }
        } else {
            try data.withUnsafeBytes { try array.elements.readFloats(from: $0, at: array.bytes.lowerBound, source: source, name: name, into: destination) }
        }
    }
}

/// PaddleNLP's parameter names for BERT / ERNIE and their transformers equivalents (the mapping of nghuyong's
/// ERNIE-Pytorch conversion): `embeddings.layer_norm` → `embeddings.LayerNorm`, `encoder.layers.i.self_attn.{q,k,v}_proj`
/// → `encoder.layer.i.attention.self.{query,key,value}`, `out_proj` → `attention.output.dense`, `norm1` / `norm2` →
/// `attention.output.LayerNorm` / `output.LayerNorm`, `linear1` / `linear2` → `intermediate.dense` / `output.dense`, and
/// the MLM head's `transform` / `layer_norm` / `decoder_weight` / `decoder_bias`. Heads named `classifier` keep their
/// name (PaddleNLP's QA head is also `classifier`, transformers' `qa_outputs`: `PaddleWeights` renames it when told the
/// model answers questions).
public enum PaddleNames {
    static let replacements: [(String, String)] = [
        (".embeddings.layer_norm.", ".embeddings.LayerNorm."),
        (".encoder.layers.", ".encoder.layer."),
        (".self_attn.q_proj.", ".attention.self.query."),
        (".self_attn.k_proj.", ".attention.self.key."),
        (".self_attn.v_proj.", ".attention.self.value."),
        (".self_attn.out_proj.", ".attention.output.dense."),
        (".norm1.", ".attention.output.LayerNorm."),
        (".norm2.", ".output.LayerNorm."),
        (".linear1.", ".intermediate.dense."),
        (".linear2.", ".output.dense."),
        (".cls.predictions.transform.", ".cls.predictions.transform.dense."),
        (".cls.predictions.layer_norm.", ".cls.predictions.transform.LayerNorm."),
        (".cls.predictions.decoder_weight", ".cls.predictions.decoder.weight"),
        (".cls.predictions.decoder_bias", ".cls.predictions.bias"),
    ]

    /// ERNIE-M: PaddleNLP's names are transformers' but for the attention's inner module
    /// (`self_attn.q_proj` → `self_attn.self_attn.q_proj`, likewise k and v; `out_proj` stays).
    public static func ernieM(_ paddle: String) -> (name: String, transposed: Bool) {
        var name = paddle
        for projection in ["q_proj", "k_proj", "v_proj"] {
            name = name.replacingOccurrences(of: "self_attn.\(projection).", with: "self_attn.self_attn.\(projection).")
        }
        return (name, huggingFace(paddle).transposed)
    }

    /// The transformers name of a Paddle parameter, and whether it is a `Linear` weight stored [in, out] (every 2-D
    /// weight but embedding tables and the MLM decoder, which is the word-embedding table).
    public static func huggingFace(_ paddle: String) -> (name: String, transposed: Bool) {
        var name = "." + paddle   // so that every pattern, the first component included, starts with a dot
        for (from, to) in replacements { name = name.replacingOccurrences(of: from, with: to) }
        name.removeFirst()
        let transposed = paddle.hasSuffix("weight") && !paddle.contains("embeddings") && !paddle.hasSuffix("decoder_weight")
            && !paddle.contains("norm")
        return (name, transposed)
    }
}
