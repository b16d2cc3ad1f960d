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
        switch architecture.modelType {
        case .roberta:
            names = ("lm_head.dense", "lm_head.layer_norm", "lm_head.decoder.weight", "lm_head.bias")
            activation = .gelu
        case .albert:
            names = ("predictions.dense", "predictions.LayerNorm", "predictions.decoder.weight", "predictions.bias")
            activation = architecture.activation
        case .distilbert:
            names = ("vocab_transform", "vocab_layer_norm", "vocab_projector.weight", "vocab_projector.bias")
            activation = architecture.activation
        case .bert, .ernie, .nezha:
            names = ("cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm", "cls.predictions.decoder.weight",
                     "cls.predictions.bias")
            activation = architecture.activation
        }
    }

    /// hidden: [rows, hidden] (only the masked positions, when training) → logits [rows, vocab].
    func callAsFunction(_ hidden: Tensor, wordEmbeddings: Tensor, graph: Graph) throws -> Tensor {
        var x = try graph.linear(hidden, weight: store[names.dense + ".weight"]!, bias: store[names.dense + ".bias"]!)
        x = graph.activation(x, activation)
        x = try graph.layerNorm(x, weight: store[names.layerNorm + ".weight"]!, bias: store[names.layerNorm + ".bias"]!,
                                eps: architecture.layerNormEps)
        return try graph.linear(x, weight: store[names.decoder] ?? wordEmbeddings, bias: store[names.bias]!)
    }
}
