import ErnieBasics
import Foundation

/// What to do with a line that is not valid UTF-8.
public enum InvalidUTF8Policy: String, CaseIterable, Sendable {
    /// Stop with an error naming the file and line.
    case error
    /// Replace each invalid sequence by U+FFFD (as Python's `errors="replace"`) and warn.
    case replace
    /// Leave the line out of the output and warn.
    case skip
}

public struct InvalidUTF8Error: Error, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var description: String {
        "\(path):\(line): invalid UTF-8; fix the file or pass --invalid_utf8 replace|skip"
    }
}

/// Reads UTF-8 text files line by line as Unicode scalars (lines end at LF; a CR before it is dropped). Empty lines
/// are reported too, so outputs keep one row per input line.
public enum TextLines {
    /// Calls `body(lineNumber, scalars)` for every line of the file at `path` (1-based line numbers).
    public static func forEachLine(path: String, policy: InvalidUTF8Policy = .error,
                                   warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
                                   _ body: (Int, UnsafeBufferPointer<UInt32>) throws -> Void) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw TextFileError(path: path, reason: error.localizedDescription)
        }
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            try forEachLine(bytes: bytes, path: path, policy: policy, warn: warn, body)
        }
    }

    /// The same over bytes in memory.
    public static func forEachLine(bytes: UnsafeBufferPointer<UInt8>, path: String = "<input>",
                                   policy: InvalidUTF8Policy = .error, warn: (String) -> Void = { _ in },
                                   _ body: (Int, UnsafeBufferPointer<UInt32>) throws -> Void) throws {
        var scalars = [UInt32]()
        scalars.reserveCapacity(4096)
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            lineNumber += 1
            var contentEnd = lineEnd
            if contentEnd > lineStart && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<contentEnd])
            if !decodeUTF8(line, into: &scalars) {
                switch policy {
                case .error: throw InvalidUTF8Error(path: path, line: lineNumber)
                case .skip:
                    warn("\(path):\(lineNumber): invalid UTF-8, line skipped")
                    lineStart = lineEnd + 1
                    continue
                case .replace:
                    warn("\(path):\(lineNumber): invalid UTF-8 replaced by U+FFFD")
                    scalars = String(decoding: line, as: UTF8.self).unicodeScalars.map(\.value)
                }
            }
            try scalars.withUnsafeBufferPointer { try body(lineNumber, $0) }
            lineStart = lineEnd + 1
        }
    }

    /// Strict UTF-8 → scalar values (no overlongs, surrogates or values above U+10FFFF).
    /// - Returns: false when `bytes` is not valid UTF-8 (`scalars` is then incomplete).
    @inline(__always)
    public static func decodeUTF8(_ bytes: UnsafeBufferPointer<UInt8>, into scalars: inout [UInt32]) -> Bool {
        // At most one scalar per byte: size the array once and write through a pointer (no check per append).
        let count = bytes.count
        scalars.removeAll(keepingCapacity: true)
        scalars.append(contentsOf: repeatElement(0, count: count))
        let (written, valid) = scalars.withUnsafeMutableBufferPointer { out -> (Int, Bool) in
            var index = 0, written = 0
            while index < count {
                let lead = UInt32(bytes[index])
                if lead < 0x80 {
                    out[written] = lead
                    written &+= 1
                    index &+= 1
                    continue
                }
                @inline(__always) func continuation(_ offset: Int) -> UInt32? {
                    guard index + offset < count else { return nil }
                    let byte = UInt32(bytes[index + offset])
                    return byte & 0xC0 == 0x80 ? byte & 0x3F : nil
                }
                let value: UInt32
                if lead >= 0xC2 && lead <= 0xDF {
                    guard let b1 = continuation(1) else { return (written, false) }
                    value = (lead & 0x1F) << 6 | b1
                    index &+= 2
                } else if lead >= 0xE0 && lead <= 0xEF {
                    guard let b1 = continuation(1), let b2 = continuation(2) else { return (written, false) }
                    value = (lead & 0x0F) << 12 | b1 << 6 | b2
                    guard value >= 0x800 && !(0xD800...0xDFFF).contains(value) else { return (written, false) }
                    index &+= 3
                } else if lead >= 0xF0 && lead <= 0xF4 {
                    guard let b1 = continuation(1), let b2 = continuation(2), let b3 = continuation(3) else {
                        return (written, false)
                    }
                    value = (lead & 0x07) << 18 | b1 << 12 | b2 << 6 | b3
                    guard value >= 0x10000 && value <= 0x10FFFF else { return (written, false) }
                    index &+= 4
                } else {
                    return (written, false)
                }
                out[written] = value
                written &+= 1
            }
            return (written, true)
        }
        scalars.removeLast(count - written)
        return valid
    }
}

public struct TextFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot read \(path): \(reason)" }
}

/// Buffered output to a file (or stdout for "-"), for JSON-lines writers. The file appears atomically on `close()`:
/// a run that fails part-way leaves an existing file as it was, and an output path equal to the input path is only
/// replaced once the input has been read.
public final class TextFileWriter {
    private let handle: FileHandle
    private var buffer = [UInt8]()
    private let file: AtomicFile?

    public init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardOutput
            file = nil
        } else {
            let file = try AtomicFile(path: path)
            guard FileManager.default.createFile(atPath: file.temporaryPath, contents: nil),
                  let handle = FileHandle(forWritingAtPath: file.temporaryPath) else {
                throw FileWriteError(path: path, reason: "cannot create the file (is its folder writable?)")
            }
            self.handle = handle
            self.file = file
        }
        buffer.reserveCapacity(1 << 20)
    }

    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    public func write(bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and publishes the file.
    public func close() throws {
        flush()
        guard let file else { return }
        try? handle.close()
        try file.commit()
    }
}
