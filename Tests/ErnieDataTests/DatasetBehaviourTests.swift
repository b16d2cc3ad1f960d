import ErnieText
import Foundation
import Testing

@testable import ErnieData

/// Dataset behaviour beyond the PaddleNLP fixtures: bad input, blending, batching, NSP, caching.
@Suite struct DatasetBehaviourTests {
    /// A vocabulary of specials + 8 CJK characters + their absent `##` forms via the extension.
    static let vocabulary: Vocabulary = try! Vocabulary(tokens: ["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"] + "一二三四五六七八".map(String.init) + ["##a", "a"])

    /// Writes a corpus of `documents` documents with `sentences(d)` sentences each (ids from the vocabulary).
    static func writeCorpus(_ prefix: String, documents: Int, sentences: (Int) -> Int) throws {
        let writer = try TokenFileWriter(outputPrefix: prefix, vocabularySize: vocabulary.count)
        for document in 0..<documents {
            for sentence in 0..<sentences(document) {
                // 5…12 are characters, 13 is ##a, 15+ are ##<CJK> extension ids.
                let ids = (0..<(3 + (document + sentence) % 6)).map { k in [5, 15, 6, 16, 13, 7, 14][(document + sentence + k) % 7] }
                try writer.appendSentence(ids)
            }
            try writer.endDocument()
        }
        _ = try writer.finish()
    }

    static func settings(maxSeqLen: Int = 32, objective: PairObjective = .sentenceOrder) -> PretrainingDataSettings {
        var settings = PretrainingDataSettings(masking: MaskingSettings(maxSeqLen: maxSeqLen, pairObjective: objective))
        settings.useIndexCache = false
        return settings
    }

