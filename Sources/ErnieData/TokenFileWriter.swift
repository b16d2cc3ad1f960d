import ErnieBasics
/// Streams a tokenized corpus to disk in PaddleNLP's layout (`<prefix>_ids.npy` + `<prefix>_idx.npz`, byte-identical
/// to `create_pretraining_data.py`'s output for the same ids) or Megatron's (`<prefix>.bin` + `<prefix>.idx`).
///
/// Memory stays constant: ids go straight to the final file behind a placeholder `.npy` header (numpy's 1-D header
/// has a fixed length, so the real one is written in place at the end); sentence lengths and document ends go to
/// temporary files. Every output appears atomically on `finish()` (the index file last); an unfinished writer leaves
/// nothing behind. Empty sentences and documents are skipped, as PaddleNLP does.
///
/// One owner at a time (not `Sendable`): tokenizer threads hand finished documents to a single writer.
public final class TokenFileWriter {
    public enum Format: Sendable { case paddleNumpy, megatron }

    /// What `finish()` wrote.
    public struct Summary: Sendable, Equatable {
        public var paths: [String]
        public var dtype: NumpyDType
        public var tokens: Int
        public var sentences: Int
        public var documents: Int
    }

    public let outputPrefix: String
    public let format: Format
    /// uint16 when the vocabulary has fewer than 65535 entries (PaddleNLP's rule), else int32.
    public let dtype: NumpyDType

    private let idsOutput: AtomicFile
    private let idsWriter: BinaryFileWriter
    private let lengthsOutput: AtomicFile
    private let lengthsWriter: BinaryFileWriter
    private let documentsOutput: AtomicFile
    private let documentsWriter: BinaryFileWriter
    private var headerLength = 0
    private var tokens = 0
    private var sentences = 0
    private var documents = 0
    private var sentencesAtLastDocument = 0
    private var finished = false
    private var conversion: [UInt16] = []

    /// The id dtype PaddleNLP picks for a vocabulary of `vocabularySize` entries (before the `##<CJK>` extension).
    public static func dtype(forVocabularySize vocabularySize: Int) -> NumpyDType {
        vocabularySize < 65535 ? .uint16 : .int32
    }

    /// - Parameters:
    ///   - outputPrefix: e.g. `out/corpus` → `out/corpus_ids.npy`, `out/corpus_idx.npz` (folders are created).
    ///   - vocabularySize: lines of vocab.txt, which picks the id dtype.
    public init(outputPrefix: String, vocabularySize: Int, format: Format = .paddleNumpy) throws {
        self.outputPrefix = outputPrefix
        self.format = format
        dtype = Self.dtype(forVocabularySize: vocabularySize)
        let idsPath = format == .paddleNumpy ? outputPrefix + "_ids.npy" : outputPrefix + ".bin"
        let indexPath = format == .paddleNumpy ? outputPrefix + "_idx.npz" : outputPrefix + ".idx"
        idsOutput = try AtomicFile(path: idsPath, createFolders: true)
        idsWriter = try BinaryFileWriter(path: idsOutput.temporaryPath)
        lengthsOutput = try AtomicFile(path: indexPath + ".lens", createFolders: true)
        lengthsWriter = try BinaryFileWriter(path: lengthsOutput.temporaryPath)
        documentsOutput = try AtomicFile(path: indexPath + ".docs", createFolders: true)
        documentsWriter = try BinaryFileWriter(path: documentsOutput.temporaryPath)
        if format == .paddleNumpy {
            let placeholder = NumpyHeader.encode(dtype: dtype, shape: [0])
            headerLength = placeholder.count
            try idsWriter.write(placeholder)
        }
        try documentsWriter.write(Int64(0))
    }

