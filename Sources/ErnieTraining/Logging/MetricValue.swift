import ErnieBasics
/// One value of a metrics row: a number (step, loss, learning rate …), a string (a phase or task name), or null
/// (what non-finite numbers become in JSON, and what they read back as).
public enum MetricValue: Sendable, Hashable {
    case number(Double)
    case string(String)
    case null

    /// A float keeps its shortest float spelling (`Float(0.1)` is logged as `0.1`, not `0.10000000149011612`):
    /// the logged decimal still reads back as exactly the same `Float`.
    public init(_ value: Float) {
        self = value.isFinite ? .number(Double(value.description) ?? Double(value)) : .number(Double(value))
    }

    public init(_ value: Double) { self = .number(value) }

    public init<Integer: BinaryInteger>(_ value: Integer) { self = .number(Double(value)) }

    public init(_ value: String) { self = .string(value) }

    /// The number, if this is a finite or non-finite number; nil for strings and null.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// JSON text: integral numbers below 2^53 without a fraction (`120`), other finite numbers in Swift's shortest
    /// round-trip spelling (`6.123`, `1e-05`), NaN and ±infinity as `null` (JSON has no spelling for them).
    public var jsonText: String {
        switch self {
        case .number(let value):
            guard value.isFinite else { return "null" }
            if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
                return value == 0 ? "0" : String(Int64(value))
            }
            return value.description
        case .string(let text): return JSONWriter.quoted(text)
        case .null: return "null"
        }
    }
}

extension MetricValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}
