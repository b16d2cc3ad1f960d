import ErnieEngine
import Foundation
import Testing
@testable import ErnieModels

/// The declaration layer bends where the next families need it, shown on ALBERT's and RoBERTa's layouts (transformers'
/// `AlbertModel` / `RobertaModel` names and `named_parameters()` order): embeddings narrower than the hidden size with
/// a mapping layer, one layer group shared across depth (its gradient the sum over its uses), a learned
/// relative-position table (MindSpore's NEZHA), no token-type table, and position ids offset past the padding id.
@Suite struct ParameterDeclarationTests {
    /// ALBERT's encoder: E-wide embeddings, `embedding_hidden_mapping_in`, `groups` × `inner` shared layers.
    static func declareAlbert(vocab: Int, embedding: Int, hidden: Int, intermediate: Int, groups: Int, inner: Int,
                              relativePositions: Int? = nil, into builder: ParameterBuilder) {
        let embeddings = builder.scoped("embeddings")
        embeddings.embedding("word_embeddings", count: vocab, width: embedding, paddingRow: 0)
        embeddings.embedding("position_embeddings", count: 16, width: embedding)
        embeddings.embedding("token_type_embeddings", count: 2, width: embedding)
        embeddings.layerNorm("LayerNorm", width: embedding)
        let encoder = builder.scoped("encoder")
        encoder.linear("embedding_hidden_mapping_in", out: hidden, in: embedding)
        for group in 0..<groups {
            for index in 0..<inner {
                let layer = encoder.scoped("albert_layer_groups.\(group).albert_layers.\(index)")
                layer.layerNorm("full_layer_layer_norm", width: hidden)
                for name in ["query", "key", "value"] { layer.linear("attention." + name, out: hidden, in: hidden) }
                if let relativePositions {
                    layer.parameter("attention.relative_positions_embeddings.weight", shape: [2 * relativePositions + 1, hidden], kind: .embedding)
                }
                layer.linear("attention.dense", out: hidden, in: hidden)
                layer.layerNorm("attention.LayerNorm", width: hidden)
                layer.linear("ffn", out: intermediate, in: hidden)
                layer.linear("ffn_output", out: hidden, in: intermediate)
            }
        }
        builder.linear("pooler", out: hidden, in: hidden)
    }

    @Test func albertLayoutWithSharedGroupsAndNarrowEmbeddings() {
        let store = ParameterStore(declarationOnly: true)
        Self.declareAlbert(vocab: 30, embedding: 8, hidden: 16, intermediate: 32, groups: 1, inner: 1,
                           into: ParameterBuilder(store: store, initializerRange: 0.02, seed: 0).scoped("albert"))
        let names = store.specs.map(\.name)
        // 12 layers or 2: one group, declared once (transformers' AlbertModel names, in its order).
        #expect(names == [
            "albert.embeddings.word_embeddings.weight", "albert.embeddings.position_embeddings.weight",
            "albert.embeddings.token_type_embeddings.weight", "albert.embeddings.LayerNorm.weight", "albert.embeddings.LayerNorm.bias",
            "albert.encoder.embedding_hidden_mapping_in.weight", "albert.encoder.embedding_hidden_mapping_in.bias",
        ] + ["full_layer_layer_norm.weight", "full_layer_layer_norm.bias", "attention.query.weight", "attention.query.bias",
             "attention.key.weight", "attention.key.bias", "attention.value.weight", "attention.value.bias",
             "attention.dense.weight", "attention.dense.bias", "attention.LayerNorm.weight", "attention.LayerNorm.bias",
             "ffn.weight", "ffn.bias", "ffn_output.weight", "ffn_output.bias"].map { "albert.encoder.albert_layer_groups.0.albert_layers.0." + $0 }
            + ["albert.pooler.weight", "albert.pooler.bias"])
        let shapes = Dictionary(uniqueKeysWithValues: store.specs.map { ($0.name, $0.shape) })
        #expect(shapes["albert.embeddings.word_embeddings.weight"] == [30, 8])
        #expect(shapes["albert.encoder.embedding_hidden_mapping_in.weight"] == [16, 8])
        // Decayed: 3 tables, the mapping, q, k, v, dense, ffn, ffn_output and the pooler weights.
        #expect(store.specs.filter(\.weightDecay).count == 11)
    }

    @Test func relativePositionTableAndNoTokenTypes() {
        let store = ParameterStore(declarationOnly: true)
        Self.declareAlbert(vocab: 30, embedding: 16, hidden: 16, intermediate: 32, groups: 1, inner: 1, relativePositions: 16,
                           into: ParameterBuilder(store: store, initializerRange: 0.02, seed: 0))
        #expect(store.specs.first { $0.name.hasSuffix("relative_positions_embeddings.weight") }?.shape == [33, 16])
        // RoBERTa: type_vocab_size 1, positions from the padding mask offset by padding_idx + 1, no pooler here.
        let roberta = ParameterStore(declarationOnly: true)
        let embeddings = ParameterBuilder(store: roberta, initializerRange: 0.02, seed: 0).scoped("roberta").scoped("embeddings")
        embeddings.embedding("word_embeddings", count: 50, width: 8, paddingRow: 1)
        embeddings.embedding("position_embeddings", count: 16 + 2, width: 8, paddingRow: 1)
        embeddings.layerNorm("LayerNorm", width: 8)
        #expect(!roberta.specs.contains { $0.name.contains("token_type") })
        #expect(roberta.specs[1].shape == [18, 8])
    }

    /// One layer used at every depth: its gradient is the sum of the gradients of separate copies, one per use.
    @Test func sharedLayerGradientIsTheSumOverItsUses() throws {
        let hidden = 8, rows = 3, depth = 3
        let shared = ParameterStore()
        ParameterBuilder(store: shared, initializerRange: 0.5, seed: 7).linear("layer", out: hidden, in: hidden)
        let copies = ParameterStore()
        for index in 0..<depth { ParameterBuilder(store: copies, initializerRange: 0.5, seed: 7).scoped("copy\(index)").linear("layer", out: hidden, in: hidden) }
        var random = RandomGenerator(seed: 3)
        let input = Tensor(shape: [rows, hidden])
        random.fillNormal(input, std: 1)
        func run(_ weight: (Int) -> (Tensor, Tensor)) throws {
            let graph = Graph(training: true)
            var x = input
            for index in 0..<depth {
                let (w, b) = weight(index)
                x = graph.tanh(try graph.linear(x, weight: w, bias: b))
            }
            graph.backward(from: graph.sum(x))
        }
        try run { _ in (shared["layer.weight"]!, shared["layer.bias"]!) }
        try run { (copies["copy\($0).layer.weight"]!, copies["copy\($0).layer.bias"]!) }
        for suffix in ["weight", "bias"] {
            let summed = (0..<depth).map { copies["copy\($0).layer.\(suffix)"]!.grad!.values }
                .reduce(into: [Float](repeating: 0, count: shared["layer.\(suffix)"]!.count)) { total, g in for i in g.indices { total[i] += g[i] } }
            let worst = zip(shared["layer.\(suffix)"]!.grad!.values, summed).map { abs($0 - $1) }.max()!
            // Measured: ≤ 6e-8 (float32 summation order); bar 1e-6.
            #expect(worst <= 1e-6, "\(suffix): \(worst)")
        }
    }
}
