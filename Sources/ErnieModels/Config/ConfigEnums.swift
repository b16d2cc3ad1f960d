/// `model_type` of `config.json`: the architecture family, which also names the parameter prefix of head models.
public enum ModelType: String, Sendable, Codable, CaseIterable {
    case bert
    case ernie
    /// RoBERTa: BERT's encoder with positions counted from the padding id, `lm_head`, and a two-layer classifier.
    case roberta
    /// ALBERT: factorised embeddings (`embedding_size`), layers shared in `num_hidden_groups` groups of
    /// `inner_group_num`, MLM + sentence-order prediction.
    case albert
    /// DistilBERT: no token types and no pooler, `transformer.layer.N.attention.q_lin` …, MLM only; its config.json
    /// names (`dim`, `n_layers`, …) are read and written as transformers' `DistilBertConfig` does.
    case distilbert
    /// NEZHA (transformers 4.40's `NezhaModel`): no position table; functional relative positions (a sinusoid over
    /// the clamped distance) join every attention's scores and value sums.
    case nezha
    /// ERNIE-M (transformers 4.x `ErnieMModel`): no token types, positions counted from 2, `encoder.layers.N.`
    /// `self_attn.self_attn.q_proj` … `linear1`, `norm2`; classification, token classification, QA and multiple
    /// choice heads only (no MLM).
    case ernieM = "ernie_m"

    /// HF's `base_model_prefix`: head models store the encoder under `bert.` / `ernie.`.
    public var parameterPrefix: String { rawValue }

    /// Class name stem in `architectures` (`BertForPreTraining`, `ErnieModel`, …).
    public var classPrefix: String {
        switch self {
        case .bert: "Bert"
        case .ernie: "Ernie"
        case .roberta: "Roberta"
        case .albert: "Albert"
        case .distilbert: "DistilBert"
        case .nezha: "Nezha"
        case .ernieM: "ErnieM"
        }
    }

    /// The head `ernie pretrain` trains: MLM + sentence pair (`*ForPreTraining`), or MLM alone where transformers has
    /// no pair head (`RobertaForMaskedLM`).
    public var pretrainingHead: ModelHead { supports(.pretraining) ? .pretraining : .maskedLM }

    /// Whether transformers has the model with `head` (RoBERTa and DistilBERT have no pretraining or next-sentence
    /// class, ALBERT no next-sentence class).
    public func supports(_ head: ModelHead) -> Bool {
        switch head {
        case .pretraining: self != .roberta && self != .distilbert && self != .ernieM
        case .nextSentencePrediction: self == .bert || self == .ernie || self == .nezha
        case .maskedLM: self != .ernieM
        default: true
        }
    }

    /// Whether the encoder keeps its pooler (`add_pooling_layer`) under `head`: RoBERTa's sequence classifier reads
    /// the first token through its own dense layer instead; DistilBERT has no pooler.
    public func hasPooler(_ head: ModelHead) -> Bool {
        head.hasPooler && self != .distilbert && !(self == .roberta && head == .sequenceClassification)
    }

    /// Whether the model reads `token_type_ids` (DistilBERT has no token-type table).
    public var hasTokenTypes: Bool { self != .distilbert && self != .ernieM }
}

/// `hidden_act`: the activation of the feed-forward block and of the MLM head transform.
public enum HiddenActivation: String, Sendable, Codable, CaseIterable {
    /// Exact GELU, x·½(1 + erf(x/√2)).
    case gelu
    /// max(0, x) (ERNIE 1.0).
    case relu
    /// Tanh approximation of GELU, ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    case geluNew = "gelu_new"
}

/// `position_embedding_type`. ernie implements only learned absolute positions; the relative kinds are parsed so the
/// error can name them.
public enum PositionEmbeddingType: String, Sendable, Codable, CaseIterable {
    case absolute
    case relativeKey = "relative_key"
    case relativeKeyQuery = "relative_key_query"
}

/// `problem_type`: which loss a sequence-classification head uses.
public enum ProblemType: String, Sendable, Codable, CaseIterable {
    /// Mean squared error (HF picks it when `num_labels == 1`).
    case regression
    /// Cross-entropy over `num_labels` classes.
    case singleLabelClassification = "single_label_classification"
    /// Binary cross-entropy with logits per label.
    case multiLabelClassification = "multi_label_classification"
}
