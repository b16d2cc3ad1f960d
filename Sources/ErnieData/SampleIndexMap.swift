import ErnieBasics
import ErnieText
import Foundation

/// Settings of PaddleNLP's sample index (`data_tools/helpers.cpp::build_mapping`).
public struct SampleIndexSettings: Sendable, Equatable {
    /// Stop adding epochs once this many samples exist (PaddleNLP's `max_num_samples`).
    public var maxNumSamples: Int
    /// Target sample length without [CLS]/[SEP]s: `max_seq_len − 3`.
    public var maxSeqLength: Int
    /// Probability of a shorter random target length (`--short_seq_prob`, 0.1).
    public var shortSeqProb: Double
    public var seed: Int32
    /// 2 with a sentence-pair head (SOP/NSP), else 1.
    public var minSentences: Int

    /// The most samples an index may hold (its rows are built in memory).
    public static let maxNumSamplesLimit = 1 << 33

    public init(maxNumSamples: Int, maxSeqLength: Int, shortSeqProb: Double, seed: Int32, minSentences: Int) {
        self.maxNumSamples = maxNumSamples
        self.maxSeqLength = maxSeqLength
        self.shortSeqProb = shortSeqProb
        self.seed = seed
        self.minSentences = minSentences
    }

    /// PaddleNLP's cache file name: `{prefix}_{split}_indexmap_{N}mns_{msl}msl_{ssp:.2f}ssp_{seed}s.npy`.
    public func cacheFileName(prefix: String, splitName: String) -> String {
        prefix + "_\(splitName)_indexmap_\(maxNumSamples)mns_\(maxSeqLength)msl_"
            + String(format: "%.2f", shortSeqProb) + "ssp_\(seed)s.npy"
    }
}

/// What the index builder saw in a split's documents (PaddleNLP prints the same counts).
public struct DocumentStatistics: Sendable, Equatable {
    public var documents = 0
    public var emptyDocuments = 0
    public var oneSentenceDocuments = 0
    /// Multi-sentence documents holding a sentence longer than 512 tokens (skipped, as PaddleNLP does).
    public var longSentenceDocuments = 0
    /// Documents that produce samples.
    public var usableDocuments = 0
    public var epochs = 0
    public var samples = 0
}

/// The sample index of one split: row i = (first sentence, end sentence (exclusive), target length), shuffled.
/// Built exactly as PaddleNLP's C++ helper does (std::mt19937 targets, std::mt19937_64 shuffle), cached on disk under
/// PaddleNLP's file name, and memory-mapped when loaded from the cache.
public struct SampleIndexMap: Sendable {
    enum Rows: Sendable {
        case mapped32(MappedArray<UInt32>)
        case mapped64(MappedArray<UInt64>)
        case memory32([UInt32])
        case memory64([UInt64])
    }

    let rows: Rows
    /// Where the map lives on disk (nil when kept in memory only).
    public let path: String?
    /// Statistics of the build (nil when loaded from a cache file).
    public let statistics: DocumentStatistics?

    /// Number of samples.
    public var count: Int {
        switch rows {
        case .mapped32(let a): a.count / 3
        case .mapped64(let a): a.count / 3
        case .memory32(let a): a.count / 3
        case .memory64(let a): a.count / 3
        }
    }

    /// Row `index`: sentences `start ..< end` of the corpus, and the sample's target length.
    @inline(__always)
    public subscript(index: Int) -> (start: Int, end: Int, targetLength: Int) {
        switch rows {
        case .mapped32(let a): (Int(a[3 * index]), Int(a[3 * index + 1]), Int(a[3 * index + 2]))
        case .mapped64(let a): (Int(a[3 * index]), Int(a[3 * index + 1]), Int(a[3 * index + 2]))
        case .memory32(let a): (Int(a[3 * index]), Int(a[3 * index + 1]), Int(a[3 * index + 2]))
        case .memory64(let a): (Int(a[3 * index]), Int(a[3 * index + 1]), Int(a[3 * index + 2]))
        }
    }

    /// Every row as UInt64 triples, flattened (for tests and tools).
    public func flattened() -> [UInt64] {
        (0..<count).flatMap { index -> [UInt64] in
            let row = self[index]
            return [UInt64(row.start), UInt64(row.end), UInt64(row.targetLength)]
        }
    }

    init(rows: Rows, path: String?, statistics: DocumentStatistics?) {
        self.rows = rows
        self.path = path
        self.statistics = statistics
    }

