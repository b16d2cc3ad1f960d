import ErnieBasics
import Foundation

/// The hyperparameters of a BERT or ERNIE model, as Hugging Face's `BertConfig` / `ErnieConfig` (`config.json`).
///
/// Every property has HF's default, so a `config.json` that omits a field means the same here as in transformers.
/// Fields ernie does not model (`is_decoder`, `_name_or_path`, …) are kept verbatim in `extraFields` and written
/// back on save, so configs round-trip. Read with `BertConfig(contentsOf:)`, write with `write(to:)`;
/// the `Codable` conformance goes through the same JSON mapping.
public struct BertConfig: Sendable, Equatable {
    /// `model_type`: `bert`, `ernie`, `roberta`, `albert`, `distilbert`, `nezha` or `ernie_m`.
    public var modelType: ModelType
    /// `vocab_size` (V).
    public var vocabularySize: Int
    /// `hidden_size` (H).
    public var hiddenSize: Int
    /// `num_hidden_layers` (L).
    public var layerCount: Int
    /// `num_attention_heads`; H must be a multiple of it.
    public var attentionHeadCount: Int
    /// `intermediate_size` (I) of the feed-forward block.
    public var intermediateSize: Int
    /// `hidden_act`.
    public var hiddenActivation: HiddenActivation
    /// `hidden_dropout_prob`: after embeddings, attention output, feed-forward output (and the classifier default).
    public var hiddenDropoutProbability: Double
    /// `attention_probs_dropout_prob`: on the attention probabilities.
    public var attentionDropoutProbability: Double
    /// `max_position_embeddings` (P).
    public var maxPositionEmbeddings: Int
    /// `type_vocab_size` (T): number of token-type (segment) ids.
    public var typeVocabularySize: Int
    /// `initializer_range`: standard deviation of the normal init of Linear and Embedding weights.
    public var initializerRange: Double
    /// `layer_norm_eps`.
    public var layerNormEpsilon: Double
    /// `pad_token_id`: the word-embedding row that gets no gradient (`padding_idx`).
    public var padTokenId: Int?
    /// `position_embedding_type`.
    public var positionEmbeddingType: PositionEmbeddingType
    /// `use_cache` (decoder-only; kept because HF writes it).
    public var useCache: Bool
    /// `classifier_dropout`: dropout before classification heads; nil means `hiddenDropoutProbability`.
    public var classifierDropout: Double?
    /// `id2label` (JSON keys are strings): class names by logit index. Its size is `num_labels`.
    public var labelsById: [Int: String]
    /// `label2id`.
    public var idsByLabel: [String: Int]
    /// `problem_type`; nil lets the head choose (regression when one label, else single-label).
    public var problemType: ProblemType?
    /// `architectures`, e.g. `["ErnieForPreTraining"]`.
    public var architectures: [String]?
    /// ERNIE's `task_type_vocab_size` (size of the task-type embedding table).
    public var taskTypeVocabularySize: Int
    /// ERNIE's `use_task_id`: adds `embeddings.task_type_embeddings` to the input embeddings.
    public var useTaskId: Bool
    /// ALBERT's `embedding_size` (E): the width of the embedding tables, mapped to `hidden_size` by a linear layer.
    public var embeddingSize: Int?
    /// ALBERT's `num_hidden_groups`: distinct layer groups; layer i uses group i / (layers / groups).
    public var hiddenGroupCount: Int
    /// ALBERT's `inner_group_num`: layers inside each group, all applied at each of the `num_hidden_layers` steps.
    public var innerGroupCount: Int
    /// DistilBERT's `sinusoidal_pos_embds`: the position table starts as sinusoids instead of random.
    public var sinusoidalPositions: Bool
    /// DistilBERT's `qa_dropout` before its question-answering head.
    public var questionAnsweringDropout: Double?
    /// NEZHA's `max_relative_position` K: distances are clamped to ±K (a [2K + 1, head dimension] sinusoid table).
    public var maxRelativePosition: Int
    /// NEZHA's relative-position table: transformers' functional sinusoid, or MindSpore's learned table per layer
    /// (`relative_position_table: "learned"`, an ernie field; MindSpore's model zoo clamps at K = 16).
    public var learnsRelativePositions: Bool
    /// ERNIE-M's `act_dropout`: dropout after the feed-forward activation.
    public var activationDropout: Double
    /// `transformers_version` read from the file; written back as is (or `BertConfig.transformersVersion`).
    public var transformersVersion: String?
    /// Every other member of `config.json`, kept verbatim for re-saving.
    public var extraFields: JSONObject

