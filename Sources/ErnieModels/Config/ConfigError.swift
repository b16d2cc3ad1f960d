/// A `config.json` that ernie cannot use; each message names the file and the field and says what is allowed.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case invalidJSON(source: String, message: String)
    case notAnObject(source: String)
    case wrongType(source: String, key: String, expected: String, found: String)
    case unsupportedValue(source: String, key: String, value: String, supported: [String])
    case invalidValue(source: String, key: String, message: String)
    case unknownPreset(name: String, available: [String])
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read config \(path): \(reason)"
        case .invalidJSON(let source, let message): "\(source): invalid JSON: \(message)"
        case .notAnObject(let source): "\(source): a config.json must hold one JSON object"
        case .wrongType(let source, let key, let expected, let found):
            "\(source): \"\(key)\" must be \(expected), found \(found)"
        case .unsupportedValue(let source, let key, let value, let supported):
            "\(source): \"\(key)\" = \(value) is not supported; use one of: \(supported.joined(separator: ", "))"
        case .invalidValue(let source, let key, let message): "\(source): \"\(key)\" \(message)"
        case .unknownPreset(let name, let available):
            "unknown model preset \"\(name)\"; available: \(available.joined(separator: ", "))"
        case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
