import ErnieBasics
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import ErnieServing

/// The server over real HTTP (URLSession on a free port): status codes and error bodies, the API key, the body
/// limit, timing headers, metrics, and that it keeps serving after bad requests.
@Suite struct ServingHTTPTests {
    struct Reply {
        let status: Int
        let body: String
        let headers: [String: String]
        var json: JSONValue? { try? JSONParser.parse(body) }
        var errorType: String? { json?.objectValue?["error_type"]?.stringValue }
    }

    static func send(_ base: URL, _ path: String, method: String = "POST", body: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        if let body { request.httpBody = Data(body.utf8) }
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields[String(describing: key).lowercased()] = String(describing: value) }
        return Reply(status: http.statusCode, body: String(decoding: data, as: UTF8.self), headers: fields)
    }

    @Test func statusCodesAndErrorBodies() async throws {
        let directory = try ServingTestSupport.folder(.sequenceClassification, maxPositions: 16)
        var c = ServingTestSupport.configuration(directory)
        c.payloadLimit = 1000
        try await withServer(c) { base async throws in
            let ok = try await Self.send(base, "/predict", body: #"{"inputs": "一般般吧"}"#)
            #expect(ok.status == 200)
            #expect(ok.headers["x-inference-time"] != nil && ok.headers["x-queue-time"] != nil && ok.headers["x-total-time"] != nil)
            let cases: [(String, String, String?, Int, String)] = [
                ("POST", "/predict", "{\"inputs\": ", 400, "Malformed"),
                ("POST", "/predict", "{\"inputs\": []}", 400, "Empty"),
                ("POST", "/predict", "{\"inputs\": {\"a\": 1}}", 422, "Validation"),
                ("POST", "/predict", "[1, 2]", 422, "Validation"),
                ("POST", "/predict", nil, 422, "Validation"),
                ("POST", "/predict", "{\"inputs\": \"今天天气很好，我们去公园散步。这家餐厅的菜很难吃\"}", 422, "Validation"),
                ("POST", "/predict", "{\"inputs\": \"" + String(repeating: "好", count: 2000) + "\"}", 413, "PayloadTooLarge"),
                ("POST", "/embed", "{\"inputs\": \"a\"}", 424, "Unsupported"),
                ("GET", "/predict", nil, 405, "MethodNotAllowed"),
                ("POST", "/no/such/route", "{}", 404, "NotFound"),
                ("POST", "/models/a/b", "{}", 404, "NotFound"),
                ("POST", "/models/cls", "{\"data\": {\"text\": \"a\", \"text_pair\": [\"b\", \"c\"]}}", 422, "Validation"),
            ]
            for (method, path, body, status, type) in cases {
                let reply = try await Self.send(base, path, method: method, body: body)
                #expect(reply.status == status, "\(method) \(path) \(body?.prefix(40) ?? "")")
                #expect(reply.errorType == type, "\(method) \(path): \(reply.body)")
                #expect(reply.json?.objectValue?["error"]?.stringValue?.isEmpty == false)
            }
            // Still serving, and counted.
            #expect(try await Self.send(base, "/predict", body: #"{"inputs": ["一般般吧", "很好"]}"#).status == 200)
            #expect(try await Self.send(base, "/health", method: "GET").status == 200)
            let info = try await Self.send(base, "/info", method: "GET")
            #expect(info.json?.objectValue?["model_type"]?.objectValue?["classifier"]?.objectValue?["id2label"]?.objectValue?["1"] == "positive")
            let metrics = try await Self.send(base, "/metrics", method: "GET").body
            #expect(metrics.contains("ernie_requests_total{route=\"/predict\",status=\"200\"} 2"))
            #expect(metrics.contains("ernie_requests_total{route=\"/predict\",status=\"422\"} 4"))
            #expect(metrics.contains("ernie_batch_size_count"))
        }
    }

    @Test func apiKeyGuardsEveryRouteButHealth() async throws {
        let directory = try ServingTestSupport.folder(.sequenceClassification)
        var c = ServingTestSupport.configuration(directory)
        c.apiKey = "s3cret"
        try await withServer(c) { base async throws in
            let body = #"{"inputs": "很好"}"#
            #expect(try await Self.send(base, "/predict", body: body).status == 401)
            #expect(try await Self.send(base, "/predict", body: body, headers: ["Authorization": "Bearer wrong!"]).status == 401)
            #expect(try await Self.send(base, "/info", method: "GET").status == 401)
            #expect(try await Self.send(base, "/predict", body: body, headers: ["Authorization": "Bearer s3cret"]).status == 200)
            #expect(try await Self.send(base, "/health", method: "GET").status == 200)
        }
    }

    @Test func concurrentClientsAreBatchedAndAnsweredAlike() async throws {
        let directory = try ServingTestSupport.folder(.sequenceClassification)
        var c = ServingTestSupport.configuration(directory)
        c.maxBatchTokens = 256
        try await withServer(c) { base async throws in
            let texts = ServingTestSupport.texts
            var alone: [String] = []
            for text in texts { alone.append(try await Self.send(base, "/predict", body: JSONWriter.compact(["inputs": .string(text)])).body) }
            let together = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for round in 0..<4 {
                    for (index, text) in texts.enumerated() {
                        group.addTask { (index, try await Self.send(base, "/predict", body: JSONWriter.compact(["inputs": .string(text)])).body + "#\(round)") }
                    }
                }
                var replies: [(Int, String)] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            #expect(together.count == texts.count * 4)
            for (index, body) in together {
                let served = try JSONParser.parse(String(body.prefix { $0 != "#" })).arrayValue!.map { $0.objectValue! }
                let expected = try JSONParser.parse(alone[index]).arrayValue!.map { $0.objectValue! }
                #expect(served.map { $0["label"] } == expected.map { $0["label"] })
                for (a, b) in zip(served, expected) { #expect(abs(a["score"]!.doubleValue! - b["score"]!.doubleValue!) < 1e-5) }
            }
            let metrics = try await Self.send(base, "/metrics", method: "GET").body
            // Some batch held more than one request.
            let single = metrics.split(separator: "\n").first { $0.hasPrefix("ernie_batch_size_bucket{le=\"1\"}") }.map { Int($0.split(separator: " ").last!)! }
            let count = metrics.split(separator: "\n").first { $0.hasPrefix("ernie_batch_size_count") }.map { Int($0.split(separator: " ").last!)! }
            #expect(single != nil && count != nil && single! < count!)
        }
    }

    @Test func admissionRefusesBeyondTheLimit() {
        let metrics = ServingMetrics()
        #expect(metrics.admit(limit: 2) && metrics.admit(limit: 2))
        #expect(!metrics.admit(limit: 2))
        metrics.release()
        #expect(metrics.admit(limit: 2))
    }
}