    @Test func vocabularyThatDoesNotCoverTheIdsIsAClearError() throws {
        let prefix = TestPaths.temporaryFolder().appendingPathComponent("c").path
        try Self.writeCorpus(prefix, documents: 20, sentences: { _ in 3 })
        let small = try Vocabulary(tokens: ["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]", "一"])
        do {
            _ = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: MaskingVocabulary(vocabulary: small), settings: Self.settings())
            Issue.record("no error")
        } catch let error as DataError {
            guard case .vocabularyMismatch(let path, let reason) = error else { Issue.record("\(error)"); return }
            #expect(path == prefix + "_ids.npy")
            #expect(reason.contains("0…6") || reason.contains("defines ids 0…"))
        }
        // Without the up-front scan, the sample builder still refuses the id.
        var lenient = Self.settings()
        lenient.validateTokenIds = false
        let data = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: MaskingVocabulary(vocabulary: small), settings: lenient)
        let train = try #require(try data.dataset(.train, samples: 4))
        #expect(throws: DataError.self) { try train.sample(at: 0) }
    }

    @Test func oneSentenceDocumentsWithSOPFailFastWithTheFix() throws {
        let prefix = TestPaths.temporaryFolder().appendingPathComponent("flat").path
        try Self.writeCorpus(prefix, documents: 200, sentences: { _ in 1 })
        let data = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: MaskingVocabulary(vocabulary: Self.vocabulary), settings: Self.settings())
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            do {
                _ = try data.dataset(.train, samples: 1_000_000)
                Issue.record("no error")
            } catch let error as DataError {
                #expect(error.description.contains("190 with one sentence") && error.description.contains("train split"))
                #expect(error.description.contains("--binary_head false"))
            } catch { Issue.record("\(error)") }
        }
        #expect(elapsed < .seconds(2))
        // MLM only works on the same corpus.
        let mlm = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: MaskingVocabulary(vocabulary: Self.vocabulary),
                                      settings: Self.settings(objective: .none))
        let train = try #require(try mlm.dataset(.train, samples: 10))
        let sample = try train.sample(at: 0)
        #expect(sample.tokenTypeIds.allSatisfy { $0 == 0 } && sample.sentenceOrderLabel == 0)
        // Mixed corpora are reported up front.
        let mixedPrefix = TestPaths.temporaryFolder().appendingPathComponent("mixed").path
        try Self.writeCorpus(mixedPrefix, documents: 100, sentences: { $0 % 2 == 0 ? 1 : 3 })
        let mixed = try PretrainingData(inputs: .single(prefix: mixedPrefix), vocabulary: MaskingVocabulary(vocabulary: Self.vocabulary), settings: Self.settings())
        let mixedTrain = try #require(try mixed.dataset(.train, samples: 10))
        #expect(mixedTrain.warnings.contains { $0.contains("one sentence") })
    }

    @Test func tinyValidationSplitBuildsQuickly() throws {
        let prefix = TestPaths.temporaryFolder().appendingPathComponent("small").path
        try Self.writeCorpus(prefix, documents: 1000, sentences: { $0 % 50 == 7 || $0 == 999 ? 2 : 1 })
        var settings = Self.settings()
        settings.split = "998,2,0"
        let data = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: MaskingVocabulary(vocabulary: Self.vocabulary), settings: settings)
        let clock = ContinuousClock()
        var valid: PretrainingDataset?
        let elapsed = try clock.measure { valid = try data.dataset(.valid, samples: 200_000) }
        // 2 validation documents, at most one usable: ~200k epochs of one sample, in well under a second.
        #expect(try #require(valid).count >= 200_000)
        #expect(elapsed < .seconds(5))
        #expect(try data.dataset(.test, samples: 100) == nil)
        #expect(try data.dataset(.valid, samples: 0) == nil)
    }

    @Test func samplesAreDeterministicAndWellFormed() throws {
        let prefix = TestPaths.temporaryFolder().appendingPathComponent("c").path
        try Self.writeCorpus(prefix, documents: 60, sentences: { 2 + $0 % 5 })
        for objective in [PairObjective.sentenceOrder, .nextSentence] {
            let data = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: MaskingVocabulary(vocabulary: Self.vocabulary),
                                           settings: Self.settings(objective: objective))
            let train = try #require(try data.dataset(.train, samples: 50))
            var labels = Set<Int32>()
            for index in 0..<train.count {
                let sample = try train.sample(at: index)
                #expect(sample == (try train.sample(at: index)))
                #expect(sample.inputIds.count <= 32 && sample.inputIds.first == 1)
                #expect(sample.inputIds.allSatisfy { $0 < 15 }, "extension ids never reach the model")
                #expect(sample.maskedLabels.allSatisfy { $0 < 15 })
                #expect(sample.maskedPositions == sample.maskedPositions.sorted())
                labels.insert(sample.sentenceOrderLabel)
            }
            #expect(labels == [0, 1], "\(objective) gives both labels")
        }
    }

    @Test func blendingFollowsWeights() throws {
        let index = try BlendingIndex(weights: [0.5, 0.3, 0.2], count: 1000)
        var taken = [0, 0, 0]
        for (sample, dataset) in index.datasetIndex.enumerated() {
            #expect(index.sampleIndex[sample] == Int64(taken[Int(dataset)]))
            taken[Int(dataset)] += 1
        }
        #expect(taken == [500, 300, 200])
        #expect(Array(index.datasetIndex.prefix(6)) == [0, 1, 2, 0, 1, 0])
        #expect(throws: DataError.self) { try BlendingIndex(weights: [Double](repeating: 1, count: 255), count: 10) }

        let folder = TestPaths.temporaryFolder()
        try Self.writeCorpus(folder.appendingPathComponent("a").path, documents: 40, sentences: { _ in 3 })
        try Self.writeCorpus(folder.appendingPathComponent("b").path, documents: 80, sentences: { _ in 2 })
        let inputs = try DataInputs.parse(folder.path)
        #expect(inputs == .weighted([(1, folder.appendingPathComponent("a").path), (1, folder.appendingPathComponent("b").path)]))
        #expect(try DataInputs.parse("2 x/a 1.5 y/b") == .weighted([(2, "x/a"), (1.5, "y/b")]))
        #expect(throws: DataError.self) { try DataInputs.parse("2 x/a 1.5") }
        let data = try PretrainingData(inputs: inputs, vocabulary: MaskingVocabulary(vocabulary: Self.vocabulary), settings: Self.settings())
        let train = try #require(try data.dataset(.train, samples: 100))
        #expect(train.parts.count == 2 && train.count == train.parts[0].count + train.parts[1].count)
        #expect(train.parts.allSatisfy { $0.count >= 51 })  // ceil(100 × 0.5 × 1.005)
        _ = try train.sample(at: train.count - 1)
    }

    @Test func indexMapsAreCachedUnderPaddleNames() throws {
        let folder = TestPaths.temporaryFolder()
        let prefix = folder.appendingPathComponent("c").path
        try Self.writeCorpus(prefix, documents: 50, sentences: { _ in 3 })
        var settings = Self.settings()
        settings.useIndexCache = true
        settings.cacheDirectory = folder.appendingPathComponent("cache/maps").path
        let data = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: MaskingVocabulary(vocabulary: Self.vocabulary), settings: settings)
        let first = try #require(try data.dataset(.train, samples: 20))
        let path = try #require(first.parts[0].indexMap.path)
        #expect(path.hasSuffix("cache/maps/c_train_indexmap_20mns_29msl_0.10ssp_1234s.npy"))
        let second = try #require(try data.dataset(.train, samples: 20))
        #expect(second.parts[0].indexMap.statistics == nil)  // loaded, not rebuilt
        #expect(second.parts[0].indexMap.flattened() == first.parts[0].indexMap.flattened())
        #expect(try second.sample(at: 3) == first.sample(at: 3))
    }

    /// A cached map stamped with other token files (the corpus was rewritten under the same prefix) is rebuilt, as
    /// is one whose rows cannot belong to the corpus (a target length of 0, a row across documents).
    @Test func staleOrTamperedCachedMapsAreRebuilt() throws {
        let folder = TestPaths.temporaryFolder()
        let prefix = folder.appendingPathComponent("c").path
        try Self.writeCorpus(prefix, documents: 50, sentences: { _ in 3 })
        var settings = Self.settings()
        settings.useIndexCache = true
        let vocabulary = try MaskingVocabulary(vocabulary: Self.vocabulary)
        let first = try #require(try PretrainingData(inputs: .single(prefix: prefix), vocabulary: vocabulary, settings: settings)
            .dataset(.train, samples: 20))
        let path = try #require(first.parts[0].indexMap.path)
        #expect(FileManager.default.fileExists(atPath: path + ".source"))
        // Other token files under the same prefix: the stamp no longer matches.
        try Self.writeCorpus(prefix, documents: 30, sentences: { $0 % 2 == 0 ? 4 : 2 })
        let data = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: vocabulary, settings: settings)
        let rebuilt = try #require(try data.dataset(.train, samples: 20))
        #expect(rebuilt.parts[0].indexMap.statistics != nil)  // built, not loaded
        #expect(rebuilt.warnings.contains { $0.contains("other token files") })
        var fresh = settings
        fresh.useIndexCache = false
        let reference = try #require(try PretrainingData(inputs: .single(prefix: prefix), vocabulary: vocabulary, settings: fresh)
            .dataset(.train, samples: 20))
        #expect(rebuilt.parts[0].indexMap.flattened() == reference.parts[0].indexMap.flattened())
        // A tampered map without a stamp (as PaddleNLP's come): checked row by row, rebuilt.
        try FileManager.default.removeItem(atPath: path + ".source")
        var rows = reference.parts[0].indexMap.flattened().map { UInt32($0) }
        rows[2] = 0
        try NumpyFile.write(rows, shape: [rows.count / 3, 3], to: path)
        let again = try #require(try PretrainingData(inputs: .single(prefix: prefix), vocabulary: vocabulary, settings: settings)
            .dataset(.train, samples: 20))
        #expect(again.warnings.contains { $0.contains("target length") })
        #expect(again.parts[0].indexMap.flattened() == reference.parts[0].indexMap.flattened())
        rows = reference.parts[0].indexMap.flattened().map { UInt32($0) }
        rows[1] = rows[1] + 40
        try NumpyFile.write(rows, shape: [rows.count / 3, 3], to: path)
        try FileManager.default.removeItem(atPath: path + ".source")
        let spanning = try #require(try PretrainingData(inputs: .single(prefix: prefix), vocabulary: vocabulary, settings: settings)
            .dataset(.train, samples: 20))
        #expect(spanning.warnings.contains { $0.contains("inside one document") })
    }

    /// Rewriting token files removes the cached maps of that prefix (and their stamps), no other prefix's.
    @Test func preparingAPrefixRemovesItsCachedMaps() throws {
        let folder = TestPaths.temporaryFolder()
        let names = ["c_train_indexmap_20mns_29msl_0.10ssp_1234s.npy", "c_train_indexmap_20mns_29msl_0.10ssp_1234s.npy.source",
                     "c_valid_indexmap_5mns_29msl_0.10ssp_1234s.npy", "cc_train_indexmap_20mns_29msl_0.10ssp_1234s.npy",
                     "c_ids.npy", "c_idx.npz"]
        for name in names { try Data([1]).write(to: folder.appendingPathComponent(name)) }
        CorpusPreparer.removeIndexMaps(of: folder.appendingPathComponent("c").path)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == ["c_ids.npy", "c_idx.npz", "cc_train_indexmap_20mns_29msl_0.10ssp_1234s.npy"])
    }

    @Test func nonBuildingRanksWaitForTheCachedMap() throws {
        let folder = TestPaths.temporaryFolder()
        let prefix = folder.appendingPathComponent("c").path
        try Self.writeCorpus(prefix, documents: 50, sentences: { _ in 3 })
        var waiting = Self.settings()
        waiting.useIndexCache = true
        waiting.waitForIndexSeconds = 0.3
        let vocabulary = try MaskingVocabulary(vocabulary: Self.vocabulary)
        let follower = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: vocabulary, settings: waiting)
        #expect(throws: DataError.self) { try follower.dataset(.train, samples: 20) }
        var building = waiting
        building.waitForIndexSeconds = nil
        let builder = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: vocabulary, settings: building)
        let built = try #require(try builder.dataset(.train, samples: 20))
        let loaded = try #require(try follower.dataset(.train, samples: 20))
        #expect(loaded.parts[0].indexMap.flattened() == built.parts[0].indexMap.flattened())
    }

    @Test func samplesFromManyThreadsAgree() throws {
        let prefix = TestPaths.temporaryFolder().appendingPathComponent("c").path
        try Self.writeCorpus(prefix, documents: 80, sentences: { 2 + $0 % 3 })
        let data = try PretrainingData(inputs: .single(prefix: prefix), vocabulary: MaskingVocabulary(vocabulary: Self.vocabulary), settings: Self.settings())
        let train = try #require(try data.dataset(.train, samples: 64))
        let serial = try (0..<train.count).map { try train.sample(at: $0) }
        let results = ResultBox(count: train.count)
        DispatchQueue.concurrentPerform(iterations: train.count) { index in
            results.set(index, try? train.sample(at: index))
        }
        #expect(results.values() == serial.map { Optional($0) })
    }

    @Test func batchesAndSamplers() throws {
        let a = PretrainingSample(inputIds: [1, 5, 2], tokenTypeIds: [0, 0, 0], maskedPositions: [1], maskedLabels: [5], sentenceOrderLabel: 1)
        let b = PretrainingSample(inputIds: [1, 6, 7, 2], tokenTypeIds: [0, 0, 1, 1], maskedPositions: [1, 2], maskedLabels: [6, 7], sentenceOrderLabel: 0)
        let batch = PretrainingBatch(samples: [a, b], sequenceLength: 5)
        #expect(batch.inputIds == [1, 5, 2, 0, 0, 1, 6, 7, 2, 0])
        #expect(batch.attentionMask == [1, 1, 1, 0, 0, 1, 1, 1, 1, 0])
        #expect(batch.maskedPositions == [1, 6, 7, 0, 0, 0, 0, 0])
        #expect(batch.maskedLabels == [5, 6, 7, -1, -1, -1, -1, -1])
        #expect(batch.maskedCount == 3 && batch.sentenceOrderLabels == [1, 0])
        #expect(PretrainingBatch(samples: [a, b]).sequenceLength == 4)

        let rank0 = try BatchSampler(sampleCount: 100, consumedSamples: 0, microBatchSize: 4, dataParallelRank: 0, dataParallelSize: 2)
        let rank1 = try BatchSampler(sampleCount: 100, consumedSamples: 0, microBatchSize: 4, dataParallelRank: 1, dataParallelSize: 2)
        #expect(Array(rank0.prefix(2)) == [0..<4, 8..<12])
        #expect(Array(rank1.prefix(2)) == [4..<8, 12..<16])
        #expect(rank0.count == 12)
        let covered = (Array(rank0) + Array(rank1)).flatMap { Array($0) }.sorted()
        #expect(covered == Array(0..<96))
        let resumed = try BatchSampler(sampleCount: 100, consumedSamples: 16, microBatchSize: 4, dataParallelRank: 1, dataParallelSize: 2)
        #expect(Array(resumed).first == 20..<24 && resumed.count == 10)
        #expect(throws: DataError.self) { try BatchSampler(sampleCount: 10, consumedSamples: 3, microBatchSize: 1, dataParallelRank: 0, dataParallelSize: 2) }

        let counts = try PretrainingSampleCounts(globalBatchSize: 64, microBatchSize: 8, dataParallelSize: 2, maxSteps: 1000, evalFreq: 100, evalIters: 10)
        #expect(counts == PretrainingSampleCounts(train: 64_000, valid: 8 * 11 * 10 * 4 * 2, test: 8 * 10 * 10 * 4 * 2))
        #expect(throws: DataError.self) {
            try PretrainingSampleCounts(globalBatchSize: 60, microBatchSize: 8, dataParallelSize: 2, maxSteps: 1, evalFreq: 1, evalIters: 1)
        }
    }
}

/// Thread-safe slots for concurrent results.
final class ResultBox: @unchecked Sendable {
    private var slots: [PretrainingSample?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: PretrainingSample?) { lock.withLock { slots[index] = value } }

    func values() -> [PretrainingSample?] { lock.withLock { slots } }
}
