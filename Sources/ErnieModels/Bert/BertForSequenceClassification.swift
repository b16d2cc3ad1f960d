import ErnieEngine

/// Classification or regression on the pooled [CLS] (HF `BertForSequenceClassification`); RoBERTa's reads the first
/// token through `classifier.dense` → tanh → `classifier.out_proj` (RobertaClassificationHead), DistilBERT's through
/// `pre_classifier` → ReLU (`sentenceLogits`), instead of a pooler.
public struct BertForSequenceClassification: @unchecked Sendable {
    /// HF's `problem_type`.
    public enum Problem: String, Sendable, Codable {
        case regression
        case singleLabel = "single_label_classification"
        case multiLabel = "multi_label_classification"
    }

    public let parameters: ParameterStore
    public var bert: BertModel
    public let labels: Int
    /// `classifier_dropout`, else `hidden_dropout_prob`.
    public let classifierDropout: Float

    public init(_ architecture: BertArchitecture, prefix: String, labels: Int, classifierDropout: Float? = nil, seed: UInt64 = 0) {
        let store = ParameterStore()
        BertParameters.declare(.sequenceClassification, architecture, encoderPrefix: prefix,
                               labels: labels, into: ParameterBuilder(store: store, initializerRange: architecture.initializerRange, seed: seed))
        parameters = store
        bert = BertModel(architecture, prefix: prefix, pooler: architecture.modelType.hasPooler(.sequenceClassification), parameters: store)
        self.labels = labels
        self.classifierDropout = classifierDropout ?? architecture.hiddenDropout
    }

    /// The targets of a batch, by problem: class ids, regression values, or multi-hot rows.
    public enum Targets: Sendable {
        case classes([Int32])
        case values([Float])
        case multiHot([Float])
    }

    /// logits: [batch, labels]; loss: CE, MSE or BCE-with-logits by the targets' kind (as HF infers `problem_type`).
    public func callAsFunction(_ inputs: BertInputs, targets: Targets? = nil, graph: Graph) throws -> (logits: Tensor, loss: Tensor?) {
        let (sequence, pooled) = try bert(inputs, graph: graph)
        let logits = try sentenceLogits(sequence, pooled: pooled, batch: inputs.batch, length: inputs.sequence,
                                      architecture: bert.architecture, dropout: classifierDropout, parameters: parameters, graph: graph)
        let loss: Tensor?
        switch targets {
        case .classes(let ids)?: loss = try graph.crossEntropy(logits: logits, targets: ids)
        case .values(let values)?: loss = try graph.meanSquaredError(logits, targets: values)
        case .multiHot(let values)?: loss = try graph.binaryCrossEntropyWithLogits(logits, targets: values)
        case nil: loss = nil
        }
        return (logits, loss)
    }
}
