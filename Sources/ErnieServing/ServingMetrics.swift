import Foundation

/// A Prometheus histogram: cumulative bucket counts, sum and count.
struct Histogram {
    let bounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum = 0.0
    private(set) var count = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        for (index, bound) in bounds.enumerated() where value <= bound { counts[index] += 1 }
        sum += value
        count += 1
    }

    /// `name_bucket{labels,le=…}`, `name_sum`, `name_count` lines.
    func lines(_ name: String, labels: String = "") -> [String] {
        let prefix = labels.isEmpty ? "" : labels + ","
        var lines = zip(bounds, counts).map { "\(name)_bucket{\(prefix)le=\"\(Self.format($0))\"} \($1)" }
        lines.append("\(name)_bucket{\(prefix)le=\"+Inf\"} \(count)")
        let suffix = labels.isEmpty ? "" : "{\(labels)}"
        lines.append("\(name)_sum\(suffix) \(Self.format(sum))")
        lines.append("\(name)_count\(suffix) \(count)")
        return lines
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}

/// The server's counters for `GET /metrics` (Prometheus text format 0.0.4): requests by route and status, request,
/// queue and inference durations, batch sizes and tokens, the queue size and requests in flight.
public final class ServingMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String: [Int: Int]] = [:]
    private var durations: [String: Histogram] = [:]
    private var queueTimes = Histogram(bounds: ServingMetrics.secondBounds)
    private var batchSizes = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
    private var batchTokens = Histogram(bounds: [128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536])
    private var inferenceTimes = Histogram(bounds: ServingMetrics.secondBounds)
    private(set) var inFlight = 0

    static let secondBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    public init() {}

    /// One answered request (`route` is the route's pattern, e.g. `/models/{name}`, or `unknown`).
    public func recordRequest(route: String, status: Int, seconds: Double, queueSeconds: Double?) {
        lock.lock(); defer { lock.unlock() }
        requests[route, default: [:]][status, default: 0] += 1
        durations[route, default: Histogram(bounds: Self.secondBounds)].observe(seconds)
        if let queueSeconds { queueTimes.observe(queueSeconds) }
    }

    func recordBatch(size: Int, tokens: Int, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        batchSizes.observe(Double(size))
        batchTokens.observe(Double(tokens))
        inferenceTimes.observe(seconds)
    }

    /// Admits a request unless `limit` are in flight.
    func admit(limit: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard inFlight < limit else { return false }
        inFlight += 1
        return true
    }

    func release() {
        lock.lock(); defer { lock.unlock() }
        inFlight -= 1
    }

    /// The Prometheus text page.
    func render(queueSize: Int) -> String {
        lock.lock(); defer { lock.unlock() }
        var lines: [String] = []
        lines += ["# HELP ernie_requests_total Requests answered, by route and status.", "# TYPE ernie_requests_total counter"]
        for route in requests.keys.sorted() {
            for status in requests[route]!.keys.sorted() {
                lines.append("ernie_requests_total{route=\"\(route)\",status=\"\(status)\"} \(requests[route]![status]!)")
            }
        }
        lines += ["# HELP ernie_request_duration_seconds Time from request to response, by route.",
                  "# TYPE ernie_request_duration_seconds histogram"]
        for route in durations.keys.sorted() { lines += durations[route]!.lines("ernie_request_duration_seconds", labels: "route=\"\(route)\"") }
        lines += ["# HELP ernie_queue_duration_seconds Time requests waited for a batch.", "# TYPE ernie_queue_duration_seconds histogram"]
        lines += queueTimes.lines("ernie_queue_duration_seconds")
        lines += ["# HELP ernie_inference_duration_seconds Time of each batch's forward pass.", "# TYPE ernie_inference_duration_seconds histogram"]
        lines += inferenceTimes.lines("ernie_inference_duration_seconds")
        lines += ["# HELP ernie_batch_size Rows per batch.", "# TYPE ernie_batch_size histogram"]
        lines += batchSizes.lines("ernie_batch_size")
        lines += ["# HELP ernie_batch_tokens Tokens per batch, padding included.", "# TYPE ernie_batch_tokens histogram"]
        lines += batchTokens.lines("ernie_batch_tokens")
        lines += ["# HELP ernie_queue_size Inputs waiting for a batch.", "# TYPE ernie_queue_size gauge", "ernie_queue_size \(queueSize)"]
        lines += ["# HELP ernie_requests_in_flight Requests being answered.", "# TYPE ernie_requests_in_flight gauge",
                  "ernie_requests_in_flight \(inFlight)"]
        return lines.joined(separator: "\n") + "\n"
    }
}
