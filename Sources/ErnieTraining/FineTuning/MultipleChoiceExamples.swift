import Foundation

/// One multiple-choice question: a context, a question, the choices, and the index of the right one.
public struct MultipleChoiceExample: Sendable, Equatable {
    public var id: String
    public var context: String
    public var question: String
    public var choices: [String]
    /// Index into `choices`; nil when unlabelled.
    public var label: Int?
    public var file: String
    public var line: Int

    public init(id: String, context: String, question: String, choices: [String], label: Int?, file: String = "", line: Int = 0) {
        self.id = id
        self.context = context
        self.question = question
        self.choices = choices
        self.label = label
        self.file = file
        self.line = line
    }

    /// Reads C3's JSON (`[[[context sentences], [{"question", "choice": [...], "answer"}], id], …]`; the sentences are
    /// joined) or JSON lines with `context` (or `article`), `question`, `choices` (or `choice`) and `label` (an index)
    /// or `answer` (the text of the right choice). Records without choices, or whose answer is not a choice, are
    /// skipped and counted.
    /// - Throws: `DatasetError` when the file cannot be read.
    public static func read(path: String, issues: DataIssues) throws -> [MultipleChoiceExample] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, "cannot read the file (missing or not readable)")
        }
        var examples: [MultipleChoiceExample] = []
        func add(context: String, fields: [String: Any], id: String, line: Int) {
            let question = fields["question"] as? String ?? ""
            guard let choices = (fields["choices"] ?? fields["choice"]) as? [String], !choices.isEmpty else {
                issues.note(DataIssue.malformedLine, file: path, line: line, detail: "no choices")
                return
            }
            var label: Int?
            if let index = fields["label"] as? NSNumber { label = index.intValue }
            else if let answer = fields["answer"] as? String { label = choices.firstIndex(of: answer) ?? -1 }
            if let index = label, !(0..<choices.count).contains(index) {
                issues.note(DataIssue.unknownLabel, file: path, line: line, detail: "the answer is not one of the choices")
                return
            }
            examples.append(MultipleChoiceExample(id: id, context: context, question: question, choices: choices, label: label,
                                                  file: path, line: line))
        }
        if let root = try? JSONSerialization.jsonObject(with: data) as? [Any] {
            for (index, item) in root.enumerated() {
                guard let parts = item as? [Any], parts.count >= 2, let sentences = parts[0] as? [String],
                      let questions = parts[1] as? [Any] else {
                    issues.note(DataIssue.malformedLine, file: path, line: 0, detail: "item \(index) is not [[sentences], [questions], id]")
                    continue
                }
                let baseId = parts.count > 2 ? "\(parts[2])" : "\(index)"
                for (number, question) in questions.enumerated() {
                    guard let fields = question as? [String: Any] else { continue }
                    add(context: sentences.joined(), fields: fields, id: "\(baseId)-\(number)", line: 0)
                }
            }
            return examples
        }
        let lines = TextLines(data: data)
        for (number, text) in lines.lines where !text.allSatisfy(\.isWhitespace) {
            guard let fields = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                issues.note(DataIssue.malformedLine, file: path, line: number, detail: "not a JSON object")
                continue
            }
            let context = (fields["context"] ?? fields["article"]) as? String ?? ""
            add(context: context, fields: fields, id: (fields["id"] as? String) ?? "\(number)", line: number)
        }
        return examples
    }
}
