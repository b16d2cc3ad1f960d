/// One token-classification example (NER): tokens (characters, for Chinese) and one label per token.
public struct TokenClassificationExample: Equatable, Sendable {
    public var tokens: [String]
    /// Same count as `tokens`; empty for unlabelled input.
    public var labels: [String]
    /// Where it came from: file and the 1-based line of its first token.
    public var file: String
    public var line: Int

    public init(tokens: [String], labels: [String], file: String = "", line: Int = 0) {
        precondition(labels.isEmpty || labels.count == tokens.count, "\(tokens.count) tokens but \(labels.count) labels")
        self.tokens = tokens
        self.labels = labels
        self.file = file
        self.line = line
    }

    /// Reads a CoNLL-style file: one token per line as `token label` (columns separated by spaces or tabs; the first
    /// column is the token and the last the label, middle columns are ignored), a blank line between sentences,
    /// `-DOCSTART-` lines skipped. A line with a single column is a token without a label; a file must be all labelled
    /// or all unlabelled. Errors name the file and line.
    public static func readCoNLL(path: String) throws -> [TokenClassificationExample] {
        let lines = try TextLines(path: path)
        try lines.requireValidUTF8(file: path)
        var examples: [TokenClassificationExample] = []
        var tokens: [String] = [], labels: [String] = [], firstLine = 0
        var labelled: Bool?
        func finish() {
            if !tokens.isEmpty { examples.append(TokenClassificationExample(tokens: tokens, labels: labels, file: path, line: firstLine)) }
            tokens = []; labels = []
        }
        for (number, text) in lines.lines {
            let columns = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if columns.isEmpty { finish(); continue }
            if columns[0].hasPrefix("-DOCSTART-") { finish(); continue }
            let hasLabel = columns.count > 1
            if let labelled, labelled != hasLabel {
                throw DatasetError(file: path, line: number, hasLabel
                    ? "a labelled token in an unlabelled file" : "a token without a label (expected \"token label\")")
            }
            labelled = hasLabel
            if tokens.isEmpty { firstLine = number }
            tokens.append(String(columns[0]))
            if hasLabel { labels.append(String(columns[columns.count - 1])) }
        }
        finish()
        return examples
    }

    /// The example in CoNLL form: `token label` lines followed by one blank line. Tokens must not contain spaces, tabs
    /// or newlines (they would change the columns).
    public var conllLines: String {
        var out = ""
        for (i, token) in tokens.enumerated() {
            precondition(!token.isEmpty && !token.contains(where: { $0 == " " || $0 == "\t" || $0.isNewline }),
                         "token \(i) of line \(line) cannot be written in CoNLL form: \(token.debugDescription)")
            out += labels.isEmpty ? token + "\n" : token + " " + labels[i] + "\n"
        }
        return out + "\n"
    }
}
