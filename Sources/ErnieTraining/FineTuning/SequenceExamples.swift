import Foundation

/// One sequence-classification record: a text, an optional second text, and its labels (nil when unlabelled; one
/// name for single-label and regression data, any number for multi-label data).
public struct SequenceExample: Sendable, Equatable {
    public var text: String
    public var pair: String?
    public var labels: [String]?
    /// The label was written as a JSON list (multi-label data).
    public var labelIsList = false
    /// The label was written as a JSON number that is not an integer (regression data).
    public var labelIsFraction = false
    public var file: String
    public var line: Int

    public init(text: String, pair: String? = nil, labels: [String]? = nil, file: String = "", line: Int = 0) {
        self.text = text
        self.pair = pair
        self.labels = labels
        self.file = file
        self.line = line
    }

    static let textKeys = ["sentence", "text", "text_a", "sentence1", "premise", "query", "content"]
    static let pairKeys = ["text_b", "sentence2", "hypothesis", "hypo"]
    static let labelKeys = ["label", "labels", "gold_label"]

    /// Reads CLUE-style JSON lines (`.json`, `.jsonl`) or TSV (`.tsv`, `.txt`, `.csv` is not supported).
    ///
    /// JSON lines: one object per line with a text field (`sentence`, `text`, `text_a`, `sentence1`, `premise`, …), an
    /// optional pair field (`sentence2`, `text_b`, `hypothesis`, …) and an optional `label` (string, integer, number or
    /// list of strings for multi-label data).
    /// TSV with a header row naming those columns (XNLI's files and GLUE-style TSVs), or without a header:
    /// `label<TAB>text_a[<TAB>text_b]` (one field: an unlabelled text). XNLI's `contradictory` is read as
    /// `contradiction`.
    /// Malformed lines (bad JSON, no text, wrong field count, invalid UTF-8) are skipped and counted in `issues`.
    /// - Throws: `DatasetError` when the file cannot be read.
    public static func read(path: String, issues: DataIssues) throws -> [SequenceExample] {
        let lines = try TextLines(path: path)
        for number in lines.invalidLines { issues.note(DataIssue.malformedLine, file: path, line: number, detail: "not valid UTF-8") }
        let lower = path.lowercased()
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { return readTSV(lines, file: path, issues: issues) }
        return try readJSONLines(lines, file: path, issues: issues)
    }

    /// - Throws: `DatasetError` for a file whose labels mix kinds (`LabelKinds`).
    static func readJSONLines(_ lines: TextLines, file: String, issues: DataIssues) throws -> [SequenceExample] {
        var examples: [SequenceExample] = []
        var kinds = LabelKinds(file: file)
        for (number, text) in lines.lines where !text.allSatisfy(\.isWhitespace) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let fields = object as? [String: Any] else {
                issues.note(DataIssue.malformedLine, file: file, line: number, detail: "not a JSON object")
                continue
            }
            guard let textKey = textKeys.first(where: { fields[$0] is String }), let first = fields[textKey] as? String else {
                issues.note(DataIssue.malformedLine, file: file, line: number, detail: "no text field (\(textKeys.joined(separator: ", ")))")
                continue
            }
            var example = SequenceExample(text: first, pair: pairKeys.lazy.compactMap { fields[$0] as? String }.first,
                                          file: file, line: number)
            if let labelKey = labelKeys.first(where: { fields[$0] != nil && !(fields[$0] is NSNull) }) {
                let kind: LabelKinds.Kind
                switch fields[labelKey] {
                case let label as String:
                    example.labels = [label]
                    kind = .name
                case let list as [Any]:
                    example.labels = list.map { ($0 as? String) ?? numberText($0) ?? "\($0)" }
                    example.labelIsList = true
                    kind = .list
                case let value as NSNumber:
                    example.labels = [numberText(value) ?? "\(value)"]
                    example.labelIsFraction = value.doubleValue.rounded() != value.doubleValue
                    kind = example.labelIsFraction ? .fraction : .integer
                default:
                    issues.note(DataIssue.malformedLine, file: file, line: number, detail: "label must be a string, number or list")
                    continue
                }
                let shown = example.labels!.map { kind == .name || kind == .list ? "\"\($0)\"" : $0 }.joined(separator: ", ")
                try kinds.note(kind, line: number, label: kind == .list ? "[\(shown)]" : shown)
            }
            examples.append(example)
        }
        return examples
    }

    /// `1` for integral numbers, the shortest round-tripping decimal otherwise.
    static func numberText(_ value: Any) -> String? {
        guard let number = value as? NSNumber else { return nil }
        let double = number.doubleValue
        if double.rounded() == double && abs(double) < 1e15 { return String(Int(double)) }
        return "\(double)"
    }

    static func readTSV(_ lines: TextLines, file: String, issues: DataIssues) -> [SequenceExample] {
        let rows = lines.lines.filter { !$0.text.isEmpty }
        guard let first = rows.first else { return [] }
        let header = first.text.split(separator: "\t", omittingEmptySubsequences: false).map { $0.lowercased() }
        let textColumn = textKeys.lazy.compactMap { header.firstIndex(of: $0) }.first
        let pairColumn = pairKeys.lazy.compactMap { header.firstIndex(of: $0) }.first
        let labelColumn = labelKeys.lazy.compactMap { header.firstIndex(of: $0) }.first
        let hasHeader = textColumn != nil
        var examples: [SequenceExample] = []
        for (number, text) in rows.dropFirst(hasHeader ? 1 : 0) {
            let fields = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            var example: SequenceExample
            if let textColumn {
                guard fields.count == header.count else {
                    issues.note(DataIssue.malformedLine, file: file, line: number, detail: "\(fields.count) fields, the header has \(header.count)")
                    continue
                }
                example = SequenceExample(text: fields[textColumn], pair: pairColumn.map { fields[$0] },
                                          labels: labelColumn.map { [fields[$0]] }, file: file, line: number)
            } else {
                switch fields.count {
                case 1: example = SequenceExample(text: fields[0], file: file, line: number)
                case 2: example = SequenceExample(text: fields[1], labels: [fields[0]], file: file, line: number)
                case 3: example = SequenceExample(text: fields[1], pair: fields[2], labels: [fields[0]], file: file, line: number)
                default:
                    issues.note(DataIssue.malformedLine, file: file, line: number,
                                detail: "\(fields.count) tab-separated fields; expected label<TAB>text_a[<TAB>text_b]")
                    continue
                }
            }
            if example.labels == ["contradictory"] { example.labels = ["contradiction"] }  // XNLI's MultiNLI train files
            examples.append(example)
        }
        return examples
    }
}
