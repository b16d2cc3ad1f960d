import ErnieBasics
import Foundation

/// The weights of an ONNX graph `ernie export` wrote, under the model's Hugging Face names, so that an exported folder
/// (model.onnx + config.json + tokenizer files) loads like the folder it came from.
///
/// The initializers map back as the exporter wrote them: `<name>.weight.T` ([in, out] float, a Linear weight
/// transposed for MatMul) is `<name>.weight` [out, in]; `<name>.weight.int8.T` ([in, out] int8) with
/// `<name>.weight.scale` ([out] float) is `<name>.weight` dequantised (value · scale, what `--dtype int8` runs on);
/// every other float initializer whose name has a dot is a parameter as it is. The graph's own constants (no dot:
/// `mask_min`, `gelu_half_12`, …) are not parameters. Raw, `float_data` and external data (beside the file) are read.
public final class OnnxWeights: CheckpointWeights, @unchecked Sendable {
    public static let fileName = "model.onnx"

    public let source: String
    public let shapes: [String: [Int]]
    private let parameters: [String: Parameter]
    /// The mapped model file and external data files (the tensors' bytes point into them).
    private let files: [Data]

    /// How a parameter is made from the file's initializers.
    private enum Parameter {
        case plain(Stored)
        case transposed(Stored, rows: Int, columns: Int)   // stored [columns, rows], read as [rows, columns]
        case quantizedTransposed(Stored, scales: Stored, rows: Int, columns: Int)
    }

    /// An initializer's elements: `count` values of `type` at `bytes` in `files[file]`.
    private struct Stored {
        var file: Int
        var bytes: Range<Int>
        var type: ElementType
        var count: Int
    }

    private enum ElementType: Int {
        case float = 1, int8 = 3
        var size: Int { self == .float ? 4 : 1 }
    }

    public init(file: URL) throws {
        source = file.path
        let data: Data
        do { data = try Data(contentsOf: file, options: .alwaysMapped) } catch {
            throw SafetensorsError.unreadable(path: file.path, reason: error.localizedDescription)
        }
        var files = [data]
        var external: [String: Int] = [:]
        var stored: [String: (dims: [Int], value: Stored)] = [:]
        do {
            try data.withUnsafeBytes { bytes in
                var model = ProtobufReader(bytes)
                while let (field, value) = try model.next() {
                    guard field == 7, case .bytes(let graphRange) = value else { continue }   // ModelProto.graph
                    var graph = model.message(graphRange)
                    while let (field, value) = try graph.next() {
                        guard field == 5, case .bytes(let tensorRange) = value else { continue }   // GraphProto.initializer
                        let tensor = try Self.tensor(graph.message(tensorRange), path: file.path)
                        guard let type = ElementType(rawValue: tensor.dataType) else { continue }
                        guard let count = CheckedSize.product(tensor.dims) else {
                            throw SafetensorsError.invalidEntry(path: file.path, tensor: tensor.name, message: "dims \(tensor.dims) overflow")
                        }
                        var value = Stored(file: 0, bytes: 0..<0, type: type, count: count)
                        if let location = tensor.external {
                            if external[location.file] == nil {
                                external[location.file] = files.count
                                files.append(try Self.externalFile(location.file, beside: file, tensor: tensor.name))
                            }
                            value.file = external[location.file]!
                            let size = files[value.file].count
                            guard location.offset <= size, location.length <= size - location.offset else {
                                throw SafetensorsError.invalidEntry(path: file.path, tensor: tensor.name,
                                                                    message: "external data \(location.offset)+\(location.length) past the end of \(location.file) (\(size) bytes)")
                            }
                            value.bytes = location.offset..<(location.offset + location.length)
                        } else {
                            value.bytes = tensor.data
                        }
                        guard let expected = CheckedSize.product(count, type.size), value.bytes.count == expected else {
                            throw SafetensorsError.sizeMismatch(path: file.path, tensor: tensor.name, shape: tensor.dims,
                                                                dtype: "\(type)", expectedBytes: count * type.size, actualBytes: value.bytes.count)
                        }
                        stored[tensor.name] = (tensor.dims, value)
                    }
                }
            }
        } catch let error as ProtobufReader.DecodingError {
            throw SafetensorsError.invalidHeader(path: file.path, message: "not an ONNX model: \(error.description)")
        }
        var parameters: [String: Parameter] = [:], shapes: [String: [Int]] = [:]
        for (name, (dims, value)) in stored {
            if name.hasSuffix(".weight.int8.T") {
                let base = String(name.dropLast(".int8.T".count))
                guard dims.count == 2, value.type == .int8, let scales = stored[base + ".scale"], scales.value.type == .float,
                      scales.dims == [dims[1]] else {
                    throw SafetensorsError.invalidEntry(path: file.path, tensor: name, message: "an int8 weight needs [in, out] int8 and \(base).scale [out] float")
                }
                parameters[base] = .quantizedTransposed(value, scales: scales.value, rows: dims[1], columns: dims[0])
                shapes[base] = [dims[1], dims[0]]
            } else if name.hasSuffix(".weight.T"), dims.count == 2, value.type == .float {
                let base = String(name.dropLast(".T".count))
                parameters[base] = .transposed(value, rows: dims[1], columns: dims[0])
                shapes[base] = [dims[1], dims[0]]
            } else if value.type == .float, name.contains("."), !name.hasSuffix(".weight.scale") || stored[String(name.dropLast(".scale".count)) + ".int8.T"] == nil {
                parameters[name] = .plain(value)
                shapes[name] = dims
            }
        }
        self.parameters = parameters
        self.shapes = shapes
        self.files = files
    }

