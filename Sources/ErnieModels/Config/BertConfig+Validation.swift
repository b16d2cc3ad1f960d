extension BertConfig {
    /// Checks that a model can be built from this config (sizes positive and within `BertArchitecture.sizeLimits`,
    /// H divisible by the heads, probabilities in [0, 1), labels numbered 0…n−1, only features ernie implements).
    /// - Throws: `ConfigError` naming `source` and the field.
    public func validate(source: String = "config") throws {
        func invalid(_ key: String, _ message: String) -> ConfigError {
            .invalidValue(source: source, key: key, message: message)
        }
        if useTaskId && taskTypeVocabularySize <= 0 {
            throw invalid("task_type_vocab_size", "must be positive when use_task_id is true, found \(taskTypeVocabularySize)")
        }
        if let (key, message) = BertArchitecture.sizeProblem(
            vocabularySize: vocabularySize, hiddenSize: hiddenSize, layers: layerCount, heads: attentionHeadCount,
            intermediateSize: intermediateSize, maxPositions: maxPositionEmbeddings, typeVocabularySize: typeVocabularySize,
            taskTypeVocabularySize: useTaskId ? taskTypeVocabularySize : nil) {
            throw invalid(key, message)
        }
        if modelType == .albert {
            let limits = BertArchitecture.sizeLimits
            for (key, value) in [("embedding_size", embeddingSize ?? hiddenSize), ("num_hidden_groups", hiddenGroupCount),
                                 ("inner_group_num", innerGroupCount)] {
                if value <= 0 { throw invalid(key, "must be positive, found \(value)") }
                if let limit = limits[key], value > limit { throw invalid(key, "must be at most \(limit), found \(value)") }
            }
            guard hiddenGroupCount <= layerCount, layerCount % hiddenGroupCount == 0 else {
                throw invalid("num_hidden_groups", "(\(hiddenGroupCount)) must divide num_hidden_layers (\(layerCount)): layer i uses group i / (layers / groups)")
            }
        }
        if modelType == .nezha, !(1...(1 << 16)).contains(maxRelativePosition) {
            throw invalid("max_relative_position", "must be between 1 and 65536, found \(maxRelativePosition)")
        }
        guard hiddenSize % attentionHeadCount == 0 else {
            throw invalid(
                "hidden_size",
                "(\(hiddenSize)) is not a multiple of num_attention_heads (\(attentionHeadCount)); each head gets hidden_size / heads dimensions")
        }
        let probabilities: [(String, Double?)] = [
            ("hidden_dropout_prob", hiddenDropoutProbability), ("attention_probs_dropout_prob", attentionDropoutProbability),
            ("classifier_dropout", classifierDropout),
        ]
        for (key, value) in probabilities {
            if let value, !(value >= 0 && value < 1) { throw invalid(key, "must be in [0, 1), found \(value)") }
        }
        guard layerNormEpsilon > 0, layerNormEpsilon.isFinite else {
            throw invalid("layer_norm_eps", "must be positive, found \(layerNormEpsilon)")
        }
        guard initializerRange >= 0, initializerRange.isFinite else {
            throw invalid("initializer_range", "must be ≥ 0, found \(initializerRange)")
        }
        if let padTokenId, !(0..<vocabularySize).contains(padTokenId) {
            throw invalid("pad_token_id", "(\(padTokenId)) must be a token id below vocab_size (\(vocabularySize))")
        }
        guard positionEmbeddingType == .absolute else {
            throw ConfigError.unsupportedValue(
                source: source, key: "position_embedding_type", value: "\"\(positionEmbeddingType.rawValue)\"",
                supported: [PositionEmbeddingType.absolute.rawValue])
        }
        if labelsById.keys.contains(where: { !(0..<labelCount).contains($0) }) {
            throw invalid("id2label", "keys must be 0…\(labelCount - 1) (one per logit), found \(labelsById.keys.sorted())")
        }
        if problemType == .regression && labelCount != 1 {
            throw invalid("problem_type", "\"regression\" needs exactly one label, found num_labels \(labelCount)")
        }
    }
}
