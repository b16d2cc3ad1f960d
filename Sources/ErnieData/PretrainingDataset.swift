import Foundation

/// Settings shared by every split (PaddleNLP flags in parentheses).
public struct PretrainingDataSettings: Sendable {
    public var masking: MaskingSettings
    public var shortSeqProb: Double = 0.1
    public var seed: Int32 = 1234
    /// `--split`, document weights of train/valid/test.
    public var split: String = "949,50,1"
    /// Where index maps are cached; nil = next to each corpus, under PaddleNLP's names (so PaddleNLP's own cached
    /// maps are reused and vice versa).
    public var cacheDirectory: String? = nil
    public var useIndexCache = true
    /// Scan every token id once at open and fail early when the vocabulary does not cover it.
    public var validateTokenIds = true
    /// Data-parallel ranks other than the builder set this: they wait (up to this many seconds) for the builder's
    /// cached index maps instead of building their own (needs `useIndexCache` and a shared folder).
    public var waitForIndexSeconds: Double? = nil

    public init(masking: MaskingSettings) { self.masking = masking }

    /// Sentences a document needs to produce samples.
    public var minSentences: Int { masking.pairObjective == .none ? 1 : 2 }
}

/// The opened corpora of `--input_dir`, ready to give each split's dataset.
public final class PretrainingData: Sendable {
    public let corpora: [TokenCorpus]
    /// Normalised blend weights (PaddleNLP's sequential-sum normalisation), or nil for a single unweighted corpus.
    public let weights: [Double]?
    public let vocabulary: MaskingVocabulary
    public let settings: PretrainingDataSettings
    let builder: MaskedSampleBuilder

    /// Opens every corpus and (by default) checks their ids against the vocabulary.
    /// - Throws: `DataError` naming the file: missing/malformed corpus, ids outside the vocabulary, bad settings.
    public init(inputs: DataInputs, vocabulary: MaskingVocabulary, settings: PretrainingDataSettings) throws {
        builder = try MaskedSampleBuilder(vocabulary: vocabulary, settings: settings.masking)
        guard settings.seed > 0 else { throw DataError.invalidArgument(name: "--seed", reason: "must be positive") }
        switch inputs {
        case .single(let prefix):
            corpora = [try TokenCorpus(prefix: prefix)]
            weights = nil
        case .weighted(let pairs):
            corpora = try pairs.map { try TokenCorpus(prefix: $0.prefix) }
            var total = 0.0
            for pair in pairs { total += pair.weight }
            weights = pairs.map { $0.weight / total }
        }
        if settings.validateTokenIds {
            for corpus in corpora {
                try corpus.validateTokenIds(
                    idCount: vocabulary.idCount,
                    vocabularyDescription: "the vocabulary (\(vocabulary.baseCount) entries + \(vocabulary.idCount - vocabulary.baseCount) ##CJK ids)")
            }
        }
        self.vocabulary = vocabulary
        self.settings = settings
    }

    /// The dataset of `split` holding at least `samples` samples, or nil when the split has no documents or
    /// `samples` is 0 (PaddleNLP would treat 0 as "unlimited" and loop forever).
    public func dataset(_ split: DataSplit, samples: Int) throws -> PretrainingDataset? {
        guard samples > 0 else { return nil }
        var parts: [CorpusSplitDataset] = []
        var partWeights: [Double] = []
        var warnings: [String] = []
        for (index, corpus) in corpora.enumerated() {
            let documents = try DocumentSplit(settings.split, documentCount: corpus.documentCount).documents(ofSplit: split.rawValue)
            guard !documents.isEmpty else { continue }
            var wanted = samples
            if let weights { wanted = Int((Double(samples) * weights[index] * 1.005).rounded(.up)) }
            let indexSettings = SampleIndexSettings(
                maxNumSamples: wanted, maxSeqLength: settings.masking.maxSeqLen - 3, shortSeqProb: settings.shortSeqProb,
                seed: settings.seed, minSentences: settings.minSentences)
            let cachePrefix: String? = settings.useIndexCache
                ? settings.cacheDirectory.map { ($0 as NSString).appendingPathComponent((corpus.prefix as NSString).lastPathComponent) } ?? corpus.prefix
                : nil
            let statistics: DocumentStatistics
            do {
                statistics = try SampleIndexMap.statistics(corpus: corpus, documents: documents, minSentences: settings.minSentences)
            } catch DataError.unusableData(let reason, let fix) {
                throw DataError.unusableData(reason: "\(corpus.prefix), \(split.name) split (documents \(documents)): \(reason)", fix: fix)
            }
            if settings.minSentences == 2 && statistics.oneSentenceDocuments > 0 {
                warnings.append(
                    "\(corpus.prefix) \(split.name) split: \(statistics.oneSentenceDocuments) of \(statistics.documents) documents have "
                        + "one sentence and give no sentence-order sample (split documents into sentences, or --binary_head false)")
            }
            if statistics.longSentenceDocuments > 0 {
                warnings.append(
                    "\(corpus.prefix) \(split.name) split: \(statistics.longSentenceDocuments) documents hold a sentence of more than "
                        + "512 tokens and are skipped")
            }
            let map = try SampleIndexMap.loadOrBuild(
                corpus: corpus, documents: documents, splitName: split.name, settings: indexSettings, cachePrefix: cachePrefix,
                waitSeconds: settings.waitForIndexSeconds, warnings: &warnings)
            parts.append(CorpusSplitDataset(corpus: corpus, documents: documents, indexMap: map, builder: builder, seed: settings.seed,
                                            statistics: statistics))
            partWeights.append(weights?[index] ?? 1)
        }
        guard !parts.isEmpty else { return nil }
        return try PretrainingDataset(split: split, parts: parts, blendWeights: weights == nil ? nil : partWeights, warnings: warnings)
    }
}

