import ErnieEngine

/// `cls.predictions`: dense → activation → LayerNorm → decoder (tied to the word embeddings unless the config unties
/// it), plus a bias [vocab].
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py (BertLMPredictionHead)
struct MaskedLanguageModelHead {
    let store: ParameterStore
    let architecture: BertArchitecture

    /// Over the `cls.predictions.*` parameters declared in `store` (by `BertParameters`).
    init(_ architecture: BertArchitecture, store: ParameterStore) {
        self.store = store
        self.architecture = architecture
    }

    /// hidden: [rows, hidden] (only the masked positions, when training) → logits [rows, vocab].
    func callAsFunction(_ hidden: Tensor, wordEmbeddings: Tensor, graph: Graph) throws -> Tensor {
        var x = try graph.linear(hidden, weight: store["cls.predictions.transform.dense.weight"]!,
                                 bias: store["cls.predictions.transform.dense.bias"]!)
        x = graph.activation(x, architecture.activation)
        x = try graph.layerNorm(x, weight: store["cls.predictions.transform.LayerNorm.weight"]!,
                                bias: store["cls.predictions.transform.LayerNorm.bias"]!, eps: architecture.layerNormEps)
        return try graph.linear(x, weight: store["cls.predictions.decoder.weight"] ?? wordEmbeddings, bias: store["cls.predictions.bias"]!)
    }
}
