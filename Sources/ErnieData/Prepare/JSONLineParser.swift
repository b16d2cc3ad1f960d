/// Reads one JSON-lines record the way `json.loads(line)[key]` does in PaddleNLP's `create_pretraining_data.py`, over
/// Unicode scalars and without building a dictionary: the whole line is validated, the string value of `key` (the
/// last one when the key repeats, as Python keeps) is decoded into `output`, every other value is skipped.
///
/// Python extensions accepted: `NaN`, `Infinity`, `-Infinity`. Refused like Python: control characters inside strings,
/// trailing commas, anything after the value. Refused unlike Python: lone surrogate escapes (they cannot be UTF-8).
struct JSONLineParser {
    /// The key, as scalars.
    let key: [UInt32]
    private var keyBuffer: [UInt32] = []

    init(key: String) {
        self.key = key.unicodeScalars.map(\.value)
    }

    /// What went wrong, with the 1-based column (in characters) where it was noticed.
    struct Failure: Error, Equatable {
        var column: Int
        var reason: String
    }

    /// Decodes `key`'s string value of the object on `line` into `output` (cleared first).
    /// - Throws: `Failure` for malformed JSON, a line that is not an object, a missing key or a non-string value.
    mutating func extract(from line: UnsafeBufferPointer<UInt32>, into output: inout [UInt32]) throws(Failure) {
        output.removeAll(keepingCapacity: true)
        var cursor = Cursor(text: line)
        cursor.skipWhitespace()
        guard cursor.peek == 0x7B else {
            throw Failure(column: cursor.column, reason: cursor.atEnd ? "empty line" : "not a JSON object")
        }
        cursor.index += 1
        var found = false
        cursor.skipWhitespace()
        if cursor.peek == 0x7D {
            cursor.index += 1
        } else {
            while true {
                cursor.skipWhitespace()
                guard cursor.peek == 0x22 else { throw Failure(column: cursor.column, reason: "expected a key string") }
                try cursor.readString(into: &keyBuffer)
                cursor.skipWhitespace()
                guard cursor.peek == 0x3A else { throw Failure(column: cursor.column, reason: "expected ':'") }
                cursor.index += 1
                cursor.skipWhitespace()
                if keyBuffer == key {
                    guard cursor.peek == 0x22 else {
                        throw Failure(column: cursor.column, reason: "the value of \"\(String(decoding: key))\" is not a string")
                    }
                    try cursor.readString(into: &output)
                    found = true
                } else {
                    try cursor.skipValue(depth: 0)
                }
                cursor.skipWhitespace()
                if cursor.peek == 0x2C { cursor.index += 1; continue }
                if cursor.peek == 0x7D { cursor.index += 1; break }
                throw Failure(column: cursor.column, reason: "expected ',' or '}'")
            }
        }
        cursor.skipWhitespace()
        guard cursor.atEnd else { throw Failure(column: cursor.column, reason: "extra data after the object") }
        guard found else { throw Failure(column: 1, reason: "no key \"\(String(decoding: key))\" (pick it with --json_key)") }
    }

    private struct Cursor {
        let text: UnsafeBufferPointer<UInt32>
        var index = 0

        var atEnd: Bool { index >= text.count }
        var peek: UInt32 { index < text.count ? text[index] : 0xFFFF_FFFF }
        var column: Int { index + 1 }

        mutating func skipWhitespace() {
            while index < text.count {
                let value = text[index]
                guard value == 0x20 || value == 0x09 || value == 0x0A || value == 0x0D else { return }
                index += 1
            }
        }

