/// Writes `JSONValue`s in the two layouts checkpoints use. Members are written in the object's order: sort first
/// (`sortedByKeys()`) where the producer sorted.
public enum JSONWriter {
    /// Python's `json.dumps(value, indent=2)` with the default `ensure_ascii=True` (non-ASCII as `\uXXXX`), the
    /// layout of Hugging Face's `config.json` and `model.safetensors.index.json` (they add a final newline).
    /// With `asciiOnly` false, UTF-8 stays as is: `ensure_ascii=False` (`tokenizer_config.json`), which is also
    /// serde_json's pretty layout (`tokenizer.json`).
    public static func pythonIndented(_ value: JSONValue, asciiOnly: Bool = true) -> String {
        var output = ""
        writeIndented(value, level: 0, asciiOnly: asciiOnly, into: &output)
        return output
    }

    /// Compact JSON without spaces and with UTF-8 kept as is, as serde_json writes safetensors headers.
    public static func compact(_ value: JSONValue) -> String {
        var output = ""
        writeLine(value, separators: (",", ":"), asciiOnly: false, into: &output)
        return output
    }

    /// One line as Python's `json.dumps(value)` writes it (`", "` and `": "` separators; `ensure_ascii` unless
    /// `asciiOnly` is false): JSON-lines outputs that Python tools compare with.
    public static func pythonLine(_ value: JSONValue, asciiOnly: Bool = true) -> String {
        var output = ""
        writeLine(value, separators: (", ", ": "), asciiOnly: asciiOnly, into: &output)
        return output
    }

    /// A JSON number: the shortest text that reads back as `value`, `null` when it is not finite.
    public static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

    /// `text` as a JSON string literal, escaped as Python's `json.dumps` does (`ensure_ascii=False` unless
    /// `asciiOnly`): the one string escaper of every file ernie writes.
    public static func quoted(_ text: String, asciiOnly: Bool = false) -> String {
        var output = ""
        writeString(text, asciiOnly: asciiOnly, into: &output)
        return output
    }

    private static func writeIndented(_ value: JSONValue, level: Int, asciiOnly: Bool, into output: inout String) {
        let inner = String(repeating: "  ", count: level + 1)
        let outer = String(repeating: "  ", count: level)
        switch value {
        case .array(let items) where !items.isEmpty:
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += inner
                writeIndented(item, level: level + 1, asciiOnly: asciiOnly, into: &output)
                output += index + 1 < items.count ? ",\n" : "\n"
            }
            output += outer + "]"
        case .object(let object) where !object.isEmpty:
            output += "{\n"
            var index = 0
            for (key, member) in object {
                output += inner
                writeString(key, asciiOnly: asciiOnly, into: &output)
                output += ": "
                writeIndented(member, level: level + 1, asciiOnly: asciiOnly, into: &output)
                index += 1
                output += index < object.count ? ",\n" : "\n"
            }
            output += outer + "}"
        default:
            writeScalar(value, asciiOnly: asciiOnly, into: &output)
        }
    }

    private static func writeLine(_ value: JSONValue, separators: (item: String, key: String), asciiOnly: Bool,
                                  into output: inout String) {
        switch value {
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += separators.item }
                writeLine(item, separators: separators, asciiOnly: asciiOnly, into: &output)
            }
            output += "]"
        case .object(let object):
            output += "{"
            var first = true
            for (key, member) in object {
                if !first { output += separators.item }
                first = false
                writeString(key, asciiOnly: asciiOnly, into: &output)
                output += separators.key
                writeLine(member, separators: separators, asciiOnly: asciiOnly, into: &output)
            }
            output += "}"
        default:
            writeScalar(value, asciiOnly: asciiOnly, into: &output)
        }
    }

    private static func writeScalar(_ value: JSONValue, asciiOnly: Bool, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): writeString(text, asciiOnly: asciiOnly, into: &output)
        case .array: output += "[]"
        case .object: output += "{}"
        }
    }

    private static let hexDigits = Array("0123456789abcdef")

    /// Escapes as Python's encoder: `\" \\ \n \r \t \b \f`, other control characters (and, ASCII-only, everything
    /// outside space…tilde) as lowercase `\u00XX`, astral characters as surrogate pairs.
    static func writeString(_ text: String, asciiOnly: Bool, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                    for unit in String(scalar).utf16 {
                        output += "\\u"
                        for shift in stride(from: 12, through: 0, by: -4) {
                            output.append(hexDigits[Int((unit >> UInt16(shift)) & 0xF)])
                        }
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
