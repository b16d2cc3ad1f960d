import Foundation

extension ModelCheckpoint {
    /// Checks, before any model memory is spent, that the weights in `directory` are those of the encoder `table`
    /// describes: each embeddings/encoder/pooler tensor the checkpoint holds has the config's shape (only a task
    /// head may differ, e.g. for a new number of labels), and the config has no more layers than the checkpoint.
    ///
    /// Without it a config.json that disagrees with its weights (a typo, or a stale file) allocates a model of the
    /// config's size first, which may exhaust memory, and then silently re-initialises what does not fit.
    /// - Throws: `StateDictError.doesNotFitConfig` naming the tensor, both shapes and the config fields; errors of
    ///   the checkpoint files.
    public static func checkFits(directory: URL, table: ParameterTable) throws {
        let checkpoint = try openWeights(directory: directory)
        let config = table.config
        let prefix = config.modelType.parameterPrefix + "."
        func encoderKey(_ key: String) -> Substring? {
            let key = key.hasPrefix(prefix) ? key.dropFirst(prefix.count) : Substring(key)
            return ["embeddings.", "encoder.", "pooler."].contains { key.hasPrefix($0) } ? key : nil
        }
        let report = try resolve(checkpoint, table: table, options: StateDictLoadOptions(ignoreMismatchedSizes: true))
        // Not one tensor of the config's encoder: the weights are another family's (or not a model at all).
        let encoderNames = table.names.filter { encoderKey($0) != nil }
        if !encoderNames.isEmpty, !encoderNames.contains(where: { report.sources[$0] != nil }) {
            let family = ModelType.allCases.first { type in
                checkpoint.shapes.keys.contains { $0.hasPrefix(type.parameterPrefix + ".") || $0.hasPrefix(type.layerMarker) }
            }
            let example = checkpoint.shapes.keys.sorted().first ?? "no tensors"
            throw StateDictError.doesNotFitConfig(
                source: checkpoint.source,
                details: "config.json says model_type \(config.modelType.rawValue), but the checkpoint holds none of its tensors"
                    + (family.map { " (its names are a \($0.rawValue) model's, e.g. \(example))" } ?? " (e.g. \(example))"))
        }
        if let mismatch = report.mismatchedKeys.first(where: { encoderKey($0.name) != nil }) {
            throw StateDictError.doesNotFitConfig(
                source: checkpoint.source,
                details: "the checkpoint says \(mismatch.checkpointShape) for \(mismatch.name), config.json says \(fields(explaining: mismatch, config))")
        }
        let layerIndices = checkpoint.shapes.keys.compactMap { key -> Int? in
            guard let rest = encoderKey(key), rest.hasPrefix("encoder.layer.") else { return nil }
            return Int(rest.dropFirst("encoder.layer.".count).prefix { $0 != "." })
        }
        if let last = layerIndices.max(), last + 1 < config.layerCount {
            throw StateDictError.doesNotFitConfig(
                source: checkpoint.source,
                details: "the checkpoint holds \(last + 1) encoder layers, config.json says num_hidden_layers \(config.layerCount)")
        }
    }

    /// The config fields behind the model's dimensions that differ from the checkpoint's (e.g.
    /// "vocab_size 1099511627776"), else the model's shape.
    static func fields(explaining mismatch: ShapeMismatch, _ config: BertConfig) -> String {
        let fields = [
            ("vocab_size", config.vocabularySize), ("hidden_size", config.hiddenSize), ("intermediate_size", config.intermediateSize),
            ("max_position_embeddings", config.maxPositionEmbeddings), ("type_vocab_size", config.typeVocabularySize),
            ("task_type_vocab_size", config.taskTypeVocabularySize), ("embedding_size", config.embeddingSize ?? config.hiddenSize),
        ]
        var named = [String]()
        for (index, size) in mismatch.modelShape.enumerated()
        where index >= mismatch.checkpointShape.count || mismatch.checkpointShape[index] != size {
            if let (key, value) = fields.first(where: { $0.1 == size }), !named.contains("\(key) \(value)") { named.append("\(key) \(value)") }
        }
        return named.isEmpty ? "\(mismatch.modelShape)" : named.joined(separator: ", ")
    }
}

extension ModelType {
    /// A name part only this family's encoder layers have (for naming the family of foreign weights).
    var layerMarker: String {
        switch self {
        case .bert, .ernie: "encoder.layer."
        case .nezha: "relative_positions_encoding."
        case .roberta: "lm_head."
        case .albert: "encoder.albert_layer_groups."
        case .distilbert: "transformer.layer."
        case .ernieM: "self_attn.self_attn."
        }
    }
}