    /// The transformers version ernie's files claim (the one its goldens were made with).
    public static let transformersVersion = "4.57.6"

    /// HF's default labels for `num_labels` classes: `LABEL_0`, `LABEL_1`, ….
    public static func defaultLabels(count: Int) -> [Int: String] {
        Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, "LABEL_\($0)") })
    }

    /// A config with HF's `BertConfig()` defaults unless given (two default labels).
    public init(
        modelType: ModelType = .bert,
        vocabularySize: Int = 30522,
        hiddenSize: Int = 768,
        layerCount: Int = 12,
        attentionHeadCount: Int = 12,
        intermediateSize: Int = 3072,
        hiddenActivation: HiddenActivation = .gelu,
        hiddenDropoutProbability: Double = 0.1,
        attentionDropoutProbability: Double = 0.1,
        maxPositionEmbeddings: Int = 512,
        typeVocabularySize: Int = 2,
        initializerRange: Double = 0.02,
        layerNormEpsilon: Double = 1e-12,
        padTokenId: Int? = 0,
        positionEmbeddingType: PositionEmbeddingType = .absolute,
        useCache: Bool = true,
        classifierDropout: Double? = nil,
        labelsById: [Int: String] = BertConfig.defaultLabels(count: 2),
        idsByLabel: [String: Int]? = nil,
        problemType: ProblemType? = nil,
        architectures: [String]? = nil,
        taskTypeVocabularySize: Int = 3,
        useTaskId: Bool = false,
        transformersVersion: String? = nil,
        extraFields: JSONObject = JSONObject()
    ) {
        self.modelType = modelType
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.attentionHeadCount = attentionHeadCount
        self.intermediateSize = intermediateSize
        self.hiddenActivation = hiddenActivation
        self.hiddenDropoutProbability = hiddenDropoutProbability
        self.attentionDropoutProbability = attentionDropoutProbability
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabularySize = typeVocabularySize
        self.initializerRange = initializerRange
        self.layerNormEpsilon = layerNormEpsilon
        self.padTokenId = padTokenId
        self.positionEmbeddingType = positionEmbeddingType
        self.useCache = useCache
        self.classifierDropout = classifierDropout
        self.labelsById = labelsById
        self.idsByLabel = idsByLabel ?? Dictionary(labelsById.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        self.problemType = problemType
        self.architectures = architectures
        self.taskTypeVocabularySize = taskTypeVocabularySize
        self.useTaskId = useTaskId
        self.transformersVersion = transformersVersion
        self.extraFields = extraFields
        embeddingSize = nil
        hiddenGroupCount = 1
        innerGroupCount = 1
        activationDropout = 0
        sinusoidalPositions = false
        questionAnsweringDropout = nil
        maxRelativePosition = 64
        learnsRelativePositions = false
    }

    /// `num_labels` (the size of `id2label`).
    public var labelCount: Int { labelsById.count }

    /// Sets `num_labels` as HF's setter does: default `LABEL_i` names unless the current labels already have that
    /// count.
    public mutating func setLabelCount(_ count: Int) {
        guard count != labelsById.count else { return }
        labelsById = Self.defaultLabels(count: count)
        idsByLabel = Dictionary(uniqueKeysWithValues: labelsById.map { ($0.value, $0.key) })
    }

    /// Label names in logit order.
    public var labels: [String] { (0..<labelCount).map { labelsById[$0] ?? "LABEL_\($0)" } }

    /// d = H / heads.
    public var headDimension: Int { hiddenSize / attentionHeadCount }

    /// `tie_word_embeddings` (default true): the MLM decoder reuses the word-embedding matrix.
    public var tieWordEmbeddings: Bool { extraFields["tie_word_embeddings"]?.boolValue ?? true }

    /// The dropout HF's sequence/token-classification and multiple-choice heads apply before the classifier.
    public var effectiveClassifierDropout: Double { classifierDropout ?? hiddenDropoutProbability }

    /// Whether inputs carry token types: the family reads them and has more than one (RoBERTa's single type is not
    /// marked, as its tokenizer gives no type ids).
    public var usesTokenTypes: Bool { modelType.hasTokenTypes && typeVocabularySize > 1 }
}
