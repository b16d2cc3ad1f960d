import Foundation

/// One extractive-QA question: its context, the accepted answers (texts and character starts, counted in Unicode
/// scalars as Python's string indices are), and where it came from.
public struct QuestionAnsweringExample: Sendable, Equatable {
    public var id: String
    public var question: String
    public var context: String
    public var answers: [String]
    /// Scalar offsets of the answers in `context` (same count as `answers`; may be empty for test data).
    public var answerStarts: [Int]
    public var file: String

    public init(id: String, question: String, context: String, answers: [String] = [], answerStarts: [Int] = [], file: String = "") {
        self.id = id
        self.question = question
        self.context = context
        self.answers = answers
        self.answerStarts = answerStarts
        self.file = file
    }

    /// Reads SQuAD v1.1 / CMRC 2018 JSON (`{"data": [{"paragraphs": [{"context", "qas": [{"id", "question",
    /// "answers": [{"text", "answer_start"}]}]}]}]}`) or JSON lines in the HF datasets layout (`id`, `question`,
    /// `context`, `answers: {"text": [...], "answer_start": [...]}`). Questions without id, question or context are
    /// skipped and counted.
    /// - Throws: `DatasetError` when the file cannot be read or is not JSON at all.
    public static func read(path: String, issues: DataIssues) throws -> [QuestionAnsweringExample] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, "cannot read the file (missing or not readable)")
        }
        if let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let articles = root["data"] as? [Any] {
            var examples: [QuestionAnsweringExample] = []
            for article in articles {
                for paragraph in (article as? [String: Any])?["paragraphs"] as? [Any] ?? [] {
                    guard let paragraph = paragraph as? [String: Any], let context = paragraph["context"] as? String else {
                        issues.note(DataIssue.malformedLine, file: path, line: 0, detail: "a paragraph without context")
                        continue
                    }
                    for question in paragraph["qas"] as? [Any] ?? [] {
                        guard let qa = question as? [String: Any], let text = qa["question"] as? String else {
                            issues.note(DataIssue.malformedLine, file: path, line: 0, detail: "a question without text")
                            continue
                        }
                        let id = (qa["id"] as? String) ?? (qa["id"] as? NSNumber).map { "\($0)" } ?? "\(examples.count)"
                        let answers = (qa["answers"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
                        let texts = answers.compactMap { $0["text"] as? String }
                        let starts = answers.compactMap { ($0["answer_start"] as? NSNumber)?.intValue }
                        examples.append(QuestionAnsweringExample(id: id, question: text, context: context, answers: texts,
                                                                 answerStarts: starts.count == texts.count ? starts : [], file: path))
                    }
                }
            }
            return examples
        }
        let lines = TextLines(data: data)
        var examples: [QuestionAnsweringExample] = []
        for (number, text) in lines.lines where !text.allSatisfy(\.isWhitespace) {
            guard let fields = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let question = fields["question"] as? String, let context = fields["context"] as? String else {
                issues.note(DataIssue.malformedLine, file: path, line: number, detail: "expected SQuAD JSON or JSON lines with question and context")
                continue
            }
            let answers = fields["answers"] as? [String: Any]
            let texts = answers?["text"] as? [String] ?? []
            let starts = (answers?["answer_start"] as? [NSNumber] ?? []).map(\.intValue)
            let id = (fields["id"] as? String) ?? "\(path):\(number)"
            examples.append(QuestionAnsweringExample(id: id, question: question, context: context, answers: texts,
                                                     answerStarts: starts.count == texts.count ? starts : [], file: path))
        }
        return examples
    }

    /// The scalar range of the first answer in the context: at `answerStarts[0]` when the text is there, else the
    /// occurrence nearest to it (CMRC 2018 has shifted starts), else nil.
    public var firstAnswerRange: Range<Int>? {
        guard let answer = answers.first, !answer.isEmpty else { return nil }
        let context = Array(self.context.unicodeScalars), target = Array(answer.unicodeScalars)
        func matches(at start: Int) -> Bool {
            start >= 0 && start + target.count <= context.count && context[start..<(start + target.count)].elementsEqual(target)
        }
        let hint = answerStarts.first ?? 0
        if matches(at: hint) { return hint..<(hint + target.count) }
        var best: Int?
        for start in 0...max(0, context.count - target.count) where matches(at: start) {
            if best == nil || abs(start - hint) < abs(best! - hint) { best = start }
        }
        return best.map { $0..<($0 + target.count) }
    }
}
