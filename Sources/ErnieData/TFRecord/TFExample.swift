import ErnieBasics

/// A `tf.train.Example`, the payload of TensorFlow's and MindSpore's TFRecord data: named features, each a list of
/// int64, float or byte strings.
///
/// Wire format (tensorflow/core/example/{example,feature}.proto): Example `features = 1` → Features
/// `map<string, Feature> feature = 1` (entries `key = 1`, `value = 2`) → Feature `bytes_list = 1 | float_list = 2 |
/// int64_list = 3`, each a message with `repeated value = 1` (numbers packed when written by TensorFlow; unpacked
/// numbers are accepted too, as protobuf requires).
public struct TFExample: Equatable, Sendable {
    public enum Feature: Equatable, Sendable {
        case int64([Int64])
        case float([Float])
        case bytes([[UInt8]])
    }

    public var features: [String: Feature]

    public init(features: [String: Feature] = [:]) { self.features = features }

    /// The protobuf bytes, features in name order (so equal examples serialise identically).
    public func serialized() -> [UInt8] {
        var featureMap = ProtobufWriter()
        for name in features.keys.sorted() {
            var list = ProtobufWriter()
            let field: Int
            switch features[name]! {
            case .int64(let values):
                field = 3
                var packed = ProtobufWriter()
                for value in values { packed.appendVarint(UInt64(bitPattern: value)) }
                list.appendLengthDelimited(field: 1, packed.bytes)
            case .float(let values):
                field = 2
                var packed = ProtobufWriter()
                for value in values { packed.appendLittleEndian(value.bitPattern) }
                list.appendLengthDelimited(field: 1, packed.bytes)
            case .bytes(let values):
                field = 1
                for value in values { list.appendLengthDelimited(field: 1, value) }
            }
            var feature = ProtobufWriter()
            feature.appendLengthDelimited(field: field, list.bytes)
            var entry = ProtobufWriter()
            entry.appendString(field: 1, name)
            entry.appendLengthDelimited(field: 2, feature.bytes)
            featureMap.appendLengthDelimited(field: 1, entry.bytes)
        }
        var example = ProtobufWriter()
        example.appendLengthDelimited(field: 1, featureMap.bytes)
        return example.bytes
    }

    /// Parses an Example. - Throws: `ProtobufReader.DecodingError` (with the byte offset inside `bytes`) for wrong
    /// wire types, lengths past the end, truncated varints or floats, and a feature that mixes kinds.
    public init(parsing bytes: UnsafeRawBufferPointer) throws {
        features = [:]
        var example = ProtobufReader(bytes)
        while let (field, value) = try example.next() {
            guard field == 1 else { continue }
            guard case .bytes(let featuresRange) = value else { throw Self.wireError("Example.features", example.offset) }
            var map = example.message(featuresRange)
            while let (field, value) = try map.next() {
                guard field == 1 else { continue }
                guard case .bytes(let entryRange) = value else { throw Self.wireError("Features.feature", map.offset) }
                var entry = map.message(entryRange)
                var name = ""
                var feature = Feature.bytes([])
                while let (field, value) = try entry.next() {
                    switch (field, value) {
                    case (1, .bytes(let range)): name = entry.string(range)
                    case (2, .bytes(let range)): feature = try Self.feature(entry.message(range))
                    case (1, _), (2, _): throw Self.wireError("feature map entry", entry.offset)
                    default: continue
                    }
                }
                features[name] = feature
            }
        }
    }

    /// One Feature message: its kind and values (an empty Feature is an empty bytes list, as TensorFlow reads it).
    private static func feature(_ message: ProtobufReader) throws -> Feature {
        var reader = message
        var result = Feature.bytes([])
        while let (field, value) = try reader.next() {
            guard (1...3).contains(field) else { continue }
            guard case .bytes(let listRange) = value else { throw wireError("Feature", reader.offset) }
            var list = reader.message(listRange)
            switch field {
            case 1:
                var values: [[UInt8]] = []
                while let (field, value) = try list.next() {
                    guard field == 1 else { continue }
                    guard case .bytes(let range) = value else { throw wireError("BytesList.value", list.offset) }
                    values.append(Array(UnsafeRawBufferPointer(rebasing: list.bytes[range])))
                }
                result = .bytes(values)
            case 2:
                var values: [Float] = []
                while let (field, value) = try list.next() {
                    guard field == 1 else { continue }
                    switch value {
                    case .fixed32(let bits): values.append(Float(bitPattern: bits))
                    case .bytes(let range):
                        guard range.count % 4 == 0 else {
                            throw ProtobufReader.DecodingError(description: "packed floats of \(range.count) bytes (not a multiple of 4) at byte \(range.lowerBound)")
                        }
                        values.reserveCapacity(values.count + range.count / 4)
                        for offset in stride(from: range.lowerBound, to: range.upperBound, by: 4) {
                            values.append(Float(bitPattern: UInt32(littleEndian: list.bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
                        }
                    default: throw wireError("FloatList.value", list.offset)
                    }
                }
                result = .float(values)
            default:
                var values: [Int64] = []
                while let (field, value) = try list.next() {
                    guard field == 1 else { continue }
                    switch value {
                    case .varint(let raw): values.append(Int64(bitPattern: raw))
                    case .bytes(let range): values += try list.packedVarints(range).map { Int64(bitPattern: $0) }
                    default: throw wireError("Int64List.value", list.offset)
                    }
                }
                result = .int64(values)
            }
        }
        return result
    }

    private static func wireError(_ field: String, _ offset: Int) -> ProtobufReader.DecodingError {
        ProtobufReader.DecodingError(description: "\(field) has the wrong wire type (before byte \(offset))")
    }
}
