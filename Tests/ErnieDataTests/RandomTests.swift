import Foundation
import Testing

@testable import ErnieData

/// The generators against the C++ standard's check values and numpy goldens (tools/data_numpy_goldens.py).
@Suite struct RandomTests {
    @Test func mersenneTwistersMatchTheCxxStandard() {
        // [rand.predef]: the 10000th draw of a default-constructed (seed 5489) engine.
        var engine32 = MersenneTwister32(seed: 5489)
        var engine64 = MersenneTwister64(seed: 5489)
        var value32: UInt32 = 0, value64: UInt64 = 0
        for _ in 0..<10_000 {
            value32 = engine32.next()
            value64 = engine64.next()
        }
        #expect(value32 == 4_123_659_995)
        #expect(value64 == 9_981_545_732_273_789_042)
    }

    struct Goldens: Decodable {
        struct Random: Decodable {
            var seed: UInt32
            var random: [Double]
            var randint: [[Int]]
            var shuffle11: [Int]
            var choice: [Int]
            var choice_longer: [Int]
            var after: Double
        }
        struct Npy: Decodable {
            var dtype: String
            var shape: [Int]
            var values: [Int64]
            var hex: String
        }
        struct Npz: Decodable {
            var lens: [Int32]
            var docs: [Int64]
            var hex: String
        }
        struct Split: Decodable {
            var split: String
            var documents: Int
            var boundaries: [Int]
        }
        var random: [Random]
        var npy: [Npy]
        var npz: Npz
        var splits: [Split]
    }

    static func goldens() throws -> Goldens {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/numpy_goldens.json")
        return try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: url))
    }

    @Test func legacyRandomStateMatchesNumpy() throws {
        for golden in try Self.goldens().random {
            var random = NumpyRandomState(seed: golden.seed)
            #expect((0..<5).map { _ in random.random() } == golden.random, "random() for seed \(golden.seed)")
            for triple in golden.randint {
                #expect(random.randint(triple[0], triple[1]) == triple[2], "randint\(triple) for seed \(golden.seed)")
            }
            var items = Array(0..<11)
            random.shuffle(&items)
            #expect(items == golden.shuffle11, "shuffle for seed \(golden.seed)")
            let vocabulary = try MaskingVocabulary(vocabulary: .init(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
            let shorter = try MaskedSampleBuilder(vocabulary: vocabulary, settings: MaskingSettings(maxSeqLen: 16))
            let longer = try MaskedSampleBuilder(vocabulary: vocabulary, settings: MaskingSettings(maxSeqLen: 16, favorLongerNgram: true))
            #expect((0..<20).map { _ in random.choice(cumulative: shorter.ngramCumulative) + 1 } == golden.choice)
            #expect((0..<20).map { _ in random.choice(cumulative: longer.ngramCumulative) + 1 } == golden.choice_longer)
            #expect(random.random() == golden.after)
        }
    }

    @Test func splitArithmeticMatchesPaddleNLP() throws {
        for golden in try Self.goldens().splits {
            let split = try DocumentSplit(golden.split, documentCount: golden.documents)
            #expect(split.boundaries == golden.boundaries, "\(golden.split) over \(golden.documents) documents")
        }
        #expect(throws: DataError.self) { try DocumentSplit("a,b", documentCount: 10) }
        #expect(throws: DataError.self) { try DocumentSplit("0,0,0", documentCount: 10) }
    }
}
