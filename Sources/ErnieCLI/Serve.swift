import ArgumentParser
import ErnieEngine
import ErnieServing
import ErnieTraining
import Foundation

extension ServedTask: ExpressibleByArgument {}
extension Pooling: ExpressibleByArgument {}

/// `ernie serve`: an HTTP inference server with dynamic batching, TEI's routes and PaddleNLP SimpleServing's.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model folder over HTTP: TEI's /embed, /v1/embeddings, /predict, /tokenize, /info, /health, /metrics, plus /ner, /qa and /models/<name>.",
        discussion: "The task comes from config.json's architectures (a base or pretraining model serves embeddings) unless "
            + "--task_name is given. Requests from all connections are batched together (at most --max_batch_tokens tokens, padding "
            + "included). SIGTERM or Ctrl-C stops accepting, answers the requests in progress, and exits 0.")

    @Option(name: [.customLong("model_name_or_path"), .customLong("model-id")], help: "A Hugging Face folder (config.json, model.safetensors, vocab.txt).")
    var modelNameOrPath: String
    @Option(name: .customLong("task_name"), help: "embedding, seq-cls, token-cls or qa (default: from config.json).") var taskName: ServedTask?
    @Option(name: [.customLong("host"), .customLong("hostname")]) var host = "127.0.0.1"
    @Option(name: .customLong("port"), parsing: .unconditional) var port = 8080
    @Option(name: .customLong("pooling"), help: "Embeddings: mean, cls or pooler (default: 1_Pooling/config.json, else mean).") var pooling: Pooling?
    @Option(name: .customLong("dtype"), help: "fp32, bf16 (fast with AMX or AVX512-BF16) or int8 (dynamic quantisation of the linear layers; VNNI / AMX-INT8).") var dtype: MatmulPrecision = .fp32
    @Option(name: [.customLong("max_batch_tokens"), .customLong("max-batch-tokens")], parsing: .unconditional) var maxBatchTokens = 16_384
    @Option(name: [.customLong("max_batch_requests"), .customLong("max-batch-requests")], parsing: .unconditional) var maxBatchRequests: Int?
    @Option(name: [.customLong("max_concurrent_requests"), .customLong("max-concurrent-requests")], parsing: .unconditional)
    var maxConcurrentRequests = 512
    @Option(name: [.customLong("max_client_batch_size"), .customLong("max-client-batch-size")], parsing: .unconditional)
    var maxClientBatchSize = 32
    @Option(name: .customLong("max_input_length"), parsing: .unconditional, help: "Tokens per input (default: max_position_embeddings).")
    var maxInputLength: Int?
    @Option(name: [.customLong("auto_truncate"), .customLong("auto-truncate")], help: "Truncate long inputs instead of answering 422.")
    var autoTruncate = false
    @Option(name: [.customLong("api_key"), .customLong("api-key")], help: "Require `Authorization: Bearer KEY` (also read from ERNIE_API_KEY).")
    var apiKey: String?
    @Option(name: [.customLong("payload_limit"), .customLong("payload-limit")], parsing: .unconditional) var payloadLimit = 2_000_000
    @Option(name: .customLong("body_timeout"), parsing: .unconditional, help: "Seconds a request body may take to arrive.") var bodyTimeout = 30.0
    @Option(name: [.customLong("threads"), .customLong("workers")], parsing: .unconditional,
            help: "Threads for the forward passes (default: ERNIE_NUM_THREADS, else every core).")
    var threads: Int?
    @Option(name: .customLong("served_model_name"), help: "The model name /info reports (default: the folder's name).") var servedModelName: String?
    @Option(name: .customLong("doc_stride"), parsing: .unconditional) var docStride = 128
    @Option(name: .customLong("max_query_length"), parsing: .unconditional) var maxQueryLength = 64
    @Option(name: .customLong("n_best_size"), parsing: .unconditional) var nBestSize = 20
    @Option(name: .customLong("max_answer_length"), parsing: .unconditional) var maxAnswerLength = 30
    @Option(name: .customLong("access_log"), help: "One line per request on stderr.") var accessLog = true

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        for (flag, value) in [("--max_batch_tokens", maxBatchTokens), ("--max_concurrent_requests", maxConcurrentRequests),
                              ("--max_client_batch_size", maxClientBatchSize), ("--payload_limit", payloadLimit), ("--doc_stride", docStride),
                              ("--max_query_length", maxQueryLength), ("--n_best_size", nBestSize), ("--max_answer_length", maxAnswerLength)] {
            try FlagRange.positive(flag, value)
        }
        try FlagRange.positive("--max_batch_requests", maxBatchRequests)
        try FlagRange.positive("--max_input_length", maxInputLength)
        try FlagRange.positive("--threads", threads)
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard bodyTimeout > 0 else { throw ValidationError("--body_timeout must be positive") }
    }

    func run() async throws {
        var c = ServingConfiguration(modelDirectory: modelNameOrPath)
        c.task = taskName
        c.host = host
        c.port = port
        c.pooling = pooling
        c.dtype = dtype
        c.maxBatchTokens = maxBatchTokens
        c.maxBatchRequests = maxBatchRequests
        c.maxConcurrentRequests = maxConcurrentRequests
        c.maxClientBatchSize = maxClientBatchSize
        c.maxInputLength = maxInputLength
        c.autoTruncate = autoTruncate
        c.apiKey = apiKey ?? ProcessInfo.processInfo.environment["ERNIE_API_KEY"]
        c.payloadLimit = payloadLimit
        c.bodyTimeout = bodyTimeout
        c.threads = threads
        c.modelId = servedModelName
        c.docStride = docStride
        c.maxQueryLength = maxQueryLength
        c.nBestSize = nBestSize
        c.maxAnswerLength = maxAnswerLength
        c.accessLog = accessLog
        let server: InferenceServer
        do { server = try InferenceServer(c) } catch let error as ServingError { throw ValidationError(error.message) }
        let model = server.model
        let host = host, name = c.resolvedModelId
        let precision = switch model.precision {
        case .fp32: "fp32"
        case .bf16: "bf16 matmuls on \(bf16MatmulHardware())"
        case .int8: "int8 linear layers on \(gemmInt8Implementation(m: 128, n: 768, k: 768))"
        }
        do {
            try await server.run { port in
                warn("ernie serve: \(model.task.rawValue) model \(name) (\(precision), max input \(model.maxInputLength) tokens) "
                    + "listening on http://\(host):\(port)")
            }
        } catch let error as ServingError {
            warn("ernie serve: \(error.message)")
            throw ExitCode(1)
        }
        warn("ernie serve: stopped")
    }
}
