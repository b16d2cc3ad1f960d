import ErnieText
import Foundation

/// `ernie prepare`: PaddleNLP's `trans_to_json.py` + `create_pretraining_data.py` in one streaming pass — text or
/// JSON-lines files (optionally gzipped) in, `<prefix>_ids.npy` + `<prefix>_idx.npz` (or Megatron `.bin` + `.idx`)
/// out, byte-identical to PaddleNLP's files for the same documents.
///
///     let tables = try WholeWordTables(tokenizer: tokenizer, segmenter: JiebaSegmenter(), source: "vocab.txt")
///     var options = PrepareOptions()
///     options.splitSentences = true; options.chinese = true; options.wholeWordSegment = true
///     let statistics = try CorpusPreparer(inputPaths: ["corpus/"], outputPrefix: "data/corpus", tables: tables,
///                                         options: options).run()
///
/// Memory is bounded by a few batches of text per worker whatever the corpus size (one document is held whole).
/// Tokenizing runs on `options.workers` threads; documents keep their input order.
public struct CorpusPreparer {
    public let inputPaths: [String]
    public let outputPrefix: String
    public let tables: WholeWordTables
    public let options: PrepareOptions
    /// Scalars of text per batch handed to a worker (tests make it small to exercise ordering).
    var batchScalars = 1 << 16

    /// - Throws: `PrepareError.options` for flags that do not go together.
    public init(inputPaths: [String], outputPrefix: String, tables: WholeWordTables, options: PrepareOptions) throws {
        if options.splitSentences && !options.chinese {
            throw PrepareError.options(
                "--split_sentences without --chinese means NLTK's English punkt splitter in PaddleNLP, which ernie does not "
                    + "implement; add --chinese (a sentence per line) or drop --split_sentences (a document is one sentence)")
        }
        if options.wholeWordSegment && tables.segmenter == nil {
            throw PrepareError.options("--cn_whole_word_segment needs a word segmenter (jieba)")
        }
        guard options.workers >= 1 else { throw PrepareError.options("--workers must be at least 1") }
        guard !outputPrefix.isEmpty, !outputPrefix.hasSuffix("/") else {
            throw PrepareError.options("--output_prefix must name files, e.g. data/corpus (→ data/corpus_ids.npy)")
        }
        let dtype = TokenFileWriter.dtype(forVocabularySize: tables.vocabularySize)
        if dtype == .uint16 && tables.extendedVocabularySize > 65536 {
            throw PrepareError.tokenizer(
                path: "vocabulary",
                reason: "\(tables.vocabularySize) tokens plus \(tables.extendedVocabularySize - tables.vocabularySize) ##<CJK> "
                    + "ids do not fit the uint16 ids PaddleNLP picks for this vocabulary size; use a vocabulary of at most "
                    + "\(65536 - (tables.extendedVocabularySize - tables.vocabularySize)) tokens")
        }
        self.inputPaths = inputPaths
        self.outputPrefix = outputPrefix
        self.tables = tables
        self.options = options
    }

