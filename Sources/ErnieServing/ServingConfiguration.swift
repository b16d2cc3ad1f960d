import ErnieEngine
import Foundation

/// What a server does with its model: TEI's embedding and classifier kinds plus NER and extractive QA.
public enum ServedTask: String, Sendable, CaseIterable {
    /// `POST /embed`, `/v1/embeddings`: pooled hidden states of a base model (`BertModel`, `ErnieModel`, …).
    case embedding
    /// `POST /predict`, `/models/<name>`: `*ForSequenceClassification`.
    case sequenceClassification = "seq-cls"
    /// `POST /ner`: `*ForTokenClassification` (with its CRF when the folder has `crf.safetensors`).
    case tokenClassification = "token-cls"
    /// `POST /qa`: `*ForQuestionAnswering`.
    case questionAnswering = "qa"
}

/// How `/embed` turns a sequence of hidden states into one vector.
public enum Pooling: String, Sendable, CaseIterable {
    /// The mean over the real (unpadded) tokens, as sentence-transformers' mean pooling.
    case mean
    /// The `[CLS]` token's hidden state.
    case cls
    /// The pooler output (tanh dense layer over `[CLS]`), `pooler_output` in transformers.
    case pooler
}

/// `ernie serve`'s settings; the defaults are TEI's where TEI has the setting.
public struct ServingConfiguration: Sendable {
    /// A Hugging Face folder: config.json, model.safetensors, vocab.txt (or tokenizer.json).
    public var modelDirectory: String
    /// nil: taken from config.json's `architectures`.
    public var task: ServedTask?
    public var host = "127.0.0.1"
    /// 0 picks a free port (reported by `onListening`).
    public var port = 8080
    /// nil: `1_Pooling/config.json` (sentence-transformers) when present, else mean.
    public var pooling: Pooling?
    /// Matmul precision of the forward passes; bf16 converts the weights once at start.
    public var dtype: MatmulPrecision = .fp32
    /// A batch holds at most this many tokens, counting padding (rows × longest row).
    public var maxBatchTokens = 16_384
    /// A batch holds at most this many rows (nil: no limit but `maxBatchTokens`).
    public var maxBatchRequests: Int?
    /// Requests in flight beyond this are refused at once with 429.
    public var maxConcurrentRequests = 512
    /// Inputs per request at most (422 beyond).
    public var maxClientBatchSize = 32
    /// Tokens per input at most (nil: the model's `max_position_embeddings`).
    public var maxInputLength: Int?
    /// Truncate inputs longer than `maxInputLength` instead of answering 422.
    public var autoTruncate = false
    /// When set, every route but `/health` needs `Authorization: Bearer <key>`.
    public var apiKey: String?
    /// Request bodies above this many bytes get 413.
    public var payloadLimit = 2_000_000
    /// A request body must arrive within this many seconds (a client that stalls is answered 408 and dropped).
    public var bodyTimeout: Double = 30
    /// Connections idle this long are closed.
    public var idleTimeout: Double = 60
    /// Threads for the forward passes (nil: every core available; see `Threads`).
    public var threads: Int?
    /// The name `/info` and `/v1/embeddings` report (default: the folder's name).
    public var modelId: String?
    /// Question answering: windows over long contexts overlap by this many tokens (HF run_qa's `doc_stride`).
    public var docStride = 128
    public var maxQueryLength = 64
    public var nBestSize = 20
    public var maxAnswerLength = 30
    /// One access-log line per request on stderr.
    public var accessLog = true

    public init(modelDirectory: String) {
        self.modelDirectory = modelDirectory
    }

    /// The name reported for the model.
    public var resolvedModelId: String {
        modelId ?? URL(fileURLWithPath: modelDirectory).standardizedFileURL.lastPathComponent
    }
}
