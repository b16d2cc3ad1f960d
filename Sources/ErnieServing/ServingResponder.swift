import ErnieBasics
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the client's address for the access log.
public struct ServingContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// HTTP in front of `ServingRoutes`: route matching, the API key, the body limit and deadline, admission
/// (`max_concurrent_requests`, 429 at once beyond), JSON errors with TEI's codes, timing headers, metrics and the
/// access log.
struct ServingResponder: HTTPResponder {
    typealias Context = ServingContext

    let routes: ServingRoutes
    let metrics: ServingMetrics
    let health: ServerHealth
    var configuration: ServingConfiguration { routes.configuration }

    /// A route: its pattern (the metrics label), whether it queues model work, and its handler.
    private struct Route {
        let pattern: String
        let usesModel: Bool
        let handler: @Sendable (ServingRoutes, JSONValue?) async throws(ServingError) -> RouteResponse
    }

    /// The POST routes by path.
    private static let postRoutes: [String: Route] = [
        "/embed": Route(pattern: "/embed", usesModel: true) { routes, body throws(ServingError) in try await routes.embed(body) },
        "/v1/embeddings": Route(pattern: "/v1/embeddings", usesModel: true) { routes, body throws(ServingError) in try await routes.openAIEmbeddings(body) },
        "/predict": Route(pattern: "/predict", usesModel: true) { routes, body throws(ServingError) in try await routes.predict(body) },
        "/ner": Route(pattern: "/ner", usesModel: true) { routes, body throws(ServingError) in try await routes.ner(body) },
        "/qa": Route(pattern: "/qa", usesModel: true) { routes, body throws(ServingError) in try await routes.questionAnswering(body) },
        "/tokenize": Route(pattern: "/tokenize", usesModel: false) { routes, body throws(ServingError) in try routes.tokenize(body) },
        "/decode": Route(pattern: "/decode", usesModel: false) { routes, body throws(ServingError) in try routes.decode(body) },
    ]

    private func route(method: HTTPRequest.Method, path: String) throws(ServingError) -> Route? {
        var path = path
        if path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if path == "/" {
            // TEI's compatibility route (what huggingface_hub's InferenceClient posts to): the served task's own route.
            guard method == .post else { throw ServingError(.methodNotAllowed, "/ takes POST") }
            return Route(pattern: "/", usesModel: true) { routes, body throws(ServingError) in
                switch routes.model.task {
                case .embedding: try await routes.embed(body)
                case .sequenceClassification: try await routes.predict(body)
                case .tokenClassification: try await routes.ner(body)
                case .questionAnswering: try await routes.questionAnswering(body)
                }
            }
        }
        if let route = Self.postRoutes[path] {
            guard method == .post else { throw ServingError(.methodNotAllowed, "\(path) takes POST") }
            return route
        }
        if path.hasPrefix("/models/"), path.count > "/models/".count, !path.dropFirst("/models/".count).contains("/") {
            guard method == .post else { throw ServingError(.methodNotAllowed, "\(path) takes POST") }
            return Route(pattern: "/models/{name}", usesModel: true) { routes, body throws(ServingError) in try await routes.simpleServing(body) }
        }
        return nil
    }

