import ErnieEngine

/// MLM only (HF `BertForMaskedLM`: no pooler).
public struct BertForMaskedLM: @unchecked Sendable {
    public let parameters: ParameterStore
    public var bert: BertModel
    let lm: MaskedLanguageModelHead

    public init(_ architecture: BertArchitecture, prefix: String, seed: UInt64 = 0) {
        let store = ParameterStore()
        BertParameters.declare(.maskedLM, architecture, encoderPrefix: prefix,
                               into: ParameterBuilder(store: store, initializerRange: architecture.initializerRange, seed: seed))
        parameters = store
        bert = BertModel(architecture, prefix: prefix, pooler: false, parameters: store)
        lm = MaskedLanguageModelHead(architecture, store: store)
    }

    /// logits: [predicted rows, vocab]; loss when labels are given (one per predicted row).
    public func callAsFunction(_ inputs: BertInputs, maskedPositions: [Int32]? = nil, labels: [Int32]? = nil,
                               ignoreIndex: Int32 = -100, graph: Graph) throws -> (logits: Tensor, loss: Tensor?) {
        let (sequence, _) = try bert(inputs, graph: graph)
        let hidden = try maskedPositions.map { try graph.gatherRows(sequence, indices: $0, operation: "masked_lm_positions") } ?? sequence
        let logits = try lm(hidden, wordEmbeddings: bert.wordEmbeddings, graph: graph)
        let loss = try labels.map { try graph.crossEntropy(logits: logits, targets: $0, ignoreIndex: ignoreIndex) }
        return (logits, loss)
    }
}
