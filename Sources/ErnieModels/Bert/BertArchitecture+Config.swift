import ErnieEngine

extension BertArchitecture {
    /// The network shape a `config.json` describes.
    /// - Throws: `ModelError.invalidConfiguration` for what ernie cannot build (relative position embeddings) and
    ///   for sizes out of range.
    public init(_ config: BertConfig) throws {
        guard config.positionEmbeddingType == .absolute else {
            throw ModelError.invalidConfiguration(
                "position_embedding_type \"\(config.positionEmbeddingType.rawValue)\" is not supported; ernie builds absolute positions")
        }
        self.init(unchecked: config)
        try validate()
    }

    /// The shape without validation: for declarations that read names and shapes only (`ParameterTable`).
    init(unchecked config: BertConfig) {
        let activation: Activation = switch config.hiddenActivation {
        case .gelu: .gelu
        case .geluNew: .geluNew
        case .relu: .relu
        }
        self.init(
            uncheckedVocabularySize: config.vocabularySize, hiddenSize: config.hiddenSize, layers: config.layerCount,
            heads: config.attentionHeadCount, intermediateSize: config.intermediateSize, activation: activation,
            hiddenDropout: Float(config.hiddenDropoutProbability), attentionDropout: Float(config.attentionDropoutProbability),
            maxPositions: config.maxPositionEmbeddings, typeVocabularySize: config.typeVocabularySize,
            taskTypeVocabularySize: config.modelType == .ernie && config.useTaskId ? config.taskTypeVocabularySize : nil,
            initializerRange: Float(config.initializerRange), layerNormEps: Float(config.layerNormEpsilon),
            padTokenId: config.padTokenId ?? 0, tiesWordEmbeddings: config.tieWordEmbeddings,
            modelType: config.modelType)
        sinusoidalPositions = config.modelType == .distilbert && config.sinusoidalPositions
        maxRelativePosition = config.modelType == .nezha ? config.maxRelativePosition : nil
        learnsRelativePositions = config.modelType == .nezha && config.learnsRelativePositions
        if config.modelType == .ernieM { activationDropout = Float(config.activationDropout) }
        if config.modelType == .albert {
            embeddingSize = config.embeddingSize ?? config.hiddenSize
            hiddenGroups = config.hiddenGroupCount
            innerGroupLayers = config.innerGroupCount
            pairDropout = Float(config.classifierDropout ?? 0)
        }
    }
}