    public func readFloats(named name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let parameter = parameters[name], let shape = shapes[name] else {
            throw SafetensorsError.tensorNotFound(path: source, tensor: name)
        }
        let count = shape.reduce(1, *)
        guard destination.count >= count else {
            throw SafetensorsError.destinationSize(path: source, tensor: name, elements: count, capacity: destination.count)
        }
        let out = destination.baseAddress!
        switch parameter {
        case .plain(let value):
            withElements(value, Float.self) { out.update(from: $0, count: count) }
        case .transposed(let value, let rows, let columns):
            withElements(value, Float.self) { stored in
                for row in 0..<rows { for column in 0..<columns { out[row * columns + column] = stored[column * rows + row] } }
            }
        case .quantizedTransposed(let value, let scales, let rows, let columns):
            withElements(scales, Float.self) { scales in
                withElements(value, Int8.self) { stored in
                    for row in 0..<rows {
                        for column in 0..<columns { out[row * columns + column] = Float(stored[column * rows + row]) * scales[row] }
                    }
                }
            }
        }
    }

    /// The elements of `value`, copied out of the file (its bytes need not be aligned).
    private func withElements<Element>(_ value: Stored, _ type: Element.Type, _ body: (UnsafePointer<Element>) -> Void) {
        let elements = [Element](unsafeUninitializedCapacity: value.count) { buffer, initialized in
            files[value.file].withUnsafeBytes { bytes in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[value.bytes]))
            }
            initialized = value.count
        }
        elements.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The fields of a `TensorProto` ernie reads.
    private static func tensor(_ message: ProtobufReader, path: String) throws
        -> (name: String, dims: [Int], dataType: Int, data: Range<Int>, external: (file: String, offset: Int, length: Int)?) {
        var reader = message
        var name = "", dims: [Int] = [], dataType = 0, data = 0..<0
        var entries: [String: String] = [:], isExternal = false
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .varint(let dim)): dims.append(Int(truncatingIfNeeded: dim))
            case (1, .bytes(let packed)): dims += try reader.packedVarints(packed).map { Int(truncatingIfNeeded: $0) }
            case (2, .varint(let type)): dataType = Int(truncatingIfNeeded: type)
            case (4, .bytes(let floats)), (9, .bytes(let floats)): data = floats   // float_data (packed) or raw_data
            case (8, .bytes(let text)): name = reader.string(text)
            case (13, .bytes(let entry)):   // StringStringEntryProto {key = 1, value = 2}
                var entryReader = reader.message(entry)
                var key = "", text = ""
                while let (field, value) = try entryReader.next() {
                    if case .bytes(let range) = value { if field == 1 { key = reader.string(range) } else if field == 2 { text = reader.string(range) } }
                }
                entries[key] = text
            case (14, .varint(let location)): isExternal = location == 1
            default: continue
            }
        }
        guard dims.allSatisfy({ $0 >= 0 }) else {
            throw SafetensorsError.invalidEntry(path: path, tensor: name, message: "negative dims \(dims)")
        }
        guard isExternal else { return (name, dims, dataType, data, nil) }
        guard let file = entries["location"], let offset = Int(entries["offset"] ?? "0"), offset >= 0 else {
            throw SafetensorsError.invalidEntry(path: path, tensor: name, message: "external data without a location or with an invalid offset")
        }
        let length = Int(entries["length"] ?? "") ?? -1
        guard length >= 0 else {
            throw SafetensorsError.invalidEntry(path: path, tensor: name, message: "external data needs a length")
        }
        return (name, dims, dataType, data, (file, offset, length))
    }

    /// An external data file: a plain name or relative path inside the model's folder (never outside it).
    private static func externalFile(_ location: String, beside model: URL, tensor: String) throws -> Data {
        let components = location.split(separator: "/")
        guard !location.hasPrefix("/"), !components.isEmpty, !components.contains(".."), !location.contains("\\") else {
            throw SafetensorsError.invalidEntry(path: model.path, tensor: tensor, message: "external data location \"\(location)\" is outside the model's folder")
        }
        let url = model.deletingLastPathComponent().appendingPathComponent(location)
        do { return try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SafetensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
    }
}
