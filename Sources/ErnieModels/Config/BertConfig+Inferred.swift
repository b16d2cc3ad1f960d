extension BertConfig {
    /// The BERT config whose parameters have `shapes` (transformers' names, as the checkpoint readers map them), for
    /// a weights file that comes without config.json (MindSpore's `.ckpt`, a bare `.bin`): sizes from the embedding,
    /// layer and head tensors; `num_attention_heads` from hidden / 64 (every public BERT size), since no tensor
    /// records it; the head from the head tensors. Returns nil when the embeddings or layers are not there.
    public static func inferred(fromShapes shapes: [String: [Int]]) -> (config: BertConfig, head: ModelHead)? {
        let prefix = shapes.keys.contains { $0.hasPrefix("ernie.") } ? "ernie." : "bert."
        guard let words = shapes[prefix + "embeddings.word_embeddings.weight"], words.count == 2,
              let intermediate = shapes[prefix + "encoder.layer.0.intermediate.dense.weight"], intermediate.count == 2 else { return nil }
        var layers = 0
        while shapes[prefix + "encoder.layer.\(layers).attention.self.query.weight"] != nil { layers += 1 }
        var config = BertConfig(modelType: prefix == "ernie." ? .ernie : .bert, vocabularySize: words[0])
        config.hiddenSize = words[1]
        config.layerCount = layers
        config.attentionHeadCount = words[1] % 64 == 0 ? words[1] / 64 : 1
        config.intermediateSize = intermediate[0]
        if let positions = shapes[prefix + "embeddings.position_embeddings.weight"]?.first { config.maxPositionEmbeddings = positions }
        if let types = shapes[prefix + "embeddings.token_type_embeddings.weight"]?.first { config.typeVocabularySize = types }
        var head = ModelHead.base
        if shapes["cls.predictions.bias"] != nil { head = shapes["cls.seq_relationship.weight"] != nil ? .pretraining : .maskedLM }
        if let labels = shapes["qa_outputs.weight"]?.first, labels == 2 { head = .questionAnswering }
        if let labels = shapes["classifier.weight"]?.first {
            head = .sequenceClassification
            config.labelsById = Dictionary(uniqueKeysWithValues: (0..<labels).map { ($0, "LABEL_\($0)") })
            config.idsByLabel = Dictionary(uniqueKeysWithValues: (0..<labels).map { ("LABEL_\($0)", $0) })
        }
        config.architectures = [head.architectureName(for: config.modelType)]
        return (config, head)
    }
}
