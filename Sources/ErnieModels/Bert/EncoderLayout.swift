/// Where a family keeps the tensors of its post-LN transformer layers (transformers' names, under the layer's prefix),
/// and which stored layer each pass of the encoder uses. BERT/ERNIE/RoBERTa: `encoder.layer.N.attention.self.query`
/// …, one stored layer per pass. ALBERT: `encoder.albert_layer_groups.G.albert_layers.J.attention.query` …, shared:
/// pass i of `num_hidden_layers` runs every layer J of group i / (layers / groups). DistilBERT:
/// `transformer.layer.N.attention.q_lin` ….
public struct EncoderLayout: Sendable {
    public var query: String
    public var key: String
    public var value: String
    public var attentionOutput: String
    public var attentionNorm: String
    public var intermediate: String
    public var output: String
    public var outputNorm: String
    /// BERT drops out the attention output before its residual; DistilBERT does not.
    public var dropsAttentionOutput: Bool
    /// BERT drops out the feed-forward output before its residual; ALBERT does not (its layer's dropout is unused).
    public var dropsFeedForwardOutput: Bool

    static let bert = EncoderLayout(
        query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
        attentionOutput: "attention.output.dense", attentionNorm: "attention.output.LayerNorm", intermediate: "intermediate.dense",
        output: "output.dense", outputNorm: "output.LayerNorm", dropsAttentionOutput: true, dropsFeedForwardOutput: true)
    static let albert = EncoderLayout(
        query: "attention.query", key: "attention.key", value: "attention.value", attentionOutput: "attention.dense",
        attentionNorm: "attention.LayerNorm", intermediate: "ffn", output: "ffn_output", outputNorm: "full_layer_layer_norm",
        dropsAttentionOutput: true, dropsFeedForwardOutput: false)
    static let distilbert = EncoderLayout(
        query: "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin", attentionOutput: "attention.out_lin",
        attentionNorm: "sa_layer_norm", intermediate: "ffn.lin1", output: "ffn.lin2", outputNorm: "output_layer_norm",
        dropsAttentionOutput: false, dropsFeedForwardOutput: true)
    /// ERNIE-M (`ErnieMEncoderLayer`): `self_attn.self_attn.{q,k,v}_proj`, `self_attn.out_proj`, `norm1`, `linear1`,
    /// `linear2`, `norm2`; its `act_dropout` after the activation is applied by the layer.
    static let ernieM = EncoderLayout(
        query: "self_attn.self_attn.q_proj", key: "self_attn.self_attn.k_proj", value: "self_attn.self_attn.v_proj",
        attentionOutput: "self_attn.out_proj", attentionNorm: "norm1", intermediate: "linear1", output: "linear2",
        outputNorm: "norm2", dropsAttentionOutput: true, dropsFeedForwardOutput: true)
}

extension BertArchitecture {
    /// The family's tensor names inside a layer.
    public var layout: EncoderLayout {
        switch modelType {
        case .albert: .albert
        case .distilbert: .distilbert
        case .ernieM: .ernieM
        case .bert, .ernie, .roberta, .nezha: .bert
        }
    }

    /// Layer passes of the encoder: `num_hidden_layers` × `inner_group_num`.
    public var layerPasses: Int { layers * innerGroupLayers }

    /// The prefix (relative to the encoder) of the stored layer that `pass` runs.
    public func layerPrefix(pass: Int) -> String {
        if modelType == .distilbert { return "transformer.layer.\(pass)." }
        if modelType == .ernieM { return "encoder.layers.\(pass)." }
        guard modelType == .albert else { return "encoder.layer.\(pass)." }
        let (layer, inner) = pass.quotientAndRemainder(dividingBy: innerGroupLayers)
        return storedLayerPrefix(group: layer / (layers / hiddenGroups), inner: inner)
    }

    /// Every stored layer's prefix, in declaration order.
    var storedLayerPrefixes: [String] {
        guard modelType == .albert else { return (0..<layers).map { layerPrefix(pass: $0) } }
        return (0..<hiddenGroups).flatMap { group in (0..<innerGroupLayers).map { storedLayerPrefix(group: group, inner: $0) } }
    }

    private func storedLayerPrefix(group: Int, inner: Int) -> String {
        "encoder.albert_layer_groups.\(group).albert_layers.\(inner)."
    }

    /// The embeddings' LayerNorm (`embeddings.LayerNorm`; ERNIE-M's `embeddings.layer_norm`).
    public var embeddingNormName: String { modelType == .ernieM ? "embeddings.layer_norm" : "embeddings.LayerNorm" }

    /// The pooler's linear layer (`pooler.dense`; ALBERT's is `pooler`).
    public var poolerName: String { modelType == .albert ? "pooler" : "pooler.dense" }

    /// The pair head's linear layer (`cls.seq_relationship`; ALBERT's `sop_classifier.classifier`).
    public var pairHeadName: String { modelType == .albert ? "sop_classifier.classifier" : "cls.seq_relationship" }
}
