import ErnieBasics
import Foundation

/// One sequence-classification example: a text, an optional second text (sentence pairs), and its label
/// (nil for unlabelled test data).
public struct ClassificationExample: Equatable, Sendable {
    public var text: String
    public var textPair: String?
    public var label: String?
    /// Where it came from, for error messages: file and 1-based line.
    public var file: String
    public var line: Int

    public init(text: String, textPair: String? = nil, label: String? = nil, file: String = "", line: Int = 0) {
        self.text = text
        self.textPair = textPair
        self.label = label
        self.file = file
        self.line = line
    }

    /// Field names accepted for the first text, in priority order (CLUE uses `sentence` / `sentence1`,
    /// PaddleNLP's ChnSentiCorp `text`, GLUE-style TSVs `text_a`).
    public static let textKeys = ["sentence", "text", "text_a", "sentence1", "query"]
    /// Field names accepted for the second text.
    public static let pairKeys = ["text_b", "sentence2"]

    /// Reads a `.tsv` file as TSV and anything else as JSON lines.
    ///
    /// JSON lines (CLUE style): one object per non-empty line with a text field (``textKeys``), optionally a pair
    /// field (``pairKeys``), and optionally `label` as a string or an integer (`1` becomes `"1"`).
    /// TSV: a header row naming the columns with the same names (`label` included when present), then one example per
    /// non-empty row, fields separated by tabs, no quoting.
    /// Errors name the file and line: invalid UTF-8 or JSON, a missing text field, a row with the wrong column count.
    public static func read(path: String) throws -> [ClassificationExample] {
        let lines = try TextLines(path: path)
        try lines.requireValidUTF8(file: path)
        return path.lowercased().hasSuffix(".tsv") ? try readTSV(lines, file: path) : try readJSONLines(lines, file: path)
    }

    static func readJSONLines(_ lines: TextLines, file: String) throws -> [ClassificationExample] {
        var examples: [ClassificationExample] = []
        for (number, text) in lines.lines where !text.allSatisfy(\.isWhitespace) {
            let object: Any
            do { object = try JSONSerialization.jsonObject(with: Data(text.utf8)) } catch {
                throw DatasetError(file: file, line: number, "not valid JSON (\(error.localizedDescription))")
            }
            guard let fields = object as? [String: Any] else {
                throw DatasetError(file: file, line: number, "expected a JSON object per line")
            }
            func string(_ key: String) throws -> String? {
                switch fields[key] {
                case nil, is NSNull: return nil
                case let value as String: return value
                case let value as NSNumber where key == "label" && value.doubleValue.rounded() == value.doubleValue
                    && abs(value.doubleValue) < 1e15:
                    return String(Int(value.doubleValue))
                default: throw DatasetError(file: file, line: number, "field \"\(key)\" must be a string\(key == "label" ? " or an integer" : "")")
                }
            }
            guard let textKey = textKeys.first(where: { fields[$0] != nil }), let first = try string(textKey) else {
                throw DatasetError(file: file, line: number, "no text field: expected one of \(textKeys.joined(separator: ", "))")
            }
            let pair = try pairKeys.first(where: { fields[$0] != nil }).flatMap { try string($0) }
            examples.append(ClassificationExample(text: first, textPair: pair, label: try string("label"), file: file, line: number))
        }
        return examples
    }

    static func readTSV(_ lines: TextLines, file: String) throws -> [ClassificationExample] {
        let rows = lines.lines.filter { !$0.text.isEmpty }
        guard let header = rows.first else { return [] }
        let columns = header.text.split(separator: "\t", omittingEmptySubsequences: false).map { String($0) }
        guard let textColumn = textKeys.lazy.compactMap({ columns.firstIndex(of: $0) }).first else {
            throw DatasetError(file: file, line: header.number,
                               "the header row must name a text column (\(textKeys.joined(separator: ", "))); found \(columns)")
        }
        let pairColumn = pairKeys.lazy.compactMap { columns.firstIndex(of: $0) }.first
        let labelColumn = columns.firstIndex(of: "label")
        return try rows.dropFirst().map { number, text in
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false).map { String($0) }
            guard fields.count == columns.count else {
                throw DatasetError(file: file, line: number, "\(fields.count) tab-separated fields, the header has \(columns.count)")
            }
            return ClassificationExample(text: fields[textColumn], textPair: pairColumn.map { fields[$0] },
                                         label: labelColumn.map { fields[$0] }, file: file, line: number)
        }
    }

    /// The example as one CLUE-style JSON line: `{"sentence": …, "label": …}`, or `{"sentence1": …, "sentence2": …,
    /// "label": …}` for pairs; no `label` when it is nil.
    public var jsonLine: String {
        var parts: [String]
        if let textPair {
            parts = ["\"sentence1\": " + JSONWriter.quoted(text), "\"sentence2\": " + JSONWriter.quoted(textPair)]
        } else {
            parts = ["\"sentence\": " + JSONWriter.quoted(text)]
        }
        if let label { parts.append("\"label\": " + JSONWriter.quoted(label)) }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

/// Reads a label list: one label per non-empty line, in order (the order fixes the class ids).
public func readLabelList(path: String) throws -> [String] {
    let lines = try TextLines(path: path)
    try lines.requireValidUTF8(file: path)
    if lines.lines.first(where: { !$0.text.isEmpty })?.text.hasPrefix("{") == true {
        // MindSpore's label2id.json: {"label": id, …} with ids 0..<n.
        let text = lines.lines.map(\.text).joined(separator: "\n")
        guard let object = (try? JSONParser.parse(text))?.objectValue else { throw DatasetError(file: path, "not a JSON {label: id} object") }
        var labels = [String?](repeating: nil, count: object.count)
        for (label, id) in object {
            guard let id = id.intValue, labels.indices.contains(id), labels[id] == nil else {
                throw DatasetError(file: path, "label \"\(label)\" has id \(JSONWriter.compact(id)): ids must be 0..<\(object.count), each once")
            }
            labels[id] = label
        }
        return labels.map { $0! }
    }
    let labels = lines.lines.map(\.text).filter { !$0.isEmpty }
    if let duplicate = labels.enumerated().first(where: { labels.firstIndex(of: $0.element) != $0.offset }) {
        throw DatasetError(file: path, "label \"\(duplicate.element)\" appears twice")
    }
    return labels
}
