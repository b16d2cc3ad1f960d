import ErnieBasics

extension BertConfig {
    /// The config transformers builds for `model_type` with no other field given (`RobertaConfig()`: vocabulary 50265,
    /// `pad_token_id` 1, `bos_token_id` 0, `eos_token_id` 2; the others BERT's).
    public static func familyDefaults(_ modelType: ModelType) -> BertConfig {
        var config = BertConfig(modelType: modelType)
        if modelType == .roberta {
            config.vocabularySize = 50265
            config.padTokenId = 1
            config.extraFields["bos_token_id"] = .integer(0)
            config.extraFields["eos_token_id"] = .integer(2)
        }
        return config
    }

    /// The longest sequence the position table covers: `max_position_embeddings`, less RoBERTa's offset
    /// (its positions start at `pad_token_id` + 1, so roberta-base's 514 cover 512 tokens).
    public var maxSequenceLength: Int {
        modelType == .roberta ? maxPositionEmbeddings - (padTokenId ?? 1) - 1 : maxPositionEmbeddings
    }

    /// This shape as another family with the same sequence coverage, for `--model_type` over a preset:
    /// RoBERTa gets one token type, positions offset past `padTokenId` (the tokenizer's padding id) and its
    /// special-token ids.
    public func converted(to other: ModelType, padTokenId pad: Int) -> BertConfig {
        guard other != modelType else { return self }
        var config = self
        config.modelType = other
        config.useTaskId = false
        config.padTokenId = pad
        if other == .roberta {
            config.typeVocabularySize = 1
            config.maxPositionEmbeddings = maxSequenceLength + pad + 1
        } else if modelType == .roberta {
            config.maxPositionEmbeddings = maxSequenceLength
            config.typeVocabularySize = 2
            config.extraFields["bos_token_id"] = nil
            config.extraFields["eos_token_id"] = nil
        }
        return config
    }
}