    /// Maps a cached index file. - Throws: `DataError` naming the file if it is not an `[n, 3]` uint32/uint64 array.
    public init(contentsOf path: String) throws {
        let array = try NumpyArray(contentsOf: path)
        try array.requireShape(rank: 2, columns: 3)
        switch array.dtype {
        case .uint32: rows = .mapped32(try array.elements(as: UInt32.self))
        case .uint64: rows = .mapped64(try array.elements(as: UInt64.self))
        default:
            throw DataError.malformed(path: path, reason: "index map of \(array.dtype.descr); expected <u4 or <u8 (delete it to rebuild)")
        }
        self.path = path
        statistics = nil
    }

    /// Loads the cached map for these settings when present, else builds it and writes the cache atomically
    /// (a folder that cannot be written leaves the map in memory, reported through `warnings`).
    /// - Parameter cachePrefix: where the cache file goes (PaddleNLP: the corpus prefix itself).
    /// - Parameter waitSeconds: when set, this process does not build: it waits up to that long for another rank to
    ///   publish the cache file (PaddleNLP: local rank 0 builds, the others poll).
    public static func loadOrBuild(
        corpus: TokenCorpus, documents: Range<Int>, splitName: String, settings: SampleIndexSettings,
        cachePrefix: String?, waitSeconds: Double? = nil, warnings: inout [String]
    ) throws -> SampleIndexMap {
        let cachePath = cachePrefix.map { settings.cacheFileName(prefix: $0, splitName: splitName) }
        let fingerprint = Self.fingerprint(corpus: corpus, documents: documents)
        let stampPath = cachePath.map { $0 + ".source" }
        func recordedFingerprint() -> String? { stampPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } }
        if let cachePath, let waitSeconds {
            // The building rank publishes the map, then its stamp: wait for this corpus's.
            let deadline = Date().addingTimeInterval(waitSeconds)
            while !(FileManager.default.fileExists(atPath: cachePath) && recordedFingerprint() == fingerprint) {
                guard Date() < deadline else {
                    throw DataError.io(path: cachePath, reason: "not published by the building rank within \(Int(waitSeconds)) s")
                }
                usleep(100_000)
            }
        }
        if let cachePath, FileManager.default.fileExists(atPath: cachePath) {
            // A map ernie cached names the corpus it came from; PaddleNLP's carry no stamp and are checked row by row.
            let recorded = recordedFingerprint()
            if recorded == nil || recorded == fingerprint {
                let cached = try SampleIndexMap(contentsOf: cachePath)
                if let problem = cached.problem(corpus: corpus, documents: documents, maxSeqLength: settings.maxSeqLength) {
                    warnings.append("\(cachePath): \(problem); rebuilding it")
                } else {
                    return cached
                }
            } else {
                warnings.append("\(cachePath) was built from other token files than \(corpus.prefix) holds now; rebuilding it")
            }
        }
        let built = try build(corpus: corpus, documents: documents, settings: settings)
        guard let cachePath, let stampPath else { return built }
        do {
            switch built.rows {
            case .memory32(let rows): try NumpyFile.write(rows, shape: [rows.count / 3, 3], to: cachePath, sync: false)
            case .memory64(let rows): try NumpyFile.write(rows, shape: [rows.count / 3, 3], to: cachePath, sync: false)
            default: return built
            }
            try AtomicFile.write(Array(fingerprint.utf8), to: URL(fileURLWithPath: stampPath))
            return SampleIndexMap(rows: try SampleIndexMap(contentsOf: cachePath).rows, path: cachePath, statistics: built.statistics)
        } catch {
            warnings.append("could not cache the \(splitName) index map (\(error)); keeping it in memory")
            return built
        }
    }

    /// What a cached map was derived from: a digest of the corpus's sentence lengths and document starts, and the
    /// split's documents. Written beside the map (`<map>.source`); a map whose stamp differs is rebuilt.
    static func fingerprint(corpus: TokenCorpus, documents: Range<Int>) -> String {
        var hasher = FNV1a64()
        for array in [corpus.sentenceLengths.rawBytes, corpus.documentStarts.rawBytes] { hasher.combine(array) }
        return "fnv1a64 \(String(hasher.value, radix: 16)) tokens \(corpus.tokenCount) sentences \(corpus.sentenceCount) documents \(documents.lowerBound)..<\(documents.upperBound)\n"
    }

    /// Why this map cannot be `corpus`'s for `documents`, or nil: every row must be a non-empty run of sentences
    /// inside one of those documents, with a target length of 1 ... `maxSeqLength`.
    func problem(corpus: TokenCorpus, documents: Range<Int>, maxSeqLength: Int) -> String? {
        let starts = corpus.documentStarts
        guard documents.upperBound < starts.count else { return "its split reaches past the corpus's documents" }
        for index in 0..<count {
            let row = self[index]
            guard row.start < row.end, row.targetLength >= 1, row.targetLength <= maxSeqLength else {
                return "row \(index) is (\(row.start), \(row.end), \(row.targetLength)): not a run of sentences with a target length in 1...\(maxSeqLength)"
            }
            // The document holding the row's first sentence: the last start ≤ it.
            var low = documents.lowerBound, high = documents.upperBound
            while low < high {
                let middle = (low + high) / 2
                if Int(starts[middle + 1]) <= row.start { low = middle + 1 } else { high = middle }
            }
            guard low < documents.upperBound, Int(starts[low]) <= row.start, row.end <= Int(starts[low + 1]) else {
                return "row \(index) (sentences \(row.start)..<\(row.end)) does not lie inside one document of the split"
            }
        }
        return nil
    }

    /// Builds the map for `documents` of `corpus` (PaddleNLP's `build_mapping`), in memory.
    /// - Throws: `DataError.unusableData` up front when no document can produce a sample (e.g. one-sentence documents
    ///   with SOP on), instead of PaddleNLP's endless epoch loop or late failure.
    public static func build(corpus: TokenCorpus, documents: Range<Int>, settings: SampleIndexSettings) throws -> SampleIndexMap {
        if corpus.sentenceCount > Int(UInt32.max) {
            let (rows, statistics) = try buildRows(UInt64.self, corpus: corpus, documents: documents, settings: settings)
            return SampleIndexMap(rows: .memory64(rows), path: nil, statistics: statistics)
        }
        let (rows, statistics) = try buildRows(UInt32.self, corpus: corpus, documents: documents, settings: settings)
        return SampleIndexMap(rows: .memory32(rows), path: nil, statistics: statistics)
    }

    static let longSentenceLength: Int32 = 512

    /// Document counts of a split (empty, one-sentence, long-sentence, usable) without building the map.
    public static func statistics(corpus: TokenCorpus, documents: Range<Int>, minSentences: Int) throws -> DocumentStatistics {
        try usableDocuments(corpus: corpus, documents: documents, minSentences: minSentences).0
    }

    /// Finds the documents that produce samples. Eligibility never changes between epochs, so the builder loops over
    /// these only: a split with few usable documents costs O(samples), not O(epochs × documents) (PaddleNLP #2555).
    /// - Throws: `DataError.unusableData` with the counts and the fix when there is none.
    static func usableDocuments(corpus: TokenCorpus, documents: Range<Int>, minSentences: Int) throws -> (DocumentStatistics, [Int]) {
        let starts = corpus.documentStarts, lengths = corpus.sentenceLengths
        var statistics = DocumentStatistics()
        var usable: [Int] = []
        for document in documents {
            let first = Int(starts[document]), last = Int(starts[document + 1])
            let sentences = last - first
            statistics.documents += 1
            if sentences == 0 { statistics.emptyDocuments += 1 }
            if sentences == 1 { statistics.oneSentenceDocuments += 1 }
            var long = false
            if sentences > 1 {
                for sentence in first..<last where lengths[sentence] > longSentenceLength {
                    long = true
                    break
                }
                if long { statistics.longSentenceDocuments += 1 }
            }
            if sentences >= minSentences && !long { usable.append(document) }
        }
        statistics.usableDocuments = usable.count
        guard !usable.isEmpty else {
            var fix = "use a corpus with documents of at least \(minSentences) sentence(s) of at most 512 tokens"
            if minSentences == 2 && statistics.oneSentenceDocuments > 0 {
                fix = "the sentence-order objective needs 2+ sentences per document: re-run `ernie prepare` with "
                    + "--split_sentences (one sentence per line), or pass --binary_head false"
            }
            throw DataError.unusableData(
                reason: "no usable document among \(statistics.documents) (\(statistics.emptyDocuments) empty, "
                    + "\(statistics.oneSentenceDocuments) with one sentence, \(statistics.longSentenceDocuments) with a sentence > 512 tokens)",
                fix: fix)
        }
        return (statistics, usable)
    }

    static func buildRows<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type, corpus: TokenCorpus, documents: Range<Int>, settings: SampleIndexSettings
    ) throws -> ([T], DocumentStatistics) {
        guard settings.maxNumSamples > 0 else {
            throw DataError.invalidArgument(name: "max_num_samples", reason: "must be positive (PaddleNLP treats 0 as unlimited and never stops)")
        }
        guard settings.maxNumSamples <= SampleIndexSettings.maxNumSamplesLimit else {
            throw DataError.invalidArgument(
                name: "max_num_samples", reason: "\(settings.maxNumSamples) is more than the \(SampleIndexSettings.maxNumSamplesLimit) samples an index holds")
        }
        guard settings.maxSeqLength >= 2 else {
            throw DataError.invalidArgument(name: "max_seq_len", reason: "\(settings.maxSeqLength + 3) leaves no room for tokens")
        }
        guard settings.shortSeqProb >= 0, settings.shortSeqProb <= 1 else {
            throw DataError.invalidArgument(name: "short_seq_prob", reason: "\(settings.shortSeqProb) is not in [0, 1]")
        }
        guard settings.seed > 0 else { throw DataError.invalidArgument(name: "seed", reason: "must be positive (PaddleNLP asserts seed > 0)") }
        let starts = corpus.documentStarts, lengths = corpus.sentenceLengths
        let minSentences = settings.minSentences

        let (statistics0, usable) = try usableDocuments(corpus: corpus, documents: documents, minSentences: minSentences)
        var statistics = statistics0
        var targets = MersenneTwister32(seed: UInt32(bitPattern: settings.seed))
        let ratio: UInt32 = settings.shortSeqProb > 0 ? UInt32((1.0 / settings.shortSeqProb).rounded()) : 0
        let maxLength = Int32(settings.maxSeqLength)
        @inline(__always) func nextTarget() -> Int32 {
            if ratio == 0 { return maxLength }
            let random = targets.next()
            if random % ratio == 0 { return 2 + Int32(random % UInt32(maxLength - 1)) }
            return maxLength
        }

        // Raw little-endian reads of the mapped index (the files are validated at open; rows are 8/4-byte values
        // at arbitrary offsets inside an .npz, hence unaligned loads).
        let startsBase = starts.rawPointer!, lengthsBase = lengths.rawPointer
        @inline(__always) func start(_ document: Int) -> Int { Int(startsBase.loadUnaligned(fromByteOffset: 8 * document, as: Int64.self)) }
        @inline(__always) func length(_ sentence: Int) -> Int32 { lengthsBase!.loadUnaligned(fromByteOffset: 4 * sentence, as: Int32.self) }

        var rows: [T] = []
        rows.reserveCapacity(3 * settings.maxNumSamples + 3 * usable.count)
        var samples = 0
        let maxEpochs = Int(Int32.max) - 1
        var epoch = 0
        while epoch < maxEpochs && samples < settings.maxNumSamples {
            for document in usable {
                let first = start(document), last = start(document + 1)
                var previousStart = first
                var remaining = last - first
                var sampleLength: Int32 = 0
                var sentencesInSample = 0
                var target = nextTarget()
                for sentence in first..<last {
                    sampleLength &+= length(sentence)
                    sentencesInSample += 1
                    remaining -= 1
                    if (sampleLength >= target && remaining > 1 && sentencesInSample >= minSentences) || remaining == 0 {
                        rows.append(T(truncatingIfNeeded: previousStart))
                        rows.append(T(truncatingIfNeeded: sentence + 1))
                        rows.append(T(truncatingIfNeeded: target))
                        samples += 1
                        previousStart = sentence + 1
                        target = nextTarget()
                        sampleLength = 0
                        sentencesInSample = 0
                    }
                }
            }
            epoch += 1
        }
        statistics.epochs = epoch
        statistics.samples = samples

        var shuffler = MersenneTwister64(seed: UInt64(bitPattern: Int64(settings.seed) + 1))
        rows.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var i = samples - 1
            while i > 0 {
                let j = Int(shuffler.next() % UInt64(i + 1))
                let a = base + 3 * i, b = base + 3 * j
                let (a0, a1, a2) = (a[0], a[1], a[2])
                a[0] = b[0]; a[1] = b[1]; a[2] = b[2]
                b[0] = a0; b[1] = a1; b[2] = a2
                i -= 1
            }
        }
        return (rows, statistics)
    }
}