/// One corpus's samples in one split: index-map row i → sample with RNG seed `(seed + i) % 2³²`.
public struct CorpusSplitDataset: Sendable {
    public let corpus: TokenCorpus
    public let documents: Range<Int>
    public let indexMap: SampleIndexMap
    public let statistics: DocumentStatistics
    let builder: MaskedSampleBuilder
    let seed: Int32

    init(corpus: TokenCorpus, documents: Range<Int>, indexMap: SampleIndexMap, builder: MaskedSampleBuilder, seed: Int32,
         statistics: DocumentStatistics) {
        self.corpus = corpus
        self.documents = documents
        self.indexMap = indexMap
        self.builder = builder
        self.seed = seed
        self.statistics = statistics
    }

    public var count: Int { indexMap.count }

    public func sample(at index: Int) throws -> PretrainingSample {
        guard index >= 0 && index < count else {
            throw DataError.invalidArgument(name: "sample index", reason: "\(index) outside 0..<\(count) of \(corpus.prefix)")
        }
        let row = indexMap[index]
        guard row.start >= 0, row.start < row.end, row.end <= corpus.sentenceCount else {
            throw DataError.malformed(
                path: indexMap.path ?? corpus.prefix,
                reason: "row \(index) names sentences \(row.start)..<\(row.end) of \(corpus.sentenceCount) (stale index map? delete it)")
        }
        var tokens: [Int32] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(row.end - row.start)
        let first = corpus.tokenOffset(ofSentence: row.start)
        var end = first
        for sentence in row.start..<row.end {
            let length = Int(corpus.sentenceLengths[sentence])
            lengths.append(length)
            end += length
        }
        corpus.tokenIds.append(first..<end, to: &tokens)
        let sampleSeed = UInt32(truncatingIfNeeded: Int64(seed) + Int64(index))
        var randomSegment: ((inout NumpyRandomState, Int) -> [Int32]?)? = nil
        if builder.settings.pairObjective == .nextSentence {
            randomSegment = { random, wanted in self.randomSegment(random: &random, avoiding: self.document(containing: row.start), wanted: wanted) }
        }
        return try builder.build(
            tokens: tokens, sentenceLengths: lengths, targetLength: row.targetLength, seed: sampleSeed, source: corpus.idsPath,
            randomSegment: randomSegment)
    }

    /// The document of `sentence` (binary search over the split's document starts).
    func document(containing sentence: Int) -> Int {
        var low = documents.lowerBound, high = documents.upperBound - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if Int(corpus.documentStarts[middle]) <= sentence { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// NSP's random B: up to 10 draws of another document of the split, a random start sentence in it, then whole
    /// sentences until `wanted` tokens or the document ends.
    func randomSegment(random: inout NumpyRandomState, avoiding current: Int, wanted: Int) -> [Int32]? {
        guard documents.count > 1 else { return nil }
        var document = current
        for _ in 0..<10 where document == current { document = random.randint(documents.lowerBound, documents.upperBound) }
        let first = Int(corpus.documentStarts[document]), last = Int(corpus.documentStarts[document + 1])
        guard document != current, first < last else { return nil }
        var sentence = random.randint(first, last)
        var tokens: [Int32] = []
        while sentence < last && tokens.count < max(wanted, 1) {
            corpus.appendTokens(ofSentence: sentence, to: &tokens)
            sentence += 1
        }
        return tokens
    }
}

/// The samples of one split over every corpus (blended by weight when several), addressed by a global index.
/// `Sendable`: prefetch threads call `sample(at:)` concurrently.
public final class PretrainingDataset: Sendable {
    public let split: DataSplit
    public let parts: [CorpusSplitDataset]
    public let blending: BlendingIndex?
    /// Problems worth telling the user before training (one-sentence documents with SOP, uncacheable maps, …).
    public let warnings: [String]
    public let count: Int

    init(split: DataSplit, parts: [CorpusSplitDataset], blendWeights: [Double]?, warnings: [String]) throws {
        self.split = split
        self.parts = parts
        self.warnings = warnings
        let total = parts.reduce(0) { $0 + $1.count }
        if let blendWeights {
            blending = try BlendingIndex(weights: blendWeights, count: total)
        } else {
            blending = nil
        }
        count = blending == nil ? parts[0].count : total
    }

    /// Sample `index` of the split. - Throws: `DataError` for ids outside the vocabulary or a damaged index.
    public func sample(at index: Int) throws -> PretrainingSample {
        guard index >= 0 && index < count else {
            throw DataError.invalidArgument(name: "sample index", reason: "\(index) outside 0..<\(count) of the \(split.name) split")
        }
        guard let blending else { return try parts[0].sample(at: index) }
        return try parts[Int(blending.datasetIndex[index])].sample(at: Int(blending.sampleIndex[index]))
    }
}
