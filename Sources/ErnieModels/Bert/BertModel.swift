import ErnieEngine
import Foundation

/// BERT/ERNIE encoder: embeddings → post-LN transformer layers → pooler, with Hugging Face parameter names; also
/// RoBERTa's, ALBERT's, DistilBERT's and NEZHA's (`BertArchitecture.modelType` and `layout` say what differs).
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py (BertModel)
///
/// Parameters live in a `ParameterStore` under `prefix` ("" for a bare base model, "bert." or "ernie." inside a head
/// model), declared by `BertParameters`, so a checkpoint maps onto it by name alone.
public struct BertModel: @unchecked Sendable {
    public let architecture: BertArchitecture
    public let prefix: String
    public let hasPooler: Bool
    /// Recompute each encoder layer's activations in the backward pass instead of keeping them (`--use_recompute`).
    public var recomputesLayers = false
    let parameters: ParameterStore
    /// NEZHA's functional relative positions [2K + 1, head dimension] (`relativePositionTable`); nil for MindSpore's
    /// learned tables, which are parameters of each layer.
    let relativePositions: Tensor?

    /// The encoder over parameters already declared in `parameters` under `prefix` (by `BertParameters`).
    public init(_ architecture: BertArchitecture, prefix: String, pooler: Bool, parameters: ParameterStore) {
        self.architecture = architecture
        self.prefix = prefix
        self.hasPooler = pooler
        self.parameters = parameters
        relativePositions = architecture.learnsRelativePositions ? nil : architecture.maxRelativePosition.map {
            Self.relativePositionTable(maxDistance: $0, depth: architecture.hiddenSize / architecture.heads)
        }
    }

    /// NezhaRelativePositionsEncoding's table: row m (distance m − K) holds sin(m · ωₜ) at column 2t and cos(m · ωₜ)
    /// at 2t + 1, ωₜ = 10000^(−2t / depth).  → [2K + 1, depth]
    public static func relativePositionTable(maxDistance: Int, depth: Int) -> Tensor {
        let table = Tensor(shape: [2 * maxDistance + 1, depth])
        for m in 0...(2 * maxDistance) {
            for column in 0..<depth {
                // As torch: the frequency and the product in float32.
                let frequency = Float(exp(Double(column / 2 * 2) * -(log(10000.0) / Double(depth))))
                let angle = Float(m) * frequency
                table.data[m * depth + column] = column % 2 == 0 ? sin(angle) : cos(angle)
            }
        }
        return table
    }

    /// transformers' `BertModel` (no prefix, with the pooler where the family has one), initialised as HF does from `seed`.
    public init(_ architecture: BertArchitecture, seed: UInt64 = 0) {
        let store = ParameterStore()
        BertParameters.declare(.base, architecture, encoderPrefix: "",
                               into: ParameterBuilder(store: store, initializerRange: architecture.initializerRange, seed: seed))
        self.init(architecture, prefix: "", pooler: architecture.modelType.hasPooler(.base), parameters: store)
    }

    /// The parameters (the whole model's when this encoder is part of a head model).
    public var store: ParameterStore { parameters }

    func p(_ name: String) -> Tensor { parameters[prefix + name]! }

    /// The word embedding table [vocab, hidden] (the MLM decoder is tied to it).
    public var wordEmbeddings: Tensor { p("embeddings.word_embeddings.weight") }

