import ErnieEngine

/// One label per token (HF `BertForTokenClassification`: no pooler, dropout on the sequence output).
public struct BertForTokenClassification: @unchecked Sendable {
    public let parameters: ParameterStore
    public var bert: BertModel
    public let labels: Int
    public let classifierDropout: Float

    public init(_ architecture: BertArchitecture, prefix: String, labels: Int, classifierDropout: Float? = nil, seed: UInt64 = 0) {
        let store = ParameterStore()
        BertParameters.declare(.tokenClassification, architecture, encoderPrefix: prefix,
                               labels: labels, into: ParameterBuilder(store: store, initializerRange: architecture.initializerRange, seed: seed))
        parameters = store
        bert = BertModel(architecture, prefix: prefix, pooler: false, parameters: store)
        self.labels = labels
        self.classifierDropout = classifierDropout ?? architecture.hiddenDropout
    }

    /// logits: [batch · seq, labels]; loss: CE over tokens whose label is not `ignoreIndex`.
    public func callAsFunction(_ inputs: BertInputs, labels targets: [Int32]? = nil, ignoreIndex: Int32 = -100,
                               graph: Graph) throws -> (logits: Tensor, loss: Tensor?) {
        let (sequence, _) = try bert(inputs, graph: graph)
        let x = try graph.dropout(sequence, probability: classifierDropout)
        let logits = try graph.linear(x, weight: parameters["classifier.weight"]!, bias: parameters["classifier.bias"]!)
        let loss = try targets.map { try graph.crossEntropy(logits: logits, targets: $0, ignoreIndex: ignoreIndex) }
        return (logits, loss)
    }
}
