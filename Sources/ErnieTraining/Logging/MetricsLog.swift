import Foundation

/// The run's metrics as JSON lines: `<output_dir>/logs/metrics.jsonl`, one object per logged step
/// (`step`, `loss`, `lm_loss`, `sop_loss`, `lr`, `tokens_per_s`; evaluation rows `eval_loss`, `eval_ppl` …).
///
/// Each row is one `write(2)` of a whole line, so a killed run keeps every row written before it died. Resuming from a
/// checkpoint at step s drops rows with step > s (written after that checkpoint), so the resumed log has no duplicates.
/// Not thread-safe: call from the training loop only (rank 0).
public final class MetricsLog {
    /// `<output_dir>/logs/metrics.jsonl`.
    public let fileURL: URL
    private let handle: FileHandle

    /// Opens the log of the run in `outputDirectory`.
    /// - Parameter resumingAfterStep: nil for a new run (an existing log is replaced); the checkpoint's step when
    ///   resuming (rows with a larger step, and a torn last line, are dropped; the others are kept as they were).
    public init(outputDirectory: URL, resumingAfterStep: Int? = nil) throws {
        let directory = outputDirectory.appendingPathComponent("logs")
        fileURL = directory.appendingPathComponent("metrics.jsonl")
        try LoggingFiles.createDirectory(directory)
        if let step = resumingAfterStep, FileManager.default.fileExists(atPath: fileURL.path) {
            try Self.truncate(fileURL, keepingStepsThrough: step)
        } else {
            try LoggingFiles.writeAtomically([], to: fileURL)
        }
        handle = try LoggingFiles.openForAppending(fileURL)
    }

    /// Appends `row` as one line. Non-finite numbers are written as null.
    public func append(_ row: MetricsRow) throws {
        try LoggingFiles.write(Array((row.jsonLine + "\n").utf8), to: handle, path: fileURL)
    }

    /// Every row of a metrics log. A last line without its newline that does not parse (the run died mid-write) is
    /// ignored; any other malformed line throws with its line number.
    public static func readRows(at url: URL) throws -> [MetricsRow] {
        try parsedLines(LoggingFiles.read(url), path: url).map(\.row)
    }

    /// Rewrites the log keeping only rows with step ≤ `step` (rows without a step are kept), each byte-identical.
    static func truncate(_ url: URL, keepingStepsThrough step: Int) throws {
        let bytes = try LoggingFiles.read(url)
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count)
        for line in try parsedLines(bytes, path: url) where (line.row.step ?? Int.min) <= step {
            kept.append(contentsOf: bytes[line.range])
            kept.append(0x0A)
        }
        if kept != bytes { try LoggingFiles.writeAtomically(kept, to: url) }
    }

    private static func parsedLines(_ bytes: [UInt8], path: URL) throws -> [(row: MetricsRow, range: Range<Int>)] {
        var lines: [(row: MetricsRow, range: Range<Int>)] = []
        var start = 0, lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let range = start..<end
            start = end + 1
            let text = String(decoding: bytes[range], as: UTF8.self)
            if text.allSatisfy(\.isWhitespace) { continue }
            do {
                lines.append((try MetricsRow(jsonLine: text), range))
            } catch let error as MetricsParseError {
                if end == bytes.count { break }  // torn last line of a killed run
                throw LoggingFileError(path: "\(path.path):\(lineNumber)", reason: "not a metrics row: \(error)")
            }
        }
        return lines
    }
}
