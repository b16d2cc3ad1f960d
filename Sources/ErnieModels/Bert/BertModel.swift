import ErnieEngine

/// BERT/ERNIE encoder: embeddings → post-LN transformer layers → pooler, with Hugging Face parameter names.
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py (BertModel)
///
/// Parameters live in a `ParameterStore` under `prefix` ("" for a bare base model, "bert." or "ernie." inside a head
/// model), so a checkpoint maps onto it by name alone.
public struct BertModel: @unchecked Sendable {
    public let architecture: BertArchitecture
    public let prefix: String
    public let hasPooler: Bool
    /// Recompute each encoder layer's activations in the backward pass instead of keeping them (`--use_recompute`).
    public var recomputesLayers = false
    let parameters: ParameterStore

    /// Creates the parameters in `store`, initialised as HF does (normal(0, initializer_range), zero biases,
    /// LayerNorm 1/0, the padding embedding zeroed).
    public init(_ architecture: BertArchitecture, prefix: String, pooler: Bool, store: ParameterStore, random: inout RandomGenerator) {
        self.architecture = architecture
        self.prefix = prefix
        self.hasPooler = pooler
        self.parameters = store
        let h = architecture.hiddenSize, std = architecture.initializerRange
        let e = prefix + "embeddings."
        store.make(e + "word_embeddings.weight", shape: [architecture.vocabularySize, h],
                   .normalZeroRow(std: std, row: architecture.padTokenId), random: &random)
        store.make(e + "position_embeddings.weight", shape: [architecture.maxPositions, h], .normal(std: std), random: &random)
        store.make(e + "token_type_embeddings.weight", shape: [architecture.typeVocabularySize, h], .normal(std: std), random: &random)
        if let tasks = architecture.taskTypeVocabularySize {
            store.make(e + "task_type_embeddings.weight", shape: [tasks, h], .normal(std: std), random: &random)
        }
        store.make(e + "LayerNorm.weight", shape: [h], .ones, random: &random)
        store.make(e + "LayerNorm.bias", shape: [h], .zeros, random: &random)
        for layer in 0..<architecture.layers {
            let l = prefix + "encoder.layer.\(layer)."
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                store.make(l + name + ".weight", shape: [h, h], .normal(std: std), random: &random)
                store.make(l + name + ".bias", shape: [h], .zeros, random: &random)
            }
            store.make(l + "attention.output.LayerNorm.weight", shape: [h], .ones, random: &random)
            store.make(l + "attention.output.LayerNorm.bias", shape: [h], .zeros, random: &random)
            store.make(l + "intermediate.dense.weight", shape: [architecture.intermediateSize, h], .normal(std: std), random: &random)
            store.make(l + "intermediate.dense.bias", shape: [architecture.intermediateSize], .zeros, random: &random)
            store.make(l + "output.dense.weight", shape: [h, architecture.intermediateSize], .normal(std: std), random: &random)
            store.make(l + "output.dense.bias", shape: [h], .zeros, random: &random)
            store.make(l + "output.LayerNorm.weight", shape: [h], .ones, random: &random)
            store.make(l + "output.LayerNorm.bias", shape: [h], .zeros, random: &random)
        }
        if pooler {
            store.make(prefix + "pooler.dense.weight", shape: [h, h], .normal(std: std), random: &random)
            store.make(prefix + "pooler.dense.bias", shape: [h], .zeros, random: &random)
        }
    }

    func p(_ name: String) -> Tensor { parameters[prefix + name]! }

    /// The word embedding table [vocab, hidden] (the MLM decoder is tied to it).
    public var wordEmbeddings: Tensor { p("embeddings.word_embeddings.weight") }

    /// sequence: [batch · seq, hidden]; pooled: [batch, hidden] (nil without a pooler).
    public func callAsFunction(_ inputs: BertInputs, graph: Graph) throws -> (sequence: Tensor, pooled: Tensor?) {
        try inputs.validate()
        let a = architecture
        let (batch, length) = (inputs.batch, inputs.sequence)
        guard length <= a.maxPositions || inputs.positionIds != nil else {
            throw ModelError.invalidInput("sequence length \(length) exceeds max_position_embeddings \(a.maxPositions)")
        }
        let positions = inputs.positionIds ?? (0..<batch * length).map { Int32($0 % length) }
        let zeros = [Int32](repeating: 0, count: batch * length)
        var x = try graph.embedding(p("embeddings.word_embeddings.weight"), ids: inputs.inputIds, name: "input_ids")
        x = try graph.add(x, graph.embedding(p("embeddings.position_embeddings.weight"), ids: positions, name: "position_ids"))
        x = try graph.add(x, graph.embedding(p("embeddings.token_type_embeddings.weight"), ids: inputs.tokenTypeIds ?? zeros, name: "token_type_ids"))
        if a.taskTypeVocabularySize != nil {
            x = try graph.add(x, graph.embedding(p("embeddings.task_type_embeddings.weight"), ids: inputs.taskTypeIds ?? zeros, name: "task_type_ids"))
        }
        x = try graph.layerNorm(x, weight: p("embeddings.LayerNorm.weight"), bias: p("embeddings.LayerNorm.bias"), eps: a.layerNormEps)
        x = try graph.dropout(x, probability: a.hiddenDropout)

        let mask = try inputs.attentionMask.map { try Graph.additiveMask(from: $0, batch: batch, sequence: length) }
        for layer in 0..<a.layers {
            if recomputesLayers {
                x = try graph.recompute(x) { graph, x in try self.encoderLayer(layer, x, mask: mask, batch: batch, graph: graph) }
            } else {
                x = try encoderLayer(layer, x, mask: mask, batch: batch, graph: graph)
            }
        }
        guard hasPooler else { return (x, nil) }
        let first = try graph.gatherRows(x, indices: (0..<batch).map { Int32($0 * length) })
        let pooled = graph.tanh(try graph.linear(first, weight: p("pooler.dense.weight"), bias: p("pooler.dense.bias")))
        return (x, pooled)
    }

    /// One post-LN transformer layer (BertLayer): attention → add & norm → feed-forward → add & norm.
    func encoderLayer(_ index: Int, _ x: Tensor, mask: Tensor?, batch: Int, graph: Graph) throws -> Tensor {
        let a = architecture
        let l = "encoder.layer.\(index)."
        func dense(_ input: Tensor, _ name: String) throws -> Tensor {
            try graph.linear(input, weight: p(l + name + ".weight"), bias: p(l + name + ".bias"))
        }
        let context = try graph.attention(
            query: dense(x, "attention.self.query"), key: dense(x, "attention.self.key"), value: dense(x, "attention.self.value"),
            additiveMask: mask, batch: batch, heads: a.heads, dropout: a.attentionDropout)
        let attended = try graph.dropout(dense(context, "attention.output.dense"), probability: a.hiddenDropout)
        let h = try graph.layerNorm(graph.add(attended, x), weight: p(l + "attention.output.LayerNorm.weight"),
                                    bias: p(l + "attention.output.LayerNorm.bias"), eps: a.layerNormEps)
        let inner = graph.activation(try dense(h, "intermediate.dense"), a.activation)
        let out = try graph.dropout(dense(inner, "output.dense"), probability: a.hiddenDropout)
        return try graph.layerNorm(graph.add(out, h), weight: p(l + "output.LayerNorm.weight"),
                                   bias: p(l + "output.LayerNorm.bias"), eps: a.layerNormEps)
    }
}
