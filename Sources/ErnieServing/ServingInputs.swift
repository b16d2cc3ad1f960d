import ErnieBasics

/// One text or a text pair (TEI's `Sequence`).
public enum TextInput: Sendable, Equatable {
    case single(String)
    case pair(String, String)
}

/// What `/embed` and `/v1/embeddings` take: texts, or token ids as they are.
public enum EmbedInput: Sendable, Equatable {
    case text(String)
    case ids([Int])
}

/// Reads request bodies in TEI's shapes; every mismatch is a 422 naming the field, an empty input list a 400.
enum ServingInputs {
    /// The body as a JSON object.
    static func object(_ body: JSONValue?) throws(ServingError) -> JSONObject {
        guard let body else { throw ServingError(.validation, "the request needs a JSON body") }
        guard case .object(let object) = body else { throw ServingError(.validation, "the body must be a JSON object, not \(body.typeName)") }
        return object
    }

    static func required(_ object: JSONObject, _ key: String) throws(ServingError) -> JSONValue {
        guard let value = object[key], !value.isNull else { throw ServingError(.validation, "missing field `\(key)`") }
        return value
    }

    /// An optional boolean field.
    static func bool(_ object: JSONObject, _ key: String) throws(ServingError) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw ServingError(.validation, "`\(key)` must be a boolean, not \(value.typeName)") }
        return flag
    }

    /// An optional positive integer field.
    static func positiveInt(_ object: JSONObject, _ key: String) throws(ServingError) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue, number > 0 else { throw ServingError(.validation, "`\(key)` must be a positive integer") }
        return number
    }

    /// An optional string field.
    static func string(_ object: JSONObject, _ key: String) throws(ServingError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw ServingError(.validation, "`\(key)` must be a string, not \(value.typeName)") }
        return text
    }

    /// `/predict`: `"text"`, `["a", "b"]` (a pair), or a batch `[["a"], ["a", "b"], "c", …]`.
    /// - Returns: the inputs and whether they came as a batch (the response is then a list per input).
    static func sequences(_ value: JSONValue, field: String = "inputs") throws(ServingError) -> (inputs: [TextInput], batched: Bool) {
        switch value {
        case .string(let text): return ([.single(text)], false)
        case .array(let items):
            if items.isEmpty { throw ServingError(.empty, "`\(field)` cannot be empty") }
            if items.count == 2, let first = items[0].stringValue, let second = items[1].stringValue { return ([.pair(first, second)], false) }
            var inputs: [TextInput] = []
            for (index, item) in items.enumerated() {
                switch item {
                case .string(let text): inputs.append(.single(text))
                case .array(let parts) where parts.count == 1 && parts[0].stringValue != nil: inputs.append(.single(parts[0].stringValue!))
                case .array(let parts) where parts.count == 2 && parts.allSatisfy({ $0.stringValue != nil }):
                    inputs.append(.pair(parts[0].stringValue!, parts[1].stringValue!))
                default:
                    throw ServingError(.validation, "`\(field)[\(index)]` must be a string or a list of one or two strings")
                }
            }
            return (inputs, true)
        default:
            throw ServingError(.validation, "`\(field)` must be a string or a list, not \(value.typeName)")
        }
    }

    /// `/tokenize`, `/ner`: `"text"` or `["a", "b", …]`.
    static func texts(_ value: JSONValue, field: String = "inputs") throws(ServingError) -> (inputs: [String], batched: Bool) {
        switch value {
        case .string(let text): return ([text], false)
        case .array(let items):
            if items.isEmpty { throw ServingError(.empty, "`\(field)` cannot be empty") }
            var texts: [String] = []
            for (index, item) in items.enumerated() {
                guard let text = item.stringValue else { throw ServingError(.validation, "`\(field)[\(index)]` must be a string, not \(item.typeName)") }
                texts.append(text)
            }
            return (texts, true)
        default:
            throw ServingError(.validation, "`\(field)` must be a string or a list of strings, not \(value.typeName)")
        }
    }

    /// `/embed`: `"text"`, `["a", "b"]`, `[101, 2003, 102]` (token ids) or `[[101, 102], …]`.
    static func embedInputs(_ value: JSONValue, field: String = "inputs") throws(ServingError) -> (inputs: [EmbedInput], batched: Bool) {
        switch value {
        case .string(let text): return ([.text(text)], false)
        case .array(let items):
            if items.isEmpty { throw ServingError(.empty, "`\(field)` cannot be empty") }
            if case .number = items[0] { return ([.ids(try tokenIds(items, field: field))], false) }
            var inputs: [EmbedInput] = []
            for (index, item) in items.enumerated() {
                switch item {
                case .string(let text): inputs.append(.text(text))
                case .array(let ids): inputs.append(.ids(try tokenIds(ids, field: "\(field)[\(index)]")))
                default: throw ServingError(.validation, "`\(field)[\(index)]` must be a string or a list of token ids, not \(item.typeName)")
                }
            }
            return (inputs, true)
        default:
            throw ServingError(.validation, "`\(field)` must be a string or a list, not \(value.typeName)")
        }
    }

    private static func tokenIds(_ items: [JSONValue], field: String) throws(ServingError) -> [Int] {
        if items.isEmpty { throw ServingError(.empty, "`\(field)` cannot be empty") }
        var ids: [Int] = []
        ids.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .number(let text) = item, let id = Int(text), id >= 0 else {
                throw ServingError(.validation, "`\(field)[\(index)]` must be a non-negative integer token id")
            }
            ids.append(id)
        }
        return ids
    }
}
