/// What sits on top of the encoder: one case per transformers class (`BertModel`, `BertForPreTraining`, …).
public enum ModelHead: String, Sendable, CaseIterable, Codable {
    /// `BertModel` / `ErnieModel`: embeddings, encoder, pooler; saved without the `bert.`/`ernie.` prefix.
    case base
    /// MLM + next-sentence (ERNIE: sentence-order) heads; keeps the pooler.
    case pretraining
    /// MLM head only; no pooler.
    case maskedLM = "masked_lm"
    /// Next-sentence head only (`cls.seq_relationship`); keeps the pooler.
    case nextSentencePrediction = "next_sentence_prediction"
    /// `classifier` [N, H] on the pooled output.
    case sequenceClassification = "sequence_classification"
    /// `classifier` [N, H] on every token; no pooler.
    case tokenClassification = "token_classification"
    /// `qa_outputs` [2, H] → start/end logits; no pooler.
    case questionAnswering = "question_answering"
    /// `classifier` [1, H] on the pooled output of each choice.
    case multipleChoice = "multiple_choice"

    /// The transformers class name suffix.
    public var classSuffix: String {
        switch self {
        case .base: "Model"
        case .pretraining: "ForPreTraining"
        case .maskedLM: "ForMaskedLM"
        case .nextSentencePrediction: "ForNextSentencePrediction"
        case .sequenceClassification: "ForSequenceClassification"
        case .tokenClassification: "ForTokenClassification"
        case .questionAnswering: "ForQuestionAnswering"
        case .multipleChoice: "ForMultipleChoice"
        }
    }

    /// The `architectures` entry transformers writes, e.g. `ErnieForPreTraining`.
    public func architectureName(for modelType: ModelType) -> String { modelType.classPrefix + classSuffix }

    /// Parses an `architectures` entry (`BertForMaskedLM` → (.bert, .maskedLM)).
    public static func parse(architecture: String) -> (ModelType, ModelHead)? {
        for modelType in ModelType.allCases where architecture.hasPrefix(modelType.classPrefix) {
            let suffix = architecture.dropFirst(modelType.classPrefix.count)
            if let head = allCases.first(where: { $0.classSuffix == suffix }) { return (modelType, head) }
        }
        return nil
    }

    /// Whether the encoder keeps its pooler (`add_pooling_layer`).
    public var hasPooler: Bool {
        switch self {
        case .base, .pretraining, .nextSentencePrediction, .sequenceClassification, .multipleChoice: true
        case .maskedLM, .tokenClassification, .questionAnswering: false
        }
    }

    /// Whether the head has the MLM prediction head (`cls.predictions.*`).
    public var hasMaskedLMHead: Bool { self == .pretraining || self == .maskedLM }

    /// Whether encoder parameter names carry the `bert.` / `ernie.` prefix (every head but the base model).
    public var prefixesEncoder: Bool { self != .base }
}
