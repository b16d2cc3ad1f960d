import ErnieBasics
import HTTPTypes

/// An error answered to the client: TEI's `{"error": …, "error_type": …}` body with TEI's status codes.
public struct ServingError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// 422: a request the model cannot take (too long, too many inputs, wrong shape).
        case validation = "Validation"
        /// 422: the text cannot be tokenized.
        case tokenizer = "Tokenizer"
        /// 429: `max_concurrent_requests` reached.
        case overloaded = "Overloaded"
        /// 400: no inputs.
        case empty = "Empty"
        /// 424: the forward pass failed.
        case backend = "Backend"
        /// 503: the server is shutting down or its worker stopped.
        case unhealthy = "Unhealthy"
        /// 400: a body that is not JSON of the route's shape.
        case malformed = "Malformed"
        /// 401: a missing or wrong API key.
        case unauthorized = "Unauthorized"
        /// 404 / 405: no such route or method.
        case notFound = "NotFound"
        case methodNotAllowed = "MethodNotAllowed"
        /// 413 / 408: a body over the limit, or one that did not arrive in time.
        case payloadTooLarge = "PayloadTooLarge"
        case timeout = "Timeout"
        /// 424: the route does not fit the served model (e.g. `/embed` on a classifier).
        case unsupported = "Unsupported"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var status: HTTPResponse.Status {
        switch kind {
        case .validation, .tokenizer: .unprocessableContent
        case .overloaded: .tooManyRequests
        case .empty, .malformed: .badRequest
        case .backend, .unsupported: .init(code: 424, reasonPhrase: "Failed Dependency")
        case .unhealthy: .serviceUnavailable
        case .unauthorized: .unauthorized
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .payloadTooLarge: .contentTooLarge
        case .timeout: .requestTimeout
        }
    }

    /// `{"error":"…","error_type":"…"}`.
    public var body: String {
        JSONWriter.compact(.object(JSONObject([("error", .string(message)), ("error_type", .string(kind.rawValue))])))
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
