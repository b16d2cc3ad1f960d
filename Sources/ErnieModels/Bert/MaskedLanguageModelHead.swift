import ErnieEngine

/// `cls.predictions`: dense → activation → LayerNorm → decoder tied to the word embeddings, plus a bias [vocab].
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py (BertLMPredictionHead)
struct MaskedLanguageModelHead {
    let store: ParameterStore
    let architecture: BertArchitecture

    init(_ architecture: BertArchitecture, store: ParameterStore, random: inout RandomGenerator) {
        self.store = store
        self.architecture = architecture
        let h = architecture.hiddenSize
        store.make("cls.predictions.transform.dense.weight", shape: [h, h], .normal(std: architecture.initializerRange), random: &random)
        store.make("cls.predictions.transform.dense.bias", shape: [h], .zeros, random: &random)
        store.make("cls.predictions.transform.LayerNorm.weight", shape: [h], .ones, random: &random)
        store.make("cls.predictions.transform.LayerNorm.bias", shape: [h], .zeros, random: &random)
        store.make("cls.predictions.bias", shape: [architecture.vocabularySize], .zeros, random: &random)
    }

    /// hidden: [rows, hidden] (only the masked positions, when training) → logits [rows, vocab].
    func callAsFunction(_ hidden: Tensor, wordEmbeddings: Tensor, graph: Graph) throws -> Tensor {
        var x = try graph.linear(hidden, weight: store["cls.predictions.transform.dense.weight"]!,
                                 bias: store["cls.predictions.transform.dense.bias"]!)
        x = graph.activation(x, architecture.activation)
        x = try graph.layerNorm(x, weight: store["cls.predictions.transform.LayerNorm.weight"]!,
                                bias: store["cls.predictions.transform.LayerNorm.bias"]!, eps: architecture.layerNormEps)
        return try graph.linear(x, weight: wordEmbeddings, bias: store["cls.predictions.bias"]!)
    }
}
