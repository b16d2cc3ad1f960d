import Foundation

/// A tokenized corpus on disk, memory-mapped: token ids of every sentence concatenated, sentence lengths, and the
/// document → sentence index. Reads PaddleNLP's `<prefix>_ids.npy` + `<prefix>_idx.npz` pair, or (when that pair is
/// absent) Megatron's `<prefix>.bin` + `<prefix>.idx`.
///
/// Only `O(sentences / 64)` words are kept in RAM (token offsets of every 64th sentence); everything else stays in
/// the page cache. Immutable and `Sendable`: prefetch threads share one instance.
public final class TokenCorpus: Sendable {
    public enum Format: String, Sendable { case paddleNumpy = "npy/npz", megatron = "bin/idx" }

    public let prefix: String
    public let format: Format
    public let tokenIds: TokenIds
    /// Tokens per sentence. Shape `[sentenceCount]`.
    public let sentenceLengths: MappedArray<Int32>
    /// `documentStarts[d] ..< documentStarts[d + 1]` are document d's sentences. Shape `[documentCount + 1]`.
    public let documentStarts: MappedArray<Int64>
    /// Token offset of sentence `64 k` (npy/npz format; Megatron stores per-sentence byte pointers instead).
    private let offsetCheckpoints: [Int64]
    private let megatronPointers: MappedArray<Int64>?

    public var sentenceCount: Int { sentenceLengths.count }
    public var documentCount: Int { documentStarts.count - 1 }
    public var tokenCount: Int { tokenIds.count }
    /// The file errors about token ids name.
    public var idsPath: String { format == .paddleNumpy ? prefix + "_ids.npy" : prefix + ".bin" }

    private static let checkpointShift = 6

    /// Opens `prefix` in whichever format exists. - Throws: `DataError` naming the missing or malformed file.
    public init(prefix: String) throws {
        let fileManager = FileManager.default
        let idsPath = prefix + "_ids.npy", indexPath = prefix + "_idx.npz"
        let binPath = prefix + ".bin", idxPath = prefix + ".idx"
        self.prefix = prefix
        if fileManager.fileExists(atPath: idsPath) || fileManager.fileExists(atPath: indexPath) {
            for path in [idsPath, indexPath] where !fileManager.fileExists(atPath: path) {
                throw DataError.io(path: path, reason: "missing (a PaddleNLP corpus is a <prefix>_ids.npy + <prefix>_idx.npz pair)")
            }
            format = .paddleNumpy
            let ids = try NumpyArray(contentsOf: idsPath)
            try ids.requireShape(rank: 1)
            tokenIds = try TokenIds(
                file: ids.file, byteOffset: ids.startOffset + ids.header.dataOffset, count: ids.elementCount,
                dtype: ids.dtype, name: idsPath)
            let archive = try NumpyZipArchive(contentsOf: indexPath)
            let lens = try archive.array(named: "lens"), docs = try archive.array(named: "docs")
            try lens.requireShape(rank: 1)
            try docs.requireShape(rank: 1)
            sentenceLengths = try lens.elements(as: Int32.self)
            documentStarts = try docs.elements(as: Int64.self)
            megatronPointers = nil
            offsetCheckpoints = try Self.checkpoints(sentenceLengths, tokenCount: tokenIds.count, name: indexPath, idsPath: idsPath)
        } else if fileManager.fileExists(atPath: binPath) || fileManager.fileExists(atPath: idxPath) {
            format = .megatron
            let index = try MegatronIndex(path: idxPath)
            let bin = try MappedFile(path: binPath)
            guard bin.byteCount % index.dtype.size == 0 else {
                throw DataError.malformed(path: binPath, reason: "size \(bin.byteCount) is not a multiple of \(index.dtype.size)-byte ids")
            }
            tokenIds = try TokenIds(file: bin, byteOffset: 0, count: bin.byteCount / index.dtype.size, dtype: index.dtype, name: binPath)
            sentenceLengths = index.sizes
            documentStarts = index.documentIndex
            megatronPointers = index.pointers
            offsetCheckpoints = []
            try index.checkSentences(tokenCount: tokenIds.count, path: idxPath, binPath: binPath)
        } else {
            throw DataError.io(
                path: prefix, reason: "no corpus: expected \(idsPath) + \(indexPath) (PaddleNLP) or \(binPath) + \(idxPath) (Megatron)")
        }
        try validateDocuments(name: format == .paddleNumpy ? indexPath : idxPath)
    }

