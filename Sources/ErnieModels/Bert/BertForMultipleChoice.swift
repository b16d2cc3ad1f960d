import ErnieEngine

/// Multiple choice (HF `BertForMultipleChoice`): each choice is a row; one score per choice from the pooled [CLS].
public struct BertForMultipleChoice: @unchecked Sendable {
    public let parameters: ParameterStore
    public var bert: BertModel
    public let classifierDropout: Float

    public init(_ architecture: BertArchitecture, prefix: String, classifierDropout: Float? = nil, seed: UInt64 = 0) {
        let store = ParameterStore()
        BertParameters.declare(.multipleChoice, architecture, encoderPrefix: prefix,
                               into: ParameterBuilder(store: store, initializerRange: architecture.initializerRange, seed: seed))
        parameters = store
        bert = BertModel(architecture, prefix: prefix, pooler: architecture.modelType.hasPooler(.multipleChoice), parameters: store)
        self.classifierDropout = classifierDropout ?? architecture.hiddenDropout
    }

    /// inputs: [questions · choices, seq] → logits [questions, choices]; labels: [questions] (the right choice).
    public func callAsFunction(_ inputs: BertInputs, choices: Int, labels: [Int32]? = nil,
                               graph: Graph) throws -> (logits: Tensor, loss: Tensor?) {
        guard choices > 0, inputs.batch % choices == 0 else {
            throw ModelError.invalidInput("batch \(inputs.batch) is not a whole number of questions with \(choices) choices")
        }
        let (sequence, pooled) = try bert(inputs, graph: graph)
        let scores = try sentenceLogits(sequence, pooled: pooled, batch: inputs.batch, length: inputs.sequence,
                                      architecture: bert.architecture, dropout: classifierDropout, parameters: parameters, graph: graph)
        let logits = try graph.reshape(scores, [inputs.batch / choices, choices])
        let loss = try labels.map { try graph.crossEntropy(logits: logits, targets: $0) }
        return (logits, loss)
    }
}
