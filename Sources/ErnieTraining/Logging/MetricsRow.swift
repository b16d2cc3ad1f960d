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
        "{" + fields.map { jsonQuoted($0.key) + ": " + $0.value.jsonText }.joined(separator: ", ") + "}"
    }

    /// Parses one flat JSON object (values are numbers, strings, booleans as 0/1, or null), keeping the key order.
    /// Throws `MetricsParseError` with the column of the first problem.
    public init(jsonLine line: String) throws {
        var parser = FlatJSONParser(bytes: Array(line.utf8))
        self.init(try parser.parseObject())
    }
}

/// A problem in one `metrics.jsonl` line; `offset` is the UTF-8 byte offset within the line.
public struct MetricsParseError: Error, CustomStringConvertible {
    public var reason: String
    public var offset: Int
    public var description: String { "\(reason) at byte \(offset)" }
}

/// Parser for the flat objects `MetricsRow.jsonLine` writes (and that other tools write: any whitespace, escapes).
private struct FlatJSONParser {
    let bytes: [UInt8]
    var position = 0

    mutating func parseObject() throws -> [(String, MetricValue)] {
        var fields: [(String, MetricValue)] = []
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                let key = try parseString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                fields.append((key, try parseValue()))
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"))
                break
            }
        }
        skipWhitespace()
        guard position == bytes.count else { throw error("unexpected text after the object") }
        return fields
    }

    private mutating func parseValue() throws -> MetricValue {
        switch peek() {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "t"): try expectWord("true"); return .number(1)
        case UInt8(ascii: "f"): try expectWord("false"); return .number(0)
        default:
            let start = position
            while let byte = peek(), byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || (byte >= 0x30 && byte <= 0x39) {
                position += 1
            }
            guard position > start, let value = Double(String(decoding: bytes[start..<position], as: UTF8.self)) else {
                position = start
                throw error("expected a number, string or null")
            }
            return .number(value)
        }
    }

    private mutating func parseString() throws -> String {
        try expect(UInt8(ascii: "\""))
        var scalars = String.UnicodeScalarView()
        var utf8Run: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: utf8Run, as: UTF8.self).unicodeScalars)
            utf8Run.removeAll()
        }
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            position += 1
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\") else { utf8Run.append(byte); continue }
            flush()
            guard let escape = peek() else { throw error("unterminated escape") }
            position += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(Unicode.Scalar(escape))
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800..<0xDC00).contains(code), peek() == UInt8(ascii: "\\") {
                    position += 2  // "\u" of the low surrogate
                    let low = try parseHex4()
                    code = 0x10000 + ((code - 0xD800) << 10) + (low &- 0xDC00)
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: throw error("unknown escape")
            }
        }
        flush()
        return String(scalars)
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let code = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16)
        else { throw error("bad \\u escape") }
        position += 4
        return code
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    private mutating func expectWord(_ word: String) throws {
        for byte in word.utf8 { try expect(byte) }
    }

    private func error(_ reason: String) -> MetricsParseError { MetricsParseError(reason: reason, offset: position) }
}
