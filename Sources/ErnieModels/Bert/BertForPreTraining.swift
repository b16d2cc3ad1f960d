import ErnieEngine

/// MLM + sentence-order (or next-sentence) pretraining, as HF's `BertForPreTraining` / PaddleNLP's
/// `ErnieForPretraining`: the MLM head runs only at the masked positions, SOP on the pooled [CLS]. For a family
/// without a pair head (RoBERTa) it is the family's `ForMaskedLM` model and the pair objective is absent.
public struct BertForPreTraining: @unchecked Sendable {
    public let parameters: ParameterStore
    public var bert: BertModel
    let lm: MaskedLanguageModelHead

    /// - Parameters:
    ///   - prefix: "bert." or "ernie." (HF's base_model_prefix for the model type).
    public init(_ architecture: BertArchitecture, prefix: String, seed: UInt64 = 0) {
        let store = ParameterStore()
        let head = architecture.modelType.pretrainingHead
        BertParameters.declare(head, architecture, encoderPrefix: prefix,
                               into: ParameterBuilder(store: store, initializerRange: architecture.initializerRange, seed: seed))
        parameters = store
        bert = BertModel(architecture, prefix: prefix, pooler: architecture.modelType.hasPooler(head), parameters: store)
        lm = MaskedLanguageModelHead(architecture, store: store)
    }

    public struct Output {
        /// [masked rows, vocab] (every position when `maskedPositions` was nil).
        public var mlmLogits: Tensor
        /// The encoder's last hidden states [batch · seq, hidden].
        public var sequence: Tensor
        /// [batch, 2]; nil for a family without a pair head.
        public var pairLogits: Tensor?
        public var mlmLoss: Tensor?
        public var pairLoss: Tensor?
        /// mlmLoss + pairLoss.
        public var loss: Tensor?
    }

    /// - Parameters:
    ///   - maskedPositions: flat indices (row · seq + position) of the predicted tokens; nil predicts every position.
    ///   - mlmLabels: one label per predicted row (−100 or −1 … ignored per `ignoreIndex`); nil: no MLM loss.
    ///   - pairLabels: [batch] SOP/NSP labels; nil: no pair loss.
    public func callAsFunction(
        _ inputs: BertInputs, maskedPositions: [Int32]? = nil, mlmLabels: [Int32]? = nil, pairLabels: [Int32]? = nil,
        ignoreIndex: Int32 = -100, graph: Graph
    ) throws -> Output {
        let (sequence, pooled) = try bert(inputs, graph: graph)
        let hidden = try maskedPositions.map { try graph.gatherRows(sequence, indices: $0, operation: "masked_lm_positions") } ?? sequence
        let mlmLogits = try lm(hidden, wordEmbeddings: bert.wordEmbeddings, graph: graph)
        var output = Output(mlmLogits: mlmLogits, sequence: sequence)
        let pairHead = bert.architecture.pairHeadName
        if let pooled, let pairWeight = parameters[pairHead + ".weight"] {
            let x = try graph.dropout(pooled, probability: bert.architecture.pairDropout)
            output.pairLogits = try graph.linear(x, weight: pairWeight, bias: parameters[pairHead + ".bias"]!)
        }
        if let mlmLabels {
            output.mlmLoss = try graph.crossEntropy(logits: mlmLogits, targets: mlmLabels, ignoreIndex: ignoreIndex)
        }
        if let pairLabels, let pairLogits = output.pairLogits {
            output.pairLoss = try graph.crossEntropy(logits: pairLogits, targets: pairLabels, ignoreIndex: ignoreIndex)
        }
        switch (output.mlmLoss, output.pairLoss) {
        case let (mlm?, pair?): output.loss = try graph.add(mlm, pair)
        case let (mlm?, nil): output.loss = mlm
        case let (nil, pair?): output.loss = pair
        default: break
        }
        return output
    }
}
