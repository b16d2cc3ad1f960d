import ErnieEngine

/// Extractive QA: start and end logits per token (HF `BertForQuestionAnswering`: no pooler, no dropout;
/// DistilBERT's drops out the hidden states first, `qa_dropout`).
public struct BertForQuestionAnswering: @unchecked Sendable {
    public let parameters: ParameterStore
    public var bert: BertModel
    public let dropout: Float

    public init(_ architecture: BertArchitecture, prefix: String, dropout: Float = 0, seed: UInt64 = 0) {
        self.dropout = dropout
        let store = ParameterStore()
        BertParameters.declare(.questionAnswering, architecture, encoderPrefix: prefix,
                               into: ParameterBuilder(store: store, initializerRange: architecture.initializerRange, seed: seed))
        parameters = store
        bert = BertModel(architecture, prefix: prefix, pooler: false, parameters: store)
    }

    /// start, end: [batch, seq]. Loss = mean of the start and end CEs; positions outside [0, seq) are ignored
    /// (HF clamps them to seq and ignores that index).
    public func callAsFunction(_ inputs: BertInputs, startPositions: [Int32]? = nil, endPositions: [Int32]? = nil,
                               graph: Graph) throws -> (start: Tensor, end: Tensor, loss: Tensor?) {
        let (sequence, _) = try bert(inputs, graph: graph)
        let logits = try graph.linear(graph.dropout(sequence, probability: dropout), weight: parameters["qa_outputs.weight"]!, bias: parameters["qa_outputs.bias"]!)
        let parts = try graph.splitColumns(logits, widths: [1, 1])
        let start = try graph.reshape(parts[0], [inputs.batch, inputs.sequence])
        let end = try graph.reshape(parts[1], [inputs.batch, inputs.sequence])
        guard let startPositions, let endPositions else { return (start, end, nil) }
        let ignored = Int32(inputs.sequence)
        let clamp = { (p: Int32) in p < 0 || p >= ignored ? ignored : p }
        let startLoss = try graph.crossEntropy(logits: start, targets: startPositions.map(clamp), ignoreIndex: ignored)
        let endLoss = try graph.crossEntropy(logits: end, targets: endPositions.map(clamp), ignoreIndex: ignored)
        return (start, end, graph.scale(try graph.add(startLoss, endLoss), by: 0.5))
    }
}
