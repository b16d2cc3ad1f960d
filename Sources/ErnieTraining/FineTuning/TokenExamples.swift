import Foundation

/// Token-classification input files: CoNLL-style `token label` lines (the metrics branch's reader) or JSON lines with
/// `tokens` and `labels` (or `ner_tags`) lists.
public enum TokenExamples {
    /// Reads `path`: JSON lines when it ends in `.json` / `.jsonl`, CoNLL otherwise. A JSON line that is malformed or
    /// whose lists differ in length is skipped and counted.
    /// - Throws: `DatasetError` (file:line) for an unreadable file and CoNLL files mixing labelled and unlabelled lines.
    public static func read(path: String, issues: DataIssues) throws -> [TokenClassificationExample] {
        let lower = path.lowercased()
        guard lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") else { return try TokenClassificationExample.readCoNLL(path: path) }
        let lines = try TextLines(path: path)
        for number in lines.invalidLines { issues.note(DataIssue.malformedLine, file: path, line: number, detail: "not valid UTF-8") }
        var examples: [TokenClassificationExample] = []
        for (number, text) in lines.lines where !text.allSatisfy(\.isWhitespace) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let tokens = object["tokens"] as? [String] else {
                issues.note(DataIssue.malformedLine, file: path, line: number, detail: "expected {\"tokens\": [...], \"labels\": [...]}")
                continue
            }
            let labels = (object["labels"] ?? object["ner_tags"]) as? [String] ?? []
            guard labels.isEmpty || labels.count == tokens.count else {
                issues.note(DataIssue.malformedLine, file: path, line: number, detail: "\(tokens.count) tokens but \(labels.count) labels")
                continue
            }
            examples.append(TokenClassificationExample(tokens: tokens, labels: labels, file: path, line: number))
        }
        return examples
    }
}
