import Foundation

/// Just enough of Python's literal syntax to read jieba's HMM tables (`finalseg/prob_*.py`: `P={'B': {'\u4e00': -3.65,
/// …}, …}`): dicts, quoted strings with `\uXXXX`-style escapes, and numbers. Everything outside the `P=` literal
/// (imports, comments) is skipped.
enum PythonLiteral: Equatable {
    case string(String)
    case number(Double)
    case dict([(key: PythonLiteral, value: PythonLiteral)])

    static func == (lhs: PythonLiteral, rhs: PythonLiteral) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.dict(let a), .dict(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        var path: String
        var offset: Int
        var reason: String
        var description: String { "\(path): byte \(offset): \(reason) (expected a Python dict literal `P={…}`)" }
    }

    /// Parses the value assigned to `name` (e.g. `P`) in a Python source file.
    static func parseAssignment(named name: String, in source: [UInt8], path: String) throws -> PythonLiteral {
        var parser = Parser(bytes: source, path: path)
        // Find `name=` or `name =` at the start of a line.
        let target = Array(name.utf8)
        var index = 0
        while index < source.count {
            let lineStart = index == 0 || source[index - 1] == UInt8(ascii: "\n")
            if lineStart && source[index...].starts(with: target) {
                var cursor = index + target.count
                while cursor < source.count && source[cursor] == UInt8(ascii: " ") { cursor += 1 }
                if cursor < source.count && source[cursor] == UInt8(ascii: "=") {
                    parser.position = cursor + 1
                    return try parser.value()
                }
            }
            index += 1
        }
        throw ParseError(path: path, offset: 0, reason: "no assignment to \(name)")
    }

    private struct Parser {
        let bytes: [UInt8]
        let path: String
        var position = 0

        init(bytes: [UInt8], path: String) {
            self.bytes = bytes
            self.path = path
        }

        func fail(_ reason: String) -> ParseError { ParseError(path: path, offset: position, reason: reason) }

        mutating func skipSpace() {
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
                case UInt8(ascii: "#"):
                    while position < bytes.count && bytes[position] != UInt8(ascii: "\n") { position += 1 }
                default: return
                }
            }
        }

        mutating func value() throws -> PythonLiteral {
            skipSpace()
            guard position < bytes.count else { throw fail("unexpected end of file") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try dict()
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
            default: return .number(try number())
            }
        }

        mutating func dict() throws -> PythonLiteral {
            position += 1
            var entries = [(key: PythonLiteral, value: PythonLiteral)]()
            while true {
                skipSpace()
                guard position < bytes.count else { throw fail("unterminated dict") }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .dict(entries) }
                let key = try value()
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                position += 1
                let item = try value()
                entries.append((key, item))
                skipSpace()
                guard position < bytes.count else { throw fail("unterminated dict") }
                if bytes[position] == UInt8(ascii: ",") { position += 1 }
            }
        }

        mutating func string() throws -> String {
            let quote = bytes[position]
            position += 1
            var scalars = String.UnicodeScalarView()
            var raw = [UInt8]()
            func flushRaw() throws {
                guard !raw.isEmpty else { return }
                guard let text = String(validating: raw, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
                scalars.append(contentsOf: text.unicodeScalars)
                raw.removeAll()
            }
            while true {
                guard position < bytes.count else { throw fail("unterminated string") }
                let byte = bytes[position]
                position += 1
                if byte == quote { break }
                guard byte == UInt8(ascii: "\\") else { raw.append(byte); continue }
                try flushRaw()
                guard position < bytes.count else { throw fail("unterminated escape") }
                let kind = bytes[position]
                position += 1
                let hexDigits: Int
                switch kind {
                case UInt8(ascii: "u"): hexDigits = 4
                case UInt8(ascii: "U"): hexDigits = 8
                case UInt8(ascii: "x"): hexDigits = 2
                case UInt8(ascii: "n"): scalars.append("\n"); continue
                case UInt8(ascii: "t"): scalars.append("\t"); continue
                case UInt8(ascii: "r"): scalars.append("\r"); continue
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""):
                    scalars.append(Unicode.Scalar(kind)); continue
                default: throw fail("unsupported escape \\\(Character(Unicode.Scalar(kind)))")
                }
                guard position + hexDigits <= bytes.count,
                      let value = UInt32(String(decoding: bytes[position..<position + hexDigits], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(value) else { throw fail("bad \\u escape") }
                scalars.append(scalar)
                position += hexDigits
            }
            try flushRaw()
            return String(scalars)
        }

        mutating func number() throws -> Double {
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                let isNumberByte = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                    || byte == UInt8(ascii: "E")
                guard isNumberByte else { break }
                position += 1
            }
            // Swift's Double(String) rounds correctly, as Python's float() does.
            guard position > start, let number = Double(String(decoding: bytes[start..<position], as: UTF8.self)) else {
                throw fail("expected a number, a string or a dict")
            }
            return number
        }
    }
}