    /// Sums sentence lengths into per-64 checkpoints; checks lengths are ≥ 0 and add up to the ids file.
    private static func checkpoints(_ lengths: MappedArray<Int32>, tokenCount: Int, name: String, idsPath: String) throws -> [Int64] {
        var checkpoints = [Int64]()
        checkpoints.reserveCapacity(lengths.count >> checkpointShift + 2)
        var total: Int64 = 0
        for index in 0..<lengths.count {
            if index & ((1 << checkpointShift) - 1) == 0 { checkpoints.append(total) }
            let length = lengths[index]
            guard length >= 0 else { throw DataError.malformed(path: name, reason: "lens[\(index)] = \(length) is negative") }
            total += Int64(length)
        }
        checkpoints.append(total)
        guard total == Int64(tokenCount) else {
            throw DataError.malformed(
                path: name, reason: "sentence lengths add up to \(total) tokens but \(idsPath) holds \(tokenCount): the files do not belong together")
        }
        return checkpoints
    }

    /// PaddleNLP's load check (`len(lens) == docs[-1]`) plus monotonic document starts from 0.
    private func validateDocuments(name: String) throws {
        guard documentStarts.count >= 1 else { throw DataError.malformed(path: name, reason: "empty document index") }
        guard documentStarts[0] == 0, documentStarts[documentStarts.count - 1] == Int64(sentenceCount) else {
            throw DataError.malformed(
                path: name,
                reason: "document index runs \(documentStarts[0])…\(documentStarts[documentStarts.count - 1]), expected 0…\(sentenceCount) (the sentence count)")
        }
        var previous: Int64 = 0
        for index in 1..<documentStarts.count {
            let start = documentStarts[index]
            guard start >= previous else {
                throw DataError.malformed(path: name, reason: "document index decreases at entry \(index)")
            }
            previous = start
        }
    }

    /// Token offset where sentence `sentence` starts (`sentence == sentenceCount` gives the end).
    @inline(__always)
    public func tokenOffset(ofSentence sentence: Int) -> Int {
        if let pointers = megatronPointers {
            if sentence == sentenceCount { return sentence == 0 ? 0 : tokenOffset(ofSentence: sentence - 1) + Int(sentenceLengths[sentence - 1]) }
            return Int(pointers[sentence]) / tokenIds.dtype.size
        }
        let block = sentence >> Self.checkpointShift
        var offset = offsetCheckpoints[block]
        var index = block << Self.checkpointShift
        while index < sentence {
            offset += Int64(sentenceLengths[index])
            index += 1
        }
        return Int(offset)
    }

    /// Appends the ids of sentence `sentence` to `output`.
    public func appendTokens(ofSentence sentence: Int, to output: inout [Int32]) {
        let start = tokenOffset(ofSentence: sentence)
        tokenIds.append(start..<(start + Int(sentenceLengths[sentence])), to: &output)
    }

    /// Checks every id is in `0 ..< idCount` (the vocabulary plus its `##<CJK>` extension).
    /// - Throws: `DataError.vocabularyMismatch` naming the ids file, the id range found and the vocabulary size.
    public func validateTokenIds(idCount: Int, vocabularyDescription: String) throws {
        guard let (minimum, maximum) = tokenIds.extrema() else { return }
        if minimum < 0 || maximum >= Int64(idCount) {
            throw DataError.vocabularyMismatch(
                path: idsPath,
                reason: "ids span \(minimum)…\(maximum) but \(vocabularyDescription) defines ids 0…\(idCount - 1); "
                    + "use the vocab.txt the corpus was prepared with (or re-run `ernie prepare` with this one)")
        }
    }
}
