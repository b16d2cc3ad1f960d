import ErnieEngine

/// The sequence-level classifier of the sequence-classification and multiple-choice heads. BERT, ERNIE, ALBERT and
/// NEZHA: dropout → `classifier` on the pooled output. The families without a pooler read each row's first token:
/// RoBERTa's `classifier.dense` → tanh → `classifier.out_proj` (dropout before each), DistilBERT's
/// `pre_classifier` → ReLU → dropout → `classifier`.
/// sequence: [batch · length, hidden]; pooled: [batch, hidden] or nil → logits [batch, outputs].
func sentenceLogits(_ sequence: Tensor, pooled: Tensor?, batch: Int, length: Int, architecture: BertArchitecture,
                    dropout: Float, parameters: ParameterStore, graph: Graph) throws -> Tensor {
    func linear(_ x: Tensor, _ name: String, activation: Activation? = nil) throws -> Tensor {
        try graph.linear(x, weight: parameters[name + ".weight"]!, bias: parameters[name + ".bias"]!, activation: activation)
    }
    if let pooled { return try linear(graph.dropout(pooled, probability: dropout), "classifier") }
    let first = try graph.gatherRows(sequence, indices: (0..<batch).map { Int32($0 * length) })
    switch architecture.modelType {
    case .distilbert:
        let x = try graph.dropout(linear(first, "pre_classifier", activation: .relu), probability: dropout)
        return try linear(x, "classifier")
    default:
        precondition(architecture.modelType == .roberta, "\(architecture.modelType) classifies the pooled output")
        var x = try graph.dropout(first, probability: dropout)
        x = graph.tanh(try linear(x, "classifier.dense"))
        return try linear(graph.dropout(x, probability: dropout), "classifier.out_proj")
    }
}
