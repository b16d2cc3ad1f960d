import Foundation
import Testing

@testable import ErnieData

/// Step and sample counts from flags are bounded before the sample index reserves memory for them.
@Suite struct SampleCountLimitTests {
    static func counts(maxSteps: Int, evalIters: Int = 10) throws -> PretrainingSampleCounts {
        try PretrainingSampleCounts(globalBatchSize: 64, microBatchSize: 8, dataParallelSize: 1, maxSteps: maxSteps, evalFreq: 100, evalIters: evalIters)
    }

    @Test(arguments: [(100_000_000_000, 10, "--max_steps"), (Int.max, 10, "--max_steps"), (-5, 10, "--max_steps"),
                      (1000, 1 << 40, "--eval_iters"), (1000, -1, "--eval_iters")])
    func hugeOrNegativeCountsNameTheFlag(maxSteps: Int, evalIters: Int, flag: String) {
        #expect {
            _ = try Self.counts(maxSteps: maxSteps, evalIters: evalIters)
        } throws: { error in
            (error as? DataError)?.description.contains(flag) ?? false
        }
    }

    @Test func largeButSaneCountsPass() throws {
        let counts = try Self.counts(maxSteps: 1_000_000)
        #expect(counts.train == 64_000_000)
    }

    /// The index builder refuses a sample count it cannot hold before reserving rows for it.
    @Test func sampleIndexRefusesHugeSampleCounts() throws {
        let prefix = TestPaths.temporaryFolder().appendingPathComponent("c").path
        let writer = try TokenFileWriter(outputPrefix: prefix, vocabularySize: 100)
        try writer.appendSentence([5, 6, 7])
        try writer.appendSentence([8, 9])
        try writer.endDocument()
        _ = try writer.finish()
        let corpus = try TokenCorpus(prefix: prefix)
        let settings = SampleIndexSettings(maxNumSamples: 1 << 50, maxSeqLength: 10, shortSeqProb: 0.1, seed: 1, minSentences: 1)
        #expect {
            _ = try SampleIndexMap.buildRows(UInt32.self, corpus: corpus, documents: 0..<1, settings: settings)
        } throws: { error in
            (error as? DataError)?.description.contains("max_num_samples") ?? false
        }
    }
}
