import ErnieModels

/// `--task_name`: which head is trained and how data, metrics and predictions look.
public enum FineTuningTask: String, Sendable, Codable, CaseIterable {
    /// Sequence classification (single texts or pairs; multi-class, regression or multi-label): `classifier` on the
    /// pooled [CLS].
    case sequenceClassification = "seq-cls"
    /// One label per word (BIO/BIOES NER), optionally with a CRF layer (`--use_crf`).
    case tokenClassification = "token-cls"
    /// Extractive question answering (SQuAD v1.1 / CMRC 2018 JSON).
    case questionAnswering = "qa"
    /// Multiple choice (C3-style): one score per (context, question + choice) row.
    case multipleChoice = "multiple-choice"

    /// The transformers head class this task trains.
    public var head: ModelHead {
        switch self {
        case .sequenceClassification: .sequenceClassification
        case .tokenClassification: .tokenClassification
        case .questionAnswering: .questionAnswering
        case .multipleChoice: .multipleChoice
        }
    }

    /// The default `--metric_for_best_model` (without the `eval_` prefix).
    public var defaultMetric: String {
        switch self {
        case .sequenceClassification, .multipleChoice: "accuracy"
        case .tokenClassification: "f1"
        case .questionAnswering: "f1"
        }
    }
}