    /// sequence: [batch · seq, hidden]; pooled: [batch, hidden] (nil without a pooler).
    public func callAsFunction(_ inputs: BertInputs, graph: Graph) throws -> (sequence: Tensor, pooled: Tensor?) {
        try inputs.validate()
        let a = architecture
        let (batch, length) = (inputs.batch, inputs.sequence)
        guard length <= a.maxSequenceLength || inputs.positionIds != nil else {
            throw ModelError.invalidInput("sequence length \(length) exceeds the \(a.maxSequenceLength) positions of max_position_embeddings \(a.maxPositions)")
        }
        let zeros = [Int32](repeating: 0, count: batch * length)
        var x = try graph.embedding(p("embeddings.word_embeddings.weight"), ids: inputs.inputIds, name: "input_ids", paddingRow: a.padTokenId)
        if a.modelType == .roberta {
            // transformers adds token types before positions here (the sum's rounding follows the order).
            let positions = inputs.positionIds ?? Self.robertaPositions(inputs.inputIds, length: length, padding: Int32(a.padTokenId))
            x = try graph.add(x, graph.embedding(p("embeddings.token_type_embeddings.weight"), ids: inputs.tokenTypeIds ?? zeros, name: "token_type_ids"))
            x = try graph.add(x, graph.embedding(p("embeddings.position_embeddings.weight"), ids: positions, name: "position_ids",
                                                 paddingRow: a.padTokenId))
        } else if a.modelType == .nezha {
            x = try graph.add(x, graph.embedding(p("embeddings.token_type_embeddings.weight"), ids: inputs.tokenTypeIds ?? zeros, name: "token_type_ids"))
        } else if a.modelType == .ernieM {
            // ErnieMEmbeddings: positions 2, 3, … ("to mimic paddlenlp"), no token types.
            let positions = inputs.positionIds ?? (0..<batch * length).map { Int32($0 % length + 2) }
            x = try graph.add(x, graph.embedding(p("embeddings.position_embeddings.weight"), ids: positions, name: "position_ids",
                                                 paddingRow: a.padTokenId))
        } else if a.modelType == .distilbert {
            let positions = inputs.positionIds ?? (0..<batch * length).map { Int32($0 % length) }
            x = try graph.add(x, graph.embedding(p("embeddings.position_embeddings.weight"), ids: positions, name: "position_ids"))
        } else {
            let positions = inputs.positionIds ?? (0..<batch * length).map { Int32($0 % length) }
            let positionEmbeddings = try graph.embedding(p("embeddings.position_embeddings.weight"), ids: positions, name: "position_ids")
            let typeEmbeddings = try graph.embedding(p("embeddings.token_type_embeddings.weight"), ids: inputs.tokenTypeIds ?? zeros, name: "token_type_ids")
            // ALBERT adds token types before positions, BERT after (the sum's rounding follows the order).
            x = a.modelType == .albert ? try graph.add(graph.add(x, typeEmbeddings), positionEmbeddings)
                                       : try graph.add(graph.add(x, positionEmbeddings), typeEmbeddings)
        }
        if a.taskTypeVocabularySize != nil {
            x = try graph.add(x, graph.embedding(p("embeddings.task_type_embeddings.weight"), ids: inputs.taskTypeIds ?? zeros, name: "task_type_ids"))
        }
        x = try graph.layerNorm(x, weight: p(a.embeddingNormName + ".weight"), bias: p(a.embeddingNormName + ".bias"), eps: a.layerNormEps)
        x = try graph.dropout(x, probability: a.hiddenDropout)
        if a.modelType == .albert {
            x = try graph.linear(x, weight: p("encoder.embedding_hidden_mapping_in.weight"), bias: p("encoder.embedding_hidden_mapping_in.bias"))
        }

        // ErnieMModel without an attention mask masks the padding ids.
        let attentionMask = inputs.attentionMask
            ?? (a.modelType == .ernieM ? inputs.inputIds.map { $0 == Int32(a.padTokenId) ? 0 : 1 } : nil)
        let mask = try attentionMask.map { try Graph.additiveMask(from: $0, batch: batch, sequence: length) }
        for pass in 0..<a.layerPasses {
            let layer = a.layerPrefix(pass: pass)
            if recomputesLayers {
                x = try graph.recompute(x) { graph, x in try self.encoderLayer(layer, x, mask: mask, batch: batch, graph: graph) }
            } else {
                x = try encoderLayer(layer, x, mask: mask, batch: batch, graph: graph)
            }
        }
        guard hasPooler else { return (x, nil) }
        let first = try graph.gatherRows(x, indices: (0..<batch).map { Int32($0 * length) })
        let pooled = graph.tanh(try graph.linear(first, weight: p(a.poolerName + ".weight"), bias: p(a.poolerName + ".bias")))
        return (x, pooled)
    }

    /// RoBERTa's `create_position_ids_from_input_ids`: padding tokens get `padding`, the others `padding` + their
    /// count of non-padding tokens so far in the row (1, 2, …). ids: [batch · length] → [batch · length].
    public static func robertaPositions(_ ids: [Int32], length: Int, padding: Int32) -> [Int32] {
        var positions = [Int32](repeating: padding, count: ids.count)
        for rowStart in stride(from: 0, to: ids.count, by: length) {
            var count: Int32 = 0
            for index in rowStart..<rowStart + length where ids[index] != padding {
                count += 1
                positions[index] = padding + count
            }
        }
        return positions
    }

    /// One post-LN transformer layer (BertLayer, AlbertLayer): attention → add & norm → feed-forward → add & norm.
    /// `l`: the stored layer's prefix (`encoder.layer.3.`).
    func encoderLayer(_ l: String, _ x: Tensor, mask: Tensor?, batch: Int, graph: Graph) throws -> Tensor {
        let a = architecture
        let names = a.layout
        func dense(_ input: Tensor, _ name: String, activation: Activation? = nil) throws -> Tensor {
            try graph.linear(input, weight: p(l + name + ".weight"), bias: p(l + name + ".bias"), activation: activation)
        }
        let context = try graph.attention(
            query: dense(x, names.query), key: dense(x, names.key), value: dense(x, names.value),
            additiveMask: mask, batch: batch, heads: a.heads, dropout: a.attentionDropout,
            relativePositions: a.learnsRelativePositions ? p(l + BertParameters.learnedRelativePositions) : relativePositions)
        let attended = try dense(context, names.attentionOutput)
        let h = try graph.addLayerNorm(attended, residual: x, dropout: names.dropsAttentionOutput ? a.hiddenDropout : 0,
                                       weight: p(l + names.attentionNorm + ".weight"), bias: p(l + names.attentionNorm + ".bias"),
                                       eps: a.layerNormEps)
        var inner = try dense(h, names.intermediate, activation: a.activation)
        if a.activationDropout > 0 { inner = try graph.dropout(inner, probability: a.activationDropout) }
        let out = try dense(inner, names.output)
        return try graph.addLayerNorm(out, residual: h, dropout: names.dropsFeedForwardOutput ? a.hiddenDropout : 0,
                                      weight: p(l + names.outputNorm + ".weight"), bias: p(l + names.outputNorm + ".bias"),
                                      eps: a.layerNormEps)
    }
}
