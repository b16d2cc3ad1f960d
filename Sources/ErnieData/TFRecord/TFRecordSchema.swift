import ErnieBasics
import Foundation

/// A MindSpore dataset schema (`schema.json`, what MindSpore's `--schema_dir` names): `{"datasetType": "TF",
/// "numRows": N, "columns": {"input_ids": {"type": "int64", "rank": 1, "shape": [128]}, …}}`. MindSpore reads only
/// the first `numRows` records when it is given, and checks each column's length against its shape.
public struct TFRecordSchema: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        /// MindSpore's type name: int64, int32, float32, …
        public var type: String
        /// Values per record (the product of the shape); nil when the schema gives no shape.
        public var length: Int?
    }

    public var rowCount: Int?
    public var columns: [(name: String, column: Column)]

    public static func == (lhs: TFRecordSchema, rhs: TFRecordSchema) -> Bool {
        lhs.rowCount == rhs.rowCount && lhs.columns.elementsEqual(rhs.columns) { $0.name == $1.name && $0.column == $1.column }
    }

    public init(rowCount: Int?, columns: [(name: String, column: Column)]) {
        self.rowCount = rowCount
        self.columns = columns
    }

    /// Reads `path`. - Throws: `DataError.malformed` naming the file and the field.
    public init(contentsOf path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DataError.io(path: path, reason: "cannot read the schema (\(error.localizedDescription))")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(data) } catch { throw DataError.malformed(path: path, reason: error.description) }
        guard let object = json.objectValue, let columns = object["columns"]?.objectValue else {
            throw DataError.malformed(path: path, reason: "no \"columns\" object (a MindSpore schema.json has datasetType, numRows, columns)")
        }
        if let type = object["datasetType"], type.stringValue != "TF" {
            throw DataError.unsupported(path: path, reason: "datasetType \(JSONWriter.compact(type)): ernie reads TF (TFRecord) data")
        }
        if let rows = object["numRows"] {
            guard let count = rows.intValue, count >= 0 else { throw DataError.malformed(path: path, reason: "numRows \(JSONWriter.compact(rows)) is not a count") }
            rowCount = count == 0 ? nil : count
        } else {
            rowCount = nil
        }
        self.columns = try columns.map { name, value in
            guard let description = value.objectValue, let type = description["type"]?.stringValue else {
                throw DataError.malformed(path: path, reason: "column \(name) has no \"type\"")
            }
            var length: Int? = nil
            if let shape = description["shape"] {
                guard let dimensions = shape.arrayValue?.map(\.intValue), dimensions.allSatisfy({ ($0 ?? -1) > 0 }),
                      let product = CheckedSize.product(dimensions.map { $0! }) else {
                    throw DataError.malformed(path: path, reason: "column \(name) has shape \(JSONWriter.compact(shape)), not a list of positive sizes")
                }
                length = product
            }
            return (name, Column(type: type, length: length))
        }
    }

    /// The schema of `ernie prepare --output_format tfrecord`'s files.
    public static func pretraining(sequenceLength: Int, maxPredictions: Int, rowCount: Int) -> TFRecordSchema {
        let int64 = { (length: Int) in Column(type: "int64", length: length) }
        return TFRecordSchema(rowCount: rowCount, columns: [
            (PretrainingExampleColumns.inputIds, int64(sequenceLength)),
            (PretrainingExampleColumns.inputMask, int64(sequenceLength)),
            (PretrainingExampleColumns.segmentIds, int64(sequenceLength)),
            (PretrainingExampleColumns.nextSentenceLabels, int64(1)),
            (PretrainingExampleColumns.maskedPositions, int64(maxPredictions)),
            (PretrainingExampleColumns.maskedIds, int64(maxPredictions)),
            (PretrainingExampleColumns.maskedWeights, Column(type: "float32", length: maxPredictions)),
        ])
    }

    /// The JSON MindSpore reads (two-space indentation, its own files' layout).
    public func json() -> String {
        var columnObject = JSONObject()
        for (name, column) in columns {
            var description = JSONObject([("type", .string(column.type)), ("rank", .integer(column.length == nil ? 0 : 1))])
            if let length = column.length { description["shape"] = .array([.integer(length)]) }
            columnObject[name] = .object(description)
        }
        var object = JSONObject([("datasetType", .string("TF"))])
        if let rowCount { object["numRows"] = .integer(rowCount) }
        object["columns"] = .object(columnObject)
        return JSONWriter.pythonIndented(.object(object), asciiOnly: false) + "\n"
    }

    /// Checks one record's columns against the schema: present, of the declared kind and length.
    public func check(_ example: TFExample, path: String, offset: Int) throws {
        for (name, column) in columns {
            guard let feature = example.features[name] else {
                throw DataError.malformed(path: path, reason: "record at byte \(offset) has no \(name) column, which the schema declares")
            }
            let count: Int
            switch feature {
            case .int64(let values):
                guard column.type.hasPrefix("int") || column.type.hasPrefix("uint") else {
                    throw DataError.malformed(path: path, reason: "record at byte \(offset): \(name) holds integers, the schema says \(column.type)")
                }
                count = values.count
            case .float(let values):
                guard column.type.hasPrefix("float") else {
                    throw DataError.malformed(path: path, reason: "record at byte \(offset): \(name) holds floats, the schema says \(column.type)")
                }
                count = values.count
            case .bytes(let values): count = values.count
            }
            if let length = column.length, length != count {
                throw DataError.malformed(path: path, reason: "record at byte \(offset): \(name) has \(count) values, the schema's shape \(length)")
            }
        }
    }
}
