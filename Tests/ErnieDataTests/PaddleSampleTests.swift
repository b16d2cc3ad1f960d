import ErnieText
import Foundation
import Testing

@testable import ErnieData

/// The first 64 training samples PaddleNLP's ErnieDataset produced (seed 1234, max_seq_len 128, SOP on).
@Suite struct PaddleSampleTests {
    struct Reference: Decodable {
        var index: Int
        var input_ids: [Int32]
        var token_type_ids: [Int32]
        var masked_lm_positions: [Int32]
        var masked_lm_labels: [Int32]
        var sentence_order_label: Int32
    }

    static func openTrain(_ fixtures: URL, count: Int = 64) throws -> PretrainingDataset {
        let vocabulary = try Vocabulary(contentsOf: fixtures.appendingPathComponent("vocab.txt"))
        var settings = PretrainingDataSettings(masking: MaskingSettings(maxSeqLen: 128))
        settings.useIndexCache = false
        let data = try PretrainingData(
            inputs: .single(prefix: fixtures.appendingPathComponent("pd_docs_paddle").path),
            vocabulary: try MaskingVocabulary(vocabulary: vocabulary), settings: settings)
        return try #require(try data.dataset(.train, samples: count))
    }

    @Test(.enabled(if: TestPaths.hasPaddleFixtures, TestPaths.paddleFixturesAbsent)) func firstSamplesEqualPaddleNLPs() throws {
        let fixtures = TestPaths.paddleFixtures
        let train = try Self.openTrain(fixtures)
        #expect(train.count == 1200)
        let lines = try String(contentsOf: fixtures.appendingPathComponent("pd_docs_paddle_samples_seed1234.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        let references = try lines.map { try JSONDecoder().decode(Reference.self, from: Data($0.utf8)) }
        #expect(references.count == 64)
        var equal = 0
        for reference in references {
            let sample = try train.sample(at: reference.index)
            let batch = PretrainingBatch(samples: [sample], sequenceLength: 128)
            let same = batch.inputIds == reference.input_ids && batch.tokenTypeIds == reference.token_type_ids
                && sample.maskedPositions == reference.masked_lm_positions && sample.maskedLabels == reference.masked_lm_labels
                && sample.sentenceOrderLabel == reference.sentence_order_label
            if same { equal += 1 }
            #expect(batch.inputIds == reference.input_ids, "input_ids of sample \(reference.index)")
            #expect(batch.tokenTypeIds == reference.token_type_ids, "token_type_ids of sample \(reference.index)")
            #expect(sample.maskedPositions == reference.masked_lm_positions, "masked_lm_positions of sample \(reference.index)")
            #expect(sample.maskedLabels == reference.masked_lm_labels, "masked_lm_labels of sample \(reference.index)")
            #expect(sample.sentenceOrderLabel == reference.sentence_order_label, "sentence_order_label of sample \(reference.index)")
        }
        print("samples: \(equal) of \(references.count) equal PaddleNLP's field by field")
    }
}
