import ErnieBasics

extension BertArchitecture {
    /// The largest value ernie accepts for each size of config.json: far above any BERT-family model, and low
    /// enough that products of sizes cannot overflow and that a typo fails here instead of in an allocation.
    public static let sizeLimits: [String: Int] = [
        "vocab_size": 1 << 24, "hidden_size": 1 << 16, "num_hidden_layers": 1 << 10, "num_attention_heads": 1 << 12,
        "intermediate_size": 1 << 18, "max_position_embeddings": 1 << 20, "type_vocab_size": 1 << 16,
        "task_type_vocab_size": 1 << 16, "num_labels": 1 << 20, "embedding_size": 1 << 16, "num_hidden_groups": 1 << 10,
        "inner_group_num": 1 << 6,
    ]

    /// The most parameters a model may have: 2^34, 64 GiB as float32 before gradients and optimizer state.
    public static let maxParameterCount = 1 << 34

    /// The first size that is not positive or exceeds `sizeLimits`, or a model over `maxParameterCount`, as the
    /// field to blame and what is wrong; nil when all is well.
    static func sizeProblem(
        vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int, maxPositions: Int,
        typeVocabularySize: Int, taskTypeVocabularySize: Int?
    ) -> (key: String, message: String)? {
        var sizes: [(String, Int)] = [
            ("vocab_size", vocabularySize), ("hidden_size", hiddenSize), ("num_hidden_layers", layers),
            ("num_attention_heads", heads), ("intermediate_size", intermediateSize),
            ("max_position_embeddings", maxPositions), ("type_vocab_size", typeVocabularySize),
        ]
        if let taskTypeVocabularySize { sizes.append(("task_type_vocab_size", taskTypeVocabularySize)) }
        for (key, value) in sizes {
            if value <= 0 { return (key, "must be positive, found \(value)") }
            if let limit = sizeLimits[key], value > limit { return (key, "must be at most \(limit), found \(value)") }
        }
        // Within the limits nothing below overflows; CheckedSize keeps it so if the limits change.
        let tables = CheckedSize.sum([vocabularySize, maxPositions, typeVocabularySize, taskTypeVocabularySize ?? 0])
        let embeddings = tables.flatMap { CheckedSize.product($0, hiddenSize) }
        let layer = CheckedSize.product(hiddenSize, 4 * hiddenSize + 2 * intermediateSize)
        let total = CheckedSize.sum(embeddings ?? -1, layer.flatMap { CheckedSize.product($0, layers) } ?? -1)
        guard let total, total <= maxParameterCount else {
            return ("hidden_size", "a model of vocab_size \(vocabularySize), hidden_size \(hiddenSize), num_hidden_layers \(layers) and "
                        + "intermediate_size \(intermediateSize) has \(total.map { "\($0)" } ?? "too many") parameters, over ernie's limit of \(maxParameterCount)")
        }
        return nil
    }
}
