import ErnieBasics
import ErnieEngine
import Foundation
import Testing

@testable import ErnieModels

/// MindSpore's NEZHA (a learned [2K + 1, d] relative-position table per layer, `relative_position_table: "learned"`)
/// against transformers' (one functional sinusoid table), on the NEZHA golden model of tools/family_goldens.py.
@Suite struct NezhaVariantTests {
    static let directory = TestSupport.fixture("families/nezha/model")

    static func inputs() -> BertInputs {
        let ids: [Int32] = [2, 17, 45, 99, 3, 150, 8, 60, 2, 33, 71, 19, 0, 0, 0, 0]
        return BertInputs(batch: 2, sequence: 8, inputIds: ids, attentionMask: ids.map { $0 == 0 ? 0 : 1 })
    }

    @Test func learnedTablesAreTheDifference() throws {
        let functional = try ModelCheckpoint.loadConfig(directory: Self.directory)
        var learned = functional
        learned.learnsRelativePositions = true
        // The config field round-trips; the functional config does not write it.
        #expect(try BertConfig(jsonData: Data(learned.jsonString().utf8)).learnsRelativePositions)
        #expect(!functional.jsonString().contains("relative_position_table"))

        let reference = BertModel(try BertArchitecture(functional), seed: 1)
        let variant = BertModel(try BertArchitecture(learned), seed: 2)
        let tables = variant.store.names.filter { $0.hasSuffix("relative_positions_embeddings.weight") }
        // One table per layer is all that differs between the two models' parameters.
        #expect(tables.count == functional.layerCount)
        #expect(Set(variant.store.names).subtracting(tables) == Set(reference.store.names))
        for (name, tensor) in reference.store.ordered { variant.store[name]!.data.update(from: tensor.data, count: tensor.count) }
        let sinusoid = BertModel.relativePositionTable(maxDistance: functional.maxRelativePosition, depth: functional.headDimension)
        for name in tables {
            #expect(variant.store[name]!.shape == [2 * functional.maxRelativePosition + 1, functional.headDimension])
            variant.store[name]!.data.update(from: sinusoid.data, count: sinusoid.count)
        }
        // With the sinusoid in every learned table the two are the same network.
        let expected = try reference(Self.inputs(), graph: .inference()).sequence.values
        let same = try variant(Self.inputs(), graph: .inference()).sequence.values
        // Measured: 0 (the same kernels on the same numbers); exact.
        #expect(same == expected)

        // A learned table that moves changes the outputs and gets a gradient.
        variant.store[tables[0]]!.data[3] += 0.5
        let graph = Graph(training: true)
        let (sequence, _) = try variant(Self.inputs(), graph: graph)
        #expect(maxAbsDifference(sequence.values, expected) > 1e-3)
        graph.backward(from: graph.sum(sequence))
        for name in tables {
            #expect(variant.store[name]!.grad?.values.contains { $0 != 0 } == true, "\(name) has no gradient")
        }
    }

    /// MindSpore's checkpoint names of the tables map onto the NEZHA model's.
    @Test func mindSporeTableNames() {
        #expect(MindSporeNames.huggingFace("bert.bert.bert_encoder.layers.3.attention.attention._generate_relative_positions_embeddings.embeddings_table")
                == "bert.encoder.layer.3.attention.self.relative_positions_embeddings.weight")
    }
}
