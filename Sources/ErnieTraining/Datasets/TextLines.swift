import Foundation

/// The lines of a UTF-8 text file: split on `\n`, a trailing `\r` dropped, each decoded strictly.
/// `lines` holds (1-based line number, text) for every line that decodes, empty ones included; `invalidLines` lists the
/// numbers of lines that are not valid UTF-8. A final newline does not start an extra line.
public struct TextLines {
    public var lines: [(number: Int, text: String)] = []
    public var invalidLines: [Int] = []

    /// Reads `path`; throws ``DatasetError`` when the file cannot be read.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, "cannot read the file (missing or not readable)")
        }
        self.init(data: data)
    }

    public init(data: Data) {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0, number = 0
            while start < bytes.count {
                number += 1
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var lineEnd = end
                if lineEnd > start && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                if let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<lineEnd]), as: UTF8.self) {
                    lines.append((number, text))
                } else {
                    invalidLines.append(number)
                }
                start = end + 1
            }
        }
    }

    /// Throws for the first invalid line, for readers that must not skip input silently.
    public func requireValidUTF8(file: String) throws {
        if let first = invalidLines.first { throw DatasetError(file: file, line: first, "not valid UTF-8") }
    }
}
