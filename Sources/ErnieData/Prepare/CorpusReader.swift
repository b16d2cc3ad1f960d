import ErnieText

/// Documents as Unicode scalars, several per batch: document `k` is `scalars[ends[k - 1]..<ends[k]]` (from 0 for the
/// first). `utf8Bytes` counts the documents' UTF-8 bytes (PaddleNLP's "MB/s" measure).
struct DocumentBatch: Sendable {
    var scalars: [UInt32] = []
    var ends: [Int] = []
    var utf8Bytes = 0

    var count: Int { ends.count }
    var isEmpty: Bool { ends.isEmpty }
}

/// What reading the input found, besides the documents.
public struct ReadStatistics: Sendable, Equatable {
    /// Documents handed on for tokenizing.
    public var documents = 0
    /// Text documents of ≤ 10 characters (trans_to_json's `min_doc_length`), dropped.
    public var shortDocuments = 0
    /// Lines skipped because they were not UTF-8.
    public var invalidUTF8Lines = 0
    /// JSON lines skipped because they were malformed or had no string under the key.
    public var invalidJSONLines = 0
    /// Files read, and folder files skipped for an unknown format.
    public var files = 0
    public var skippedFiles = 0
    /// Bytes of the input files on disk (compressed size for `.gz`).
    public var inputBytes = 0
}

/// Turns input files into documents, as `trans_to_json.py` (text) and `create_pretraining_data.py` (JSON lines) read
/// them, in file order, and hands them on in batches. Malformed lines are reported as `path:line` and skipped (or,
/// with `strict`, stop the run).
final class CorpusReader {
    let files: [CorpusFile]
    let options: PrepareOptions
    let batchScalars: Int
    let report: (String) -> Void
    private(set) var statistics = ReadStatistics()
    /// Bytes on disk of the files finished so far, plus the current file's consumed bytes.
    var consumedInputBytes: Int { finishedFileBytes + (current?.consumedFileBytes ?? 0) }

    private var finishedFileBytes = 0
    private var current: CorpusFileReader?
    private var batch = DocumentBatch()
    private var documentStart = 0
    private var lineScalars = [UInt32]()
    private var jsonParser: JSONLineParser
    private var jsonText = [UInt32]()
    private var documentUTF8 = 0
    /// Reported problems beyond this many are only counted.
    private let reportLimit = 100
    private var reported = 0

    init(files: [CorpusFile], options: PrepareOptions, batchScalars: Int = 1 << 18, report: @escaping (String) -> Void) {
        self.files = files
        self.options = options
        self.batchScalars = batchScalars
        self.report = report
        jsonParser = JSONLineParser(key: options.jsonKey)
        statistics.files = files.count
    }

    /// Reads every file, calling `emit` with each full batch and once more with the rest.
    func read(emit: (DocumentBatch) throws -> Void) throws {
        for file in files {
            let reader = try CorpusFileReader(path: file.path, compressed: file.compressed)
            current = reader
            statistics.inputBytes += reader.fileSize
            switch file.kind {
            case .jsonl:
                try reader.forEachLine(universalNewlines: false) { line, bytes, _ in
                    try readJSONLine(path: file.path, line: line, bytes: bytes, emit: emit)
                }
            case .text, .peoplesDailyTagged, .lines:
                try reader.forEachLine(universalNewlines: true) { line, bytes, terminated in
                    try readTextLine(path: file.path, line: line, bytes: bytes, terminated: terminated, kind: file.kind,
                                     emit: emit)
                }
                try endTextDocument(emit: emit)
            }
            finishedFileBytes += reader.fileSize
            current = nil
        }
        if !batch.isEmpty { try emit(batch) }
        batch = DocumentBatch()
    }

    // MARK: - Lines

