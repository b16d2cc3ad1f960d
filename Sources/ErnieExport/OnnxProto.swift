import ErnieBasics
import Foundation

/// ONNX's protocol-buffer messages (onnx/onnx.proto, IR version 8), only the fields an exported encoder uses, written
/// by hand with `ProtobufWriter`: no generated code.
enum OnnxProto {
    /// `TensorProto.DataType`.
    enum DataType: Int {
        case float = 1, uint8 = 2, int8 = 3, int32 = 6, int64 = 7
    }

    /// A `TensorProto`: an initializer or a constant, its bytes in `raw_data` (little-endian) or in an external file.
    struct Tensor {
        var name: String
        var dims: [Int]
        var dataType: DataType
        var raw: [UInt8]
        /// Set when the bytes live in an external data file: (file name, offset, length).
        var external: (location: String, offset: Int, length: Int)?

        static func floats(_ name: String, dims: [Int], _ values: [Float]) -> Tensor {
            Tensor(name: name, dims: dims, dataType: .float, raw: values.withUnsafeBytes { Array($0) })
        }

        static func int8s(_ name: String, dims: [Int], _ values: [Int8]) -> Tensor {
            Tensor(name: name, dims: dims, dataType: .int8, raw: values.withUnsafeBytes { Array($0) })
        }

        static func uint8s(_ name: String, dims: [Int], _ values: [UInt8]) -> Tensor {
            Tensor(name: name, dims: dims, dataType: .uint8, raw: values)
        }

        static func int64s(_ name: String, dims: [Int], _ values: [Int64]) -> Tensor {
            Tensor(name: name, dims: dims, dataType: .int64, raw: values.withUnsafeBytes { Array($0) })
        }

        func serialized() -> [UInt8] {
            var writer = ProtobufWriter()
            writer.reserve(raw.count + 64 + name.utf8.count)
            for dim in dims { writer.appendInt64(field: 1, Int64(dim)) }
            writer.appendInt64(field: 2, Int64(dataType.rawValue))
            writer.appendString(field: 8, name)
            if let external {
                for (key, value) in [("location", external.location), ("offset", "\(external.offset)"), ("length", "\(external.length)")] {
                    var entry = ProtobufWriter()
                    entry.appendString(field: 1, key)
                    entry.appendString(field: 2, value)
                    writer.appendLengthDelimited(field: 13, entry.bytes)
                }
                writer.appendInt64(field: 14, 1)   // data_location EXTERNAL
            } else {
                raw.withUnsafeBytes { writer.appendLengthDelimited(field: 9, $0) }
            }
            return writer.bytes
        }
    }

    /// An `AttributeProto`.
    enum Attribute {
        case int(String, Int)
        case float(String, Float)
        case ints(String, [Int])
        case string(String, String)

        func serialized() -> [UInt8] {
            var writer = ProtobufWriter()
            switch self {
            case .float(let name, let value):
                writer.appendString(field: 1, name)
                writer.appendFloat(field: 2, value)
                writer.appendInt64(field: 20, 1)
            case .int(let name, let value):
                writer.appendString(field: 1, name)
                writer.appendInt64(field: 3, Int64(value))
                writer.appendInt64(field: 20, 2)
            case .string(let name, let value):
                writer.appendString(field: 1, name)
                writer.appendString(field: 4, value)
                writer.appendInt64(field: 20, 3)
            case .ints(let name, let values):
                writer.appendString(field: 1, name)
                for value in values { writer.appendInt64(field: 8, Int64(value)) }
                writer.appendInt64(field: 20, 7)
            }
            return writer.bytes
        }
    }

    /// A `NodeProto` of the default (ai.onnx) domain.
    struct Node {
        var opType: String
        var inputs: [String]
        var outputs: [String]
        var name: String
        var attributes: [Attribute] = []

        func serialized() -> [UInt8] {
            var writer = ProtobufWriter()
            for input in inputs { writer.appendString(field: 1, input) }
            for output in outputs { writer.appendString(field: 2, output) }
            writer.appendString(field: 3, name)
            writer.appendString(field: 4, opType)
            for attribute in attributes { writer.appendLengthDelimited(field: 5, attribute.serialized()) }
            return writer.bytes
        }
    }

    /// One axis of a graph input or output: a fixed size or a named dynamic one (`batch_size`).
    enum Dimension {
        case value(Int)
        case parameter(String)
    }

    /// A `ValueInfoProto` of a tensor type.
    struct ValueInfo {
        var name: String
        var dataType: DataType
        var shape: [Dimension]

        func serialized() -> [UInt8] {
            var shapeWriter = ProtobufWriter()
            for dimension in shape {
                var dim = ProtobufWriter()
                switch dimension {
                case .value(let value): dim.appendInt64(field: 1, Int64(value))
                case .parameter(let name): dim.appendString(field: 2, name)
                }
                shapeWriter.appendLengthDelimited(field: 1, dim.bytes)
            }
            var tensorType = ProtobufWriter()
            tensorType.appendInt64(field: 1, Int64(dataType.rawValue))
            tensorType.appendLengthDelimited(field: 2, shapeWriter.bytes)
            var type = ProtobufWriter()
            type.appendLengthDelimited(field: 1, tensorType.bytes)
            var writer = ProtobufWriter()
            writer.appendString(field: 1, name)
            writer.appendLengthDelimited(field: 2, type.bytes)
            return writer.bytes
        }
    }

    /// A `ModelProto` holding one `GraphProto`.
    struct Model {
        var graphName: String
        var nodes: [Node]
        var initializers: [Tensor]
        var inputs: [ValueInfo]
        var outputs: [ValueInfo]
        var opset: Int
        var producerVersion: String

        func serialized() -> [UInt8] {
            var graph = ProtobufWriter()
            graph.reserve(initializers.reduce(0) { $0 + $1.raw.count + 128 } + nodes.count * 128)
            for node in nodes { graph.appendLengthDelimited(field: 1, node.serialized()) }
            graph.appendString(field: 2, graphName)
            for tensor in initializers { graph.appendLengthDelimited(field: 5, tensor.serialized()) }
            for input in inputs { graph.appendLengthDelimited(field: 11, input.serialized()) }
            for output in outputs { graph.appendLengthDelimited(field: 12, output.serialized()) }
            var model = ProtobufWriter()
            model.reserve(graph.bytes.count + 256)
            model.appendInt64(field: 1, 8)   // IR version 8 (ONNX 1.13+), which opsets 17 and 18 need
            model.appendString(field: 2, "ernie")
            model.appendString(field: 3, producerVersion)
            graph.bytes.withUnsafeBytes { model.appendLengthDelimited(field: 7, $0) }
            var opsetImport = ProtobufWriter()
            opsetImport.appendString(field: 1, "")
            opsetImport.appendInt64(field: 2, Int64(opset))
            model.appendLengthDelimited(field: 8, opsetImport.bytes)
            return model.bytes
        }
    }
}