        /// A string starting at the opening quote; escapes decoded, surrogate pairs combined.
        mutating func readString(into output: inout [UInt32]) throws(Failure) {
            output.removeAll(keepingCapacity: true)
            index += 1
            while true {
                guard index < text.count else { throw Failure(column: column, reason: "unterminated string") }
                let value = text[index]
                if value == 0x22 { index += 1; return }
                if value < 0x20 { throw Failure(column: column, reason: "control character in a string") }
                if value != 0x5C {
                    output.append(value)
                    index += 1
                    continue
                }
                index += 1
                guard index < text.count else { throw Failure(column: column, reason: "unterminated string") }
                let escape = text[index]
                index += 1
                switch escape {
                case 0x22, 0x5C, 0x2F: output.append(escape)
                case 0x62: output.append(0x08)
                case 0x66: output.append(0x0C)
                case 0x6E: output.append(0x0A)
                case 0x72: output.append(0x0D)
                case 0x74: output.append(0x09)
                case 0x75:
                    var unit = try readHex4()
                    if unit >= 0xD800 && unit <= 0xDBFF {
                        guard index + 1 < text.count, text[index] == 0x5C, text[index + 1] == 0x75 else {
                            throw Failure(column: column, reason: "lone surrogate escape")
                        }
                        index += 2
                        let low = try readHex4()
                        guard low >= 0xDC00 && low <= 0xDFFF else { throw Failure(column: column, reason: "lone surrogate escape") }
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    } else if unit >= 0xDC00 && unit <= 0xDFFF {
                        throw Failure(column: column, reason: "lone surrogate escape")
                    }
                    output.append(unit)
                default:
                    throw Failure(column: column - 1, reason: "invalid escape")
                }
            }
        }

        mutating func readHex4() throws(Failure) -> UInt32 {
            guard index + 4 <= text.count else { throw Failure(column: column, reason: "truncated \\u escape") }
            var result: UInt32 = 0
            for _ in 0..<4 {
                let value = text[index]
                let digit: UInt32
                switch value {
                case 0x30...0x39: digit = value - 0x30
                case 0x41...0x46: digit = value - 0x41 + 10
                case 0x61...0x66: digit = value - 0x61 + 10
                default: throw Failure(column: column, reason: "invalid \\u escape")
                }
                result = result << 4 | digit
                index += 1
            }
            return result
        }

        mutating func skipValue(depth: Int) throws(Failure) {
            guard depth < 512 else { throw Failure(column: column, reason: "nested too deeply") }
            var scratch: [UInt32] = []
            switch peek {
            case 0x22:
                try readString(into: &scratch)
            case 0x7B, 0x5B:
                let close: UInt32 = peek == 0x7B ? 0x7D : 0x5D
                let isObject = close == 0x7D
                index += 1
                skipWhitespace()
                if peek == close { index += 1; return }
                while true {
                    skipWhitespace()
                    if isObject {
                        guard peek == 0x22 else { throw Failure(column: column, reason: "expected a key string") }
                        try readString(into: &scratch)
                        skipWhitespace()
                        guard peek == 0x3A else { throw Failure(column: column, reason: "expected ':'") }
                        index += 1
                        skipWhitespace()
                    }
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    if peek == 0x2C { index += 1; continue }
                    if peek == close { index += 1; return }
                    throw Failure(column: column, reason: isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
            case 0x74: try literal("true")
            case 0x66: try literal("false")
            case 0x6E: try literal("null")
            case 0x4E: try literal("NaN")
            case 0x49: try literal("Infinity")
            default: try skipNumber()
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard index + bytes.count <= text.count,
                  (0..<bytes.count).allSatisfy({ text[index + $0] == UInt32(bytes[$0]) }) else {
                throw Failure(column: column, reason: "invalid value")
            }
            index += bytes.count
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, or `-Infinity`.
        mutating func skipNumber() throws(Failure) {
            let start = index
            if peek == 0x2D {
                index += 1
                if peek == 0x49 { try literal("Infinity"); return }
            }
            func digits() -> Int {
                var count = 0
                while index < text.count, text[index] >= 0x30, text[index] <= 0x39 { index += 1; count += 1 }
                return count
            }
            if peek == 0x30 { index += 1 } else if digits() == 0 {
                index = start
                throw Failure(column: column, reason: "invalid value")
            }
            if peek == 0x2E {
                index += 1
                guard digits() > 0 else { throw Failure(column: column, reason: "invalid number") }
            }
            if peek == 0x65 || peek == 0x45 {
                index += 1
                if peek == 0x2B || peek == 0x2D { index += 1 }
                guard digits() > 0 else { throw Failure(column: column, reason: "invalid number") }
            }
        }
    }
}

extension String {
    /// A string from Unicode scalar values (invalid values become U+FFFD).
    init(decoding scalars: [UInt32]) {
        var result = String.UnicodeScalarView()
        for value in scalars { result.append(Unicode.Scalar(value) ?? "\u{FFFD}") }
        self = String(result)
    }
}
