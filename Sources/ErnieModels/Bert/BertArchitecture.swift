import ErnieEngine

/// The validated numbers a BERT/ERNIE network is built from (resolved from a `config.json`).
public struct BertArchitecture: Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var activation: Activation
    public var hiddenDropout: Float
    public var attentionDropout: Float
    public var maxPositions: Int
    public var typeVocabularySize: Int
    /// ERNIE 3.0's task-type embedding table size when `use_task_id`, else nil.
    public var taskTypeVocabularySize: Int?
    public var initializerRange: Float
    public var layerNormEps: Float
    public var padTokenId: Int
    /// The MLM decoder is the word-embedding matrix (`tie_word_embeddings`, transformers' default).
    public var tiesWordEmbeddings: Bool
    /// The family, for what differs between BERT-shaped encoders: RoBERTa's positions (counted from `padTokenId` + 1
    /// over the non-padding ids), its `lm_head` and its two-layer sequence classifier.
    public var modelType: ModelType
    /// ALBERT's embedding width E (the tables are [·, E], mapped to H); `hiddenSize` for the other families.
    public var embeddingSize: Int
    /// ALBERT's `num_hidden_groups` and `inner_group_num` (1 and 1 elsewhere: every layer its own).
    public var hiddenGroups: Int
    public var innerGroupLayers: Int
    /// DistilBERT's `sinusoidal_pos_embds`: the position table is initialised with sinusoids.
    public var sinusoidalPositions: Bool
    /// NEZHA's `max_relative_position` K (nil: no relative positions).
    public var maxRelativePosition: Int?
    /// MindSpore's NEZHA: each layer learns its relative-position table (transformers': one fixed sinusoid).
    public var learnsRelativePositions: Bool
    /// ERNIE-M's `act_dropout`: dropout after the feed-forward activation (0 elsewhere).
    public var activationDropout: Float
    /// Dropout before the pair head (ALBERT's `classifier_dropout_prob` on the SOP head; none in BERT).
    public var pairDropout: Float

    public init(vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
                activation: Activation = .gelu, hiddenDropout: Float = 0.1, attentionDropout: Float = 0.1,
                maxPositions: Int = 512, typeVocabularySize: Int = 2, taskTypeVocabularySize: Int? = nil,
                initializerRange: Float = 0.02, layerNormEps: Float = 1e-12, padTokenId: Int = 0,
                tiesWordEmbeddings: Bool = true, modelType: ModelType = .bert) throws {
        // ALBERT's own fields come from a config (`init(_ config:)`); this initialiser builds one-group families.
        self.init(uncheckedVocabularySize: vocabularySize, hiddenSize: hiddenSize, layers: layers, heads: heads,
                  intermediateSize: intermediateSize, activation: activation, hiddenDropout: hiddenDropout,
                  attentionDropout: attentionDropout, maxPositions: maxPositions, typeVocabularySize: typeVocabularySize,
                  taskTypeVocabularySize: taskTypeVocabularySize, initializerRange: initializerRange,
                  layerNormEps: layerNormEps, padTokenId: padTokenId, tiesWordEmbeddings: tiesWordEmbeddings, modelType: modelType)
        try validate()
    }

    init(uncheckedVocabularySize vocabularySize: Int, hiddenSize: Int, layers: Int, heads: Int, intermediateSize: Int,
         activation: Activation, hiddenDropout: Float, attentionDropout: Float, maxPositions: Int, typeVocabularySize: Int,
         taskTypeVocabularySize: Int?, initializerRange: Float, layerNormEps: Float, padTokenId: Int, tiesWordEmbeddings: Bool,
         modelType: ModelType) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.heads = heads
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.taskTypeVocabularySize = taskTypeVocabularySize
        self.initializerRange = initializerRange
        self.layerNormEps = layerNormEps
        self.padTokenId = padTokenId
        self.tiesWordEmbeddings = tiesWordEmbeddings
        self.modelType = modelType
        embeddingSize = hiddenSize
        hiddenGroups = 1
        innerGroupLayers = 1
        pairDropout = 0
        activationDropout = 0
        sinusoidalPositions = false
        maxRelativePosition = nil
        learnsRelativePositions = false
    }

    /// The longest sequence the position table covers (RoBERTa's positions start after `padTokenId`).
    public var maxSequenceLength: Int {
        switch modelType {
        case .roberta: maxPositions - padTokenId - 1
        case .ernieM: maxPositions - 2
        default: maxPositions
        }
    }

    /// The same shape with dropout 0: what must match for weights to be interchangeable.
    public var withoutDropout: BertArchitecture {
        var copy = self
        copy.hiddenDropout = 0
        copy.attentionDropout = 0
        copy.activationDropout = 0
        return copy
    }

    func validate() throws {
        if let (key, message) = Self.sizeProblem(
            vocabularySize: vocabularySize, hiddenSize: hiddenSize, layers: layers, heads: heads, intermediateSize: intermediateSize,
            maxPositions: maxPositions, typeVocabularySize: typeVocabularySize, taskTypeVocabularySize: taskTypeVocabularySize) {
            throw ModelError.invalidConfiguration("\(key) \(message)")
        }
        guard hiddenSize % heads == 0 else {
            throw ModelError.invalidConfiguration("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(heads)")
        }
        guard embeddingSize > 0, hiddenGroups > 0, innerGroupLayers > 0, layers % hiddenGroups == 0 else {
            throw ModelError.invalidConfiguration(
                "num_hidden_groups \(hiddenGroups) must divide num_hidden_layers \(layers) (inner_group_num \(innerGroupLayers), embedding_size \(embeddingSize))")
        }
        if modelType == .roberta, padTokenId + 2 > maxPositions {
            throw ModelError.invalidConfiguration(
                "max_position_embeddings \(maxPositions) leaves no position for RoBERTa, whose positions start at pad_token_id + 1 = \(padTokenId + 1)")
        }
        if modelType == .ernieM, maxPositions < 3 {
            throw ModelError.invalidConfiguration("max_position_embeddings \(maxPositions) leaves no position for ERNIE-M, whose positions start at 2")
        }
        for (name, p) in [("hidden_dropout_prob", hiddenDropout), ("attention_probs_dropout_prob", attentionDropout),
                          ("act_dropout", activationDropout)] where !(0..<1).contains(p) {
            throw ModelError.invalidConfiguration("\(name) must be in [0, 1), got \(p)")
        }
    }
}