    func respond(to request: Request, context: ServingContext) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        var pattern = "unknown"
        var response: Response
        var timing: RouteResponse?
        do {
            let path = request.uri.path
            switch path {
            case "/health":
                pattern = path
                guard request.method == .get || request.method == .head else { throw ServingError(.methodNotAllowed, "/health takes GET") }
                guard health.isHealthy else { throw ServingError(.unhealthy, "unhealthy") }
                response = Response(status: .ok)
            case "/info", "/metrics":
                pattern = path
                guard request.method == .get else { throw ServingError(.methodNotAllowed, "\(path) takes GET") }
                try authorize(request)
                if path == "/info" {
                    response = json(.ok, routes.info().body)
                } else {
                    var headers = HTTPFields()
                    headers[.contentType] = "text/plain; version=0.0.4"
                    response = Response(status: .ok, headers: headers,
                                        body: .init(byteBuffer: ByteBuffer(string: metrics.render(queueSize: routes.scheduler.queueSize))))
                }
            default:
                guard let route = try route(method: request.method, path: path) else {
                    throw ServingError(.notFound, "no route \(request.method) \(path)")
                }
                pattern = route.pattern
                try authorize(request)
                if route.usesModel {
                    guard health.isHealthy else { throw ServingError(.unhealthy, "the server is shutting down") }
                    guard metrics.admit(limit: configuration.maxConcurrentRequests) else {
                        throw ServingError(.overloaded, "Model is overloaded")
                    }
                }
                defer { if route.usesModel { metrics.release() } }
                let body = try await readBody(request)
                let result = try await route.handler(routes, body)
                timing = result
                response = json(.ok, result.body)
            }
        } catch let error as ServingError {
            response = json(error.status, error.body)
        } catch {
            response = json(.internalServerError, ServingError(.backend, "\(error)").body)
        }
        let total = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        if let timing {
            response.headers[HTTPField.Name("x-total-time")!] = milliseconds(total)
            response.headers[HTTPField.Name("x-tokenization-time")!] = milliseconds(timing.tokenization)
            response.headers[HTTPField.Name("x-queue-time")!] = milliseconds(timing.queue)
            response.headers[HTTPField.Name("x-inference-time")!] = milliseconds(timing.inference)
            response.headers[HTTPField.Name("x-compute-time")!] = milliseconds(timing.tokenization + timing.inference)
            response.headers[HTTPField.Name("x-compute-tokens")!] = "\(timing.tokens)"
        }
        metrics.recordRequest(route: pattern, status: Int(response.status.code), seconds: total, queueSeconds: timing?.queue)
        if configuration.accessLog {
            let client = context.remoteAddress.map { $0.ipAddress ?? "\($0)" } ?? "-"
            let line = "\(client) \"\(request.method) \(request.uri.path)\" \(response.status.code) \(String(format: "%.1f", total * 1000))ms\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        return response
    }

    /// `Authorization: Bearer <api_key>` when the server has a key.
    private func authorize(_ request: Request) throws(ServingError) {
        guard let key = configuration.apiKey else { return }
        let given = request.headers[.authorization] ?? ""
        guard given.hasPrefix("Bearer "), Self.constantTimeEqual(Array(given.utf8.dropFirst(7)), Array(key.utf8)) else {
            throw ServingError(.unauthorized, "a valid `Authorization: Bearer <api_key>` header is required")
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The body as JSON (nil when empty), within the size limit and the body deadline.
    private func readBody(_ request: Request) async throws(ServingError) -> JSONValue? {
        let limit = configuration.payloadLimit
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw ServingError(.payloadTooLarge, "the body has \(declared) bytes; the limit is \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await withDeadline(seconds: configuration.bodyTimeout) { try await request.body.collect(upTo: limit) }
        } catch let error as ServingError {
            throw error
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ServingError(.payloadTooLarge, "the body is over the limit of \(limit) bytes")
        } catch {
            throw ServingError(.malformed, "cannot read the request body: \(error)")
        }
        if buffer.readableBytes == 0 { return nil }
        do {
            return try buffer.withUnsafeReadableBytes { raw in
                try JSONParser.parse(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: raw.count))
            }
        } catch {
            throw ServingError(.malformed, "the body is not valid JSON: \(error)")
        }
    }

    private func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func milliseconds(_ seconds: Double) -> String { "\(Int((seconds * 1000).rounded()))" }
}

/// Runs `body`, or throws a 408 `ServingError` when it has not finished after `seconds` (the body is then cancelled).
func withDeadline<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw ServingError(.timeout, "the request body did not arrive within \(seconds) s")
        }
        return value
    }
}

/// Whether the server takes model work: false once shutdown has begun.
final class ServerHealth: @unchecked Sendable {
    private let lock = NSLock()
    private var healthy = true

    var isHealthy: Bool {
        lock.lock(); defer { lock.unlock() }
        return healthy
    }

    func markStopping() {
        lock.lock(); healthy = false; lock.unlock()
    }
}
