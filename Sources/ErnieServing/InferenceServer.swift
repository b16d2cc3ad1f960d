import ErnieEngine
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `ernie serve`: a model folder behind an HTTP server (Hummingbird 2, HTTP/1.1).
///
/// The model is loaded (and converted to bf16 when asked) before the port opens. SIGTERM / SIGINT stop accepting
/// connections, let the requests in progress finish, then `run` returns.
public final class InferenceServer: Sendable {
    public let configuration: ServingConfiguration
    public let model: ServedModel
    public let metrics: ServingMetrics
    let scheduler: BatchScheduler
    let health = ServerHealth()
    private let running = RunningGroup()

    public init(_ configuration: ServingConfiguration) throws {
        guard configuration.maxBatchTokens > 0, configuration.maxConcurrentRequests > 0, configuration.maxClientBatchSize > 0,
              configuration.payloadLimit > 0, (configuration.maxBatchRequests ?? 1) > 0 else {
            throw ServingError(.validation, "--max_batch_tokens, --max_batch_requests, --max_concurrent_requests, --max_client_batch_size and --payload_limit must be positive")
        }
        self.configuration = configuration
        model = try ServedModel(configuration)
        guard configuration.maxBatchTokens >= model.maxInputLength else {
            throw ServingError(.validation, "--max_batch_tokens (\(configuration.maxBatchTokens)) must be at least the maximum input length (\(model.maxInputLength)), so that every input fits a batch")
        }
        metrics = ServingMetrics()
        scheduler = BatchScheduler(model: model, maxBatchTokens: configuration.maxBatchTokens, maxBatchRequests: configuration.maxBatchRequests,
                                   threads: configuration.threads, metrics: metrics)
    }

    public var routes: ServingRoutes { ServingRoutes(model: model, scheduler: scheduler, configuration: configuration) }

    /// Serves until SIGTERM / SIGINT (when `handleSignals`) or until the surrounding task is cancelled.
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public func run(handleSignals: Bool = true, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        scheduler.start()
        var logger = Logger(label: "ernie-serve")
        logger.logLevel = .warning
        let responder = ServingResponder(routes: routes, metrics: metrics, health: health)
        // One event loop thread: parsing HTTP is cheap, and the cores belong to the forward passes.
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let app = Application(
            responder: responder,
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(configuration.idleTimeout * 1e9)))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ernie"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            eventLoopGroupProvider: .shared(eventLoops),
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                                                      logger: logger))
        running.set(group)
        do {
            try await withGracefulShutdownHandler {
                try await group.run()
            } onGracefulShutdown: { [health] in
                health.markStopping()
            }
        } catch {
            health.markStopping()
            scheduler.stop()
            try? await eventLoops.shutdownGracefully()
            throw ServingError(.backend, "cannot serve on \(configuration.host):\(configuration.port): \(error)")
        }
        health.markStopping()
        scheduler.stop()
        try await eventLoops.shutdownGracefully()
    }
}

extension InferenceServer {
    /// Stops as SIGTERM does: no new connections, the requests in progress are answered, then `run` returns.
    public func stop() async {
        await running.group?.triggerGracefulShutdown()
    }
}

/// The service group of a running server, for `stop()`.
private final class RunningGroup: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: ServiceGroup?

    var group: ServiceGroup? {
        lock.lock(); defer { lock.unlock() }
        return stored
    }

    func set(_ group: ServiceGroup) {
        lock.lock(); stored = group; lock.unlock()
    }
}