    private func decode(_ bytes: UnsafeBufferPointer<UInt8>, path: String, line: Int) throws -> Bool {
        if TextLines.decodeUTF8(bytes, into: &lineScalars) { return true }
        if options.strict { throw PrepareError.badRecord(path: path, line: line, reason: "invalid UTF-8") }
        statistics.invalidUTF8Lines += 1
        note("\(path):\(line): invalid UTF-8, line skipped")
        return false
    }

    private func note(_ message: String) {
        reported += 1
        if reported <= reportLimit {
            report(message)
        } else if reported == reportLimit + 1 {
            report("(further malformed lines are counted, not listed)")
        }
    }

    private func readJSONLine(path: String, line: Int, bytes: UnsafeBufferPointer<UInt8>,
                              emit: (DocumentBatch) throws -> Void) throws {
        guard try decode(bytes, path: path, line: line) else { return }
        if lineScalars.allSatisfy({ PythonWhitespace.isSpace($0) }) { return }  // blank line: no record
        let failure: JSONLineParser.Failure? = lineScalars.withUnsafeBufferPointer { line in
            do throws(JSONLineParser.Failure) {
                try jsonParser.extract(from: line, into: &jsonText)
                return nil
            } catch {
                return error
            }
        }
        if let error = failure {
            if options.strict {
                throw PrepareError.badRecord(path: path, line: line, reason: "invalid JSON at column \(error.column): \(error.reason)")
            }
            statistics.invalidJSONLines += 1
            note("\(path):\(line): invalid JSON at column \(error.column): \(error.reason); line skipped")
            return
        }
        batch.scalars.append(contentsOf: jsonText)
        batch.utf8Bytes += Self.utf8Count(jsonText)
        batch.ends.append(batch.scalars.count)
        statistics.documents += 1
        try emitIfFull(emit)
    }

    private func readTextLine(path: String, line: Int, bytes: UnsafeBufferPointer<UInt8>, terminated: Bool,
                              kind: CorpusFile.Kind, emit: (DocumentBatch) throws -> Void) throws {
        guard try decode(bytes, path: path, line: line) else { return }
        if kind != .text {
            // Each line is a paragraph: a document of its own.
            let line = String(decoding: lineScalars)
            let text = kind == .lines
                ? PeoplesDailyTagged.documentText(line: line, breakSentences: options.breakTaggedSentences)
                : PeoplesDailyTagged.documentText(taggedLine: line, breakSentences: options.breakTaggedSentences)
            batch.scalars.append(contentsOf: text.unicodeScalars.map(\.value))
            documentUTF8 += text.utf8.count
            try endTextDocument(emit: emit)
            return
        }
        if lineScalars.allSatisfy({ PythonWhitespace.isSpace($0) }) {
            try endTextDocument(emit: emit)
            return
        }
        batch.scalars.append(contentsOf: lineScalars)
        documentUTF8 += bytes.count
        if terminated {
            batch.scalars.append(0x0A)
            documentUTF8 += 1
        }
    }

    /// trans_to_json: a document of more than 10 characters is written, a shorter one dropped.
    private func endTextDocument(emit: (DocumentBatch) throws -> Void) throws {
        let length = batch.scalars.count - documentStart
        defer { documentUTF8 = 0 }
        guard length > 0 else { return }
        if length <= 10 {
            batch.scalars.removeLast(length)
            statistics.shortDocuments += 1
            return
        }
        batch.ends.append(batch.scalars.count)
        batch.utf8Bytes += documentUTF8
        statistics.documents += 1
        try emitIfFull(emit)
    }

    private func emitIfFull(_ emit: (DocumentBatch) throws -> Void) throws {
        if batch.scalars.count >= batchScalars {
            let full = batch
            batch = DocumentBatch()
            batch.scalars.reserveCapacity(batchScalars + batchScalars / 4)
            try emit(full)
        }
        documentStart = batch.scalars.count
    }

    static func utf8Count(_ scalars: [UInt32]) -> Int {
        var count = 0
        for value in scalars { count += value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4 }
        return count
    }
}