    /// Appends one sentence's ids (skipped when empty).
    /// - Throws: `DataError.invalidArgument` when an id does not fit the file's dtype.
    public func appendSentence<C: Collection>(_ ids: C) throws where C.Element: BinaryInteger {
        precondition(!finished, "appendSentence after finish")
        guard !ids.isEmpty else { return }
        let limit: Int64 = dtype == .uint16 ? 65535 : Int64(Int32.max)
        for id in ids where id < 0 || Int64(id) > limit {
            throw DataError.invalidArgument(
                name: "token id", reason: "\(id) in sentence \(sentences) does not fit \(dtype.descr) (ids must be 0…\(limit))")
        }
        if dtype == .uint16 {
            conversion.removeAll(keepingCapacity: true)
            for id in ids { conversion.append(UInt16(truncatingIfNeeded: id)) }
            try conversion.withUnsafeBufferPointer { try idsWriter.write(contentsOf: $0) }
        } else {
            for id in ids { try idsWriter.write(Int32(truncatingIfNeeded: id)) }
        }
        try lengthsWriter.write(Int32(ids.count))
        tokens += ids.count
        sentences += 1
    }

    /// Closes the current document (no-op when it has no sentence).
    public func endDocument() throws {
        precondition(!finished, "endDocument after finish")
        guard sentences > sentencesAtLastDocument else { return }
        try documentsWriter.write(Int64(sentences))
        sentencesAtLastDocument = sentences
        documents += 1
    }

    /// Ends the last document, writes the index, and moves every file into place.
    public func finish() throws -> Summary {
        precondition(!finished, "finish twice")
        try endDocument()
        finished = true
        try lengthsWriter.closeFile()
        try documentsWriter.closeFile()
        let indexPath: String
        if format == .paddleNumpy {
            let header = NumpyHeader.encode(dtype: dtype, shape: [tokens])
            precondition(header.count == headerLength, "1-D npy header length changed")
            try idsWriter.rewrite(header, at: 0)
            indexPath = outputPrefix + "_idx.npz"
            try idsWriter.closeFile()
            try idsOutput.commit()
            try NumpyZip.write(
                [
                    NumpyZipMember(name: "lens", dtype: .int32, shape: [sentences], payload: .file(path: lengthsOutput.temporaryPath)),
                    NumpyZipMember(name: "docs", dtype: .int64, shape: [documents + 1], payload: .file(path: documentsOutput.temporaryPath)),
                ],
                to: indexPath)
            lengthsOutput.discard()
            documentsOutput.discard()
            return Summary(paths: [outputPrefix + "_ids.npy", indexPath], dtype: dtype, tokens: tokens, sentences: sentences, documents: documents)
        }
        indexPath = outputPrefix + ".idx"
        try idsWriter.closeFile()
        try idsOutput.commit()
        try MegatronIndexWriter.write(
            path: indexPath, dtype: dtype, lengthsPath: lengthsOutput.temporaryPath, sentences: sentences,
            documentsPath: documentsOutput.temporaryPath, documentEntries: documents + 1)
        lengthsOutput.discard()
        documentsOutput.discard()
        return Summary(paths: [outputPrefix + ".bin", indexPath], dtype: dtype, tokens: tokens, sentences: sentences, documents: documents)
    }
}

/// Writes a Megatron `.idx` from streamed sentence lengths and document ends.
enum MegatronIndexWriter {
    static func write(path: String, dtype: NumpyDType, lengthsPath: String, sentences: Int, documentsPath: String, documentEntries: Int) throws {
        let output = try AtomicFile(path: path, createFolders: true)
        let writer = try BinaryFileWriter(path: output.temporaryPath)
        try writer.write(MegatronIndex.magic)
        try writer.write(UInt64(1))
        try writer.write(dtype.megatronCode)
        try writer.write(UInt64(sentences))
        try writer.write(UInt64(documentEntries))
        let lengths = try MappedFile(path: lengthsPath)
        try writer.write(lengths.bytes(offset: 0, count: lengths.byteCount))
        var address: Int64 = 0
        for index in 0..<sentences {
            try writer.write(address)
            address += Int64(lengths.load(Int32.self, at: 4 * index)) * Int64(dtype.size)
        }
        let documents = try MappedFile(path: documentsPath)
        try writer.write(documents.bytes(offset: 0, count: documents.byteCount))
        try writer.closeFile()
        try output.commit()
    }
}
