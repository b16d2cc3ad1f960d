import ErnieEngine

/// The MLM head: dense → activation → LayerNorm → decoder (tied to the word embeddings unless the config unties it),
/// plus a bias [vocab]. BERT/ERNIE's `cls.predictions` uses `hidden_act`; RoBERTa's `lm_head` always exact GELU;
/// ALBERT's `predictions` maps H to the embedding width E first.
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py (BertLMPredictionHead)
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/roberta/modeling_roberta.py (RobertaLMHead)
struct MaskedLanguageModelHead {
    let store: ParameterStore
    let architecture: BertArchitecture
    let names: (dense: String, layerNorm: String, decoder: String, bias: String)
    let activation: Activation

    /// Over the head's parameters declared in `store` (by `BertParameters`).
    init(_ architecture: BertArchitecture, store: ParameterStore) {
        self.store = store
        self.architecture = architecture
        names = Self.names(architecture.modelType)
        activation = architecture.modelType == .roberta ? .gelu : architecture.activation
    }

    /// The head's parameter names in `modelType`'s model.
    static func names(_ modelType: ModelType) -> (dense: String, layerNorm: String, decoder: String, bias: String) {
        switch modelType {
        case .roberta: ("lm_head.dense", "lm_head.layer_norm", "lm_head.decoder.weight", "lm_head.bias")
        case .albert: ("predictions.dense", "predictions.LayerNorm", "predictions.decoder.weight", "predictions.bias")
        case .distilbert: ("vocab_transform", "vocab_layer_norm", "vocab_projector.weight", "vocab_projector.bias")
        case .bert, .ernie, .nezha, .ernieM:  // ERNIE-M has no MLM head (`supports(.maskedLM)` is false)
            ("cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm", "cls.predictions.decoder.weight", "cls.predictions.bias")
        }
    }

    /// hidden: [rows, hidden] (only the masked positions, when training) → logits [rows, vocab].
    func callAsFunction(_ hidden: Tensor, wordEmbeddings: Tensor, graph: Graph) throws -> Tensor {
        var x = try graph.linear(hidden, weight: store[names.dense + ".weight"]!, bias: store[names.dense + ".bias"]!,
                                 activation: activation)
        x = try graph.layerNorm(x, weight: store[names.layerNorm + ".weight"]!, bias: store[names.layerNorm + ".bias"]!,
                                eps: architecture.layerNormEps)
        return try graph.linear(x, weight: store[names.decoder] ?? wordEmbeddings, bias: store[names.bias]!)
    }
}
