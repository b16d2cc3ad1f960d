import ErnieBasics

extension BertConfig {
    /// The config transformers builds for `model_type` with no other field given: `RobertaConfig()` (vocabulary
    /// 50265, `pad_token_id` 1, `bos_token_id` 0, `eos_token_id` 2), `AlbertConfig()` (albert-xxlarge's shape:
    /// E 128, 12 × 4096, 64 heads, I 16384, gelu_new, no dropout, classifier dropout 0.1); the others BERT's.
    public static func familyDefaults(_ modelType: ModelType) -> BertConfig {
        var config = BertConfig(modelType: modelType)
        switch modelType {
        case .roberta:
            config.vocabularySize = 50265
            config.padTokenId = 1
            config.extraFields["bos_token_id"] = .integer(0)
            config.extraFields["eos_token_id"] = .integer(2)
        case .albert:
            config.vocabularySize = 30000
            config.embeddingSize = 128
            config.hiddenSize = 4096
            config.attentionHeadCount = 64
            config.intermediateSize = 16384
            config.hiddenActivation = .geluNew
            config.hiddenDropoutProbability = 0
            config.attentionDropoutProbability = 0
            config.classifierDropout = 0.1
            config.extraFields["bos_token_id"] = .integer(2)
            config.extraFields["eos_token_id"] = .integer(3)
        case .distilbert:
            config.layerCount = 6
            config.typeVocabularySize = 1
            config.classifierDropout = 0.2
            config.questionAnsweringDropout = 0.1
        case .nezha:
            config.vocabularySize = 21128
            config.classifierDropout = 0.1
            config.extraFields["bos_token_id"] = .integer(2)
            config.extraFields["eos_token_id"] = .integer(3)
        case .ernieM:
            // ErnieMConfig(): ernie-m-base's shape over XLM-R's 250,002 pieces.
            config.vocabularySize = 250002
            config.maxPositionEmbeddings = 514
            config.padTokenId = 1
            config.layerNormEpsilon = 1e-5
        case .bert, .ernie:
            break
        }
        return config
    }

    /// The longest sequence the position table covers: `max_position_embeddings`, less RoBERTa's offset
    /// (its positions start at `pad_token_id` + 1, so roberta-base's 514 cover 512 tokens).
    public var maxSequenceLength: Int {
        switch modelType {
        case .roberta: maxPositionEmbeddings - (padTokenId ?? 1) - 1
        case .ernieM: maxPositionEmbeddings - 2
        default: maxPositionEmbeddings
        }
    }

    /// This shape as another family with the same sequence coverage, for `--model_type` over a preset: RoBERTa gets
    /// one token type and positions offset past `padTokenId` (0 when absent); ALBERT embeddings of width min(128, H)
    /// in one group of one layer; DistilBERT its dropouts.
    public func converted(to other: ModelType) -> BertConfig {
        guard other != modelType else { return self }
        var config = self
        config.modelType = other
        config.useTaskId = false
        let pad = padTokenId ?? 0
        config.padTokenId = pad
        config.embeddingSize = other == .albert ? min(128, hiddenSize) : nil
        config.hiddenGroupCount = 1
        config.innerGroupCount = 1
        if other == .albert { config.classifierDropout = config.classifierDropout ?? 0.1 }
        if other == .distilbert {
            config.typeVocabularySize = 1
            config.layerNormEpsilon = 1e-12
            config.classifierDropout = config.classifierDropout ?? 0.2
            config.questionAnsweringDropout = 0.1
        }
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

    /// Sets `pad_token_id` (e.g. to the tokenizer's [PAD] id) keeping the sequence coverage: RoBERTa's position
    /// table grows or shrinks with its offset.
    public mutating func setPadTokenId(_ pad: Int) {
        let covered = maxSequenceLength
        padTokenId = pad
        if modelType == .roberta { maxPositionEmbeddings = covered + pad + 1 }
    }
}
