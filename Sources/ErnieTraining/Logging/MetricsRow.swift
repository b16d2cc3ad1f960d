import ErnieBasics
/// One line of `metrics.jsonl`: an ordered list of (key, value) fields, e.g.
/// `["step": 120, "loss": MetricValue(loss), "lr": MetricValue(learningRate)]`.
public struct MetricsRow: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// Fields in the order they are written. Keys are unique.
    public private(set) var fields: [Field]

    public struct Field: Sendable, Hashable {
        public var key: String
        public var value: MetricValue
        public init(key: String, value: MetricValue) {
            self.key = key
            self.value = value
        }
    }

    public init(_ fields: [(String, MetricValue)]) {
        self.fields = []
        for (key, value) in fields { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, MetricValue)...) {
        self.init(elements)
    }

    /// The value of `key`; setting replaces it in place or appends a new field at the end.
    public subscript(key: String) -> MetricValue? {
        get { fields.first { $0.key == key }?.value }
        set {
            let index = fields.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): fields[index].value = value
            case (let index?, nil): fields.remove(at: index)
            case (nil, let value?): fields.append(Field(key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// The number under `key`, nil when absent, a string, or null.
    public func number(_ key: String) -> Double? { self[key]?.number }

    /// The `step` field as an integer, nil when absent or not a whole number.
    public var step: Int? {
        guard let value = number("step"), value.isFinite, value == value.rounded(), abs(value) < 1e18 else { return nil }
        return Int(value)
    }

    /// One JSON object on one line, fields in order, without the trailing newline.
    public var jsonLine: String {
        "{" + fields.map { JSONWriter.quoted($0.key) + ": " + $0.value.jsonText }.joined(separator: ", ") + "}"
    }

    /// Parses one flat JSON object (values are numbers, strings, booleans as 0/1, or null), keeping the key order.
    /// Throws `MetricsParseError` with the column of the first problem.
    public init(jsonLine line: String) throws {
        let value: JSONValue
        do { value = try JSONParser.parse(line) } catch { throw MetricsParseError(reason: error.message, offset: error.offset) }
        guard case .object(let object) = value else { throw MetricsParseError(reason: "expected an object", offset: 0) }
        var fields: [(String, MetricValue)] = []
        for (key, member) in object {
            switch member {
            case .number: fields.append((key, .number(member.doubleValue ?? .nan)))
            case .string(let text): fields.append((key, .string(text)))
            case .bool(let flag): fields.append((key, .number(flag ? 1 : 0)))
            case .null: fields.append((key, .null))
            case .array, .object: throw MetricsParseError(reason: "\(key): expected a number, string or null", offset: 0)
            }
        }
        self.init(fields)
    }
}

/// A problem in one `metrics.jsonl` line; `offset` is the UTF-8 byte offset within the line.
public struct MetricsParseError: Error, CustomStringConvertible {
    public var reason: String
    public var offset: Int
    public var description: String { "\(reason) at byte \(offset)" }
}
