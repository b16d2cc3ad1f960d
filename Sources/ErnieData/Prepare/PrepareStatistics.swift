import Foundation

/// The outcome of `CorpusPreparer.run`.
public struct PrepareStatistics: Sendable, Equatable {
    public var read = ReadStatistics()
    /// Written to the token files.
    public var documents = 0
    public var sentences = 0
    public var tokens = 0
    /// Documents that gave no token (empty text, or only whitespace), dropped as PaddleNLP drops them.
    public var emptyDocuments = 0
    /// UTF-8 bytes of the documents' text (PaddleNLP's measure for MB/s).
    public var textBytes = 0
    public var seconds = 0.0
    public var paths: [String] = []
    public var dtype: NumpyDType = .uint16

    /// PaddleNLP's closing lines (`Total sentences num: …`), then what ernie skipped.
    public var summaryLines: [String] {
        var lines = [
            "Total sentences num: \(sentences)",
            "Total documents num: \(documents)",
            "Total tokens num: \(tokens)",
            String(format: "Average tokens per sentence: %.2f", sentences > 0 ? Double(tokens) / Double(sentences) : 0),
            String(format: "Average tokens per document: %.2f", documents > 0 ? Double(tokens) / Double(documents) : 0),
        ]
        lines.append(String(format: "Read %d file(s), %.2f MB of text in %.2f s (%.2f MB/s)", read.files,
                            Double(textBytes) / 1e6, seconds, seconds > 0 ? Double(textBytes) / 1e6 / seconds : 0))
        var dropped = [String]()
        if read.shortDocuments > 0 { dropped.append("\(read.shortDocuments) text document(s) of ≤ 10 characters") }
        if emptyDocuments > 0 { dropped.append("\(emptyDocuments) empty document(s)") }
        if read.invalidUTF8Lines > 0 { dropped.append("\(read.invalidUTF8Lines) line(s) of invalid UTF-8") }
        if read.invalidJSONLines > 0 { dropped.append("\(read.invalidJSONLines) invalid JSON line(s)") }
        if read.skippedFiles > 0 { dropped.append("\(read.skippedFiles) file(s) of unknown format") }
        if !dropped.isEmpty { lines.append("Skipped: " + dropped.joined(separator: ", ")) }
        lines.append("Wrote \(paths.joined(separator: ", ")) (ids \(dtype == .uint16 ? "uint16" : "int32"))")
        return lines
    }
}