    /// Reads, tokenizes and writes the corpus.
    /// - Parameters:
    ///   - report: notes on skipped files and malformed lines (`path:line: …`).
    ///   - progress: a PaddleNLP-style progress line every `logInterval` documents (at most twice a second).
    public func run(report: @escaping (String) -> Void = { _ in }, progress: (String) -> Void = { _ in }) throws
        -> PrepareStatistics {
        let clock = ContinuousClock()
        let started = clock.now
        let discovered = try CorpusFile.discover(inputPaths, format: options.inputFormat)
        for path in discovered.skipped { report("Unexpected data format, skipped \(path)") }
        let totalInputBytes = discovered.files.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0)
        }
        let writer = try TokenFileWriter(outputPrefix: outputPrefix, vocabularySize: tables.vocabularySize,
                                         format: options.outputFormat)
        let reader = CorpusReader(files: discovered.files, options: options, batchScalars: batchScalars, report: report)
        let tables = self.tables
        let splitOnLines = options.splitSentences && options.chinese
        let pool = OrderedWorkers<DocumentBatch, EncodedBatch>(
            threads: options.workers, capacity: 4 * options.workers + 2
        ) { _ in
            var encoder = DocumentEncoder(tables: tables, splitSentencesOnLines: splitOnLines)
            return { batch in EncodedBatch(encoding: batch, with: &encoder) }
        }
        defer { pool.close() }

        var statistics = PrepareStatistics()
        var step = 0
        var lastProgress = started
        let logInterval = options.logInterval
        func deliver(_ encoded: EncodedBatch) throws {
            var offset = 0, sentence = 0
            for sentences in encoded.documentSentences {
                step += 1
                if sentences == 0 {
                    statistics.emptyDocuments += 1
                } else {
                    for _ in 0..<Int(sentences) {
                        let length = Int(encoded.sentenceLengths[sentence])
                        try writer.appendSentence(encoded.ids[offset..<offset + length])
                        offset += length
                        sentence += 1
                    }
                    try writer.endDocument()
                }
                if logInterval > 0 && step % logInterval == 0 && clock.now - lastProgress >= .milliseconds(500) {
                    lastProgress = clock.now
                    progress(progressLine(documents: step, textBytes: statistics.textBytes + encoded.utf8Bytes,
                                          elapsed: Self.seconds(clock.now - started),
                                          consumed: reader.consumedInputBytes, total: totalInputBytes))
                }
            }
            statistics.textBytes += encoded.utf8Bytes
        }
        try reader.read { batch in try pool.submit(batch, deliver: deliver) }
        try pool.finish(deliver: deliver)
        let summary = try writer.finish()
        Self.removeIndexMaps(of: outputPrefix)
        statistics.read = reader.statistics
        statistics.read.skippedFiles = discovered.skipped.count
        statistics.documents = summary.documents
        statistics.sentences = summary.sentences
        statistics.tokens = summary.tokens
        statistics.paths = summary.paths
        statistics.dtype = summary.dtype
        statistics.seconds = Self.seconds(clock.now - started)
        return statistics
    }

    /// Deletes the cached index maps (`<prefix>_<split>_indexmap_*.npy` and their `.source` stamps) of the token
    /// files just rewritten: they describe the old corpus.
    static func removeIndexMaps(of prefix: String) {
        let directory = (prefix as NSString).deletingLastPathComponent
        let base = (prefix as NSString).lastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        for name in names where name.hasPrefix(base + "_") && name.contains("_indexmap_")
            && (name.hasSuffix(".npy") || name.hasSuffix(".npy.source")) {
            let middle = name.dropFirst(base.count + 1).prefix { $0 != "_" }
            guard ["train", "valid", "test"].contains(String(middle)) else { continue }
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }

    /// `Processed 1200 documents (850.00 docs/s, 1.2345 MB/s), 37% of the input, ETA 0:12`.
    func progressLine(documents: Int, textBytes: Int, elapsed: Double, consumed: Int, total: Int) -> String {
        let megabytes = Double(textBytes) / 1024 / 1024
        var line = String(format: "Processed %d documents (%.2f docs/s, %.4f MB/s)", documents,
                          Double(documents) / max(elapsed, 1e-9), megabytes / max(elapsed, 1e-9))
        if total > 0 && consumed > 0 {
            let fraction = min(1, Double(consumed) / Double(total))
            let remaining = Int((elapsed / fraction - elapsed).rounded())
            line += String(format: ", %.0f%% of the input, ETA %d:%02d", fraction * 100, remaining / 60, remaining % 60)
        }
        return line + "."
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// One batch's ids: `ids` flat, `sentenceLengths` per sentence, `documentSentences` per input document (0 = no token).
struct EncodedBatch: Sendable {
    var ids: [Int32] = []
    var sentenceLengths: [Int32] = []
    var documentSentences: [Int32] = []
    var utf8Bytes = 0

    init(encoding batch: DocumentBatch, with encoder: inout DocumentEncoder) {
        ids.reserveCapacity(batch.scalars.count)
        documentSentences.reserveCapacity(batch.count)
        utf8Bytes = batch.utf8Bytes
        batch.scalars.withUnsafeBufferPointer { text in
            var start = 0
            for end in batch.ends {
                let sentences = encoder.encode(text, range: start..<end, ids: &ids, sentenceLengths: &sentenceLengths)
                documentSentences.append(Int32(sentences))
                start = end
            }
        }
    }
}
