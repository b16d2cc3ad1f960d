import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Streams one input file's lines as UTF-8 bytes in bounded memory: a plain file through `read(2)`, a `.gz` file
/// through `/bin/gzip -dc` (Foundation on Linux has no gzip decoder and the package links no zlib; the system's
/// gzip runs as a child process whose output is read from a pipe).
///
/// Lines end at `\n`, `\r\n` or — with `universalNewlines`, as Python's text mode reads `.txt` files — a lone `\r`.
/// The terminator is not part of the line; `terminated` says whether there was one (the last line may lack it).
final class CorpusFileReader {
    let path: String
    let compressed: Bool
    /// Bytes of the file on disk.
    let fileSize: Int
    private let fileDescriptor: Int32
    private var readDescriptor: Int32
    private var process: Process?
    private var errorPipe: Pipe?
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var reachedEnd = false

    /// - Throws: `PrepareError.input` when the file cannot be opened or gzip cannot be started.
    init(path: String, compressed: Bool, chunkSize: Int = 1 << 22) throws {
        self.path = path
        self.compressed = compressed
        fileDescriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard fileDescriptor >= 0 else {
            throw PrepareError.input(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        var status = stat()
        fileSize = fstat(fileDescriptor, &status) == 0 ? Int(status.st_size) : 0
        buffer = [UInt8](repeating: 0, count: chunkSize)
        readDescriptor = fileDescriptor
        if compressed {
            guard let gzip = ["/bin/gzip", "/usr/bin/gzip"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                close(fileDescriptor)
                throw PrepareError.input(path: path, reason: "reading .gz files needs gzip (/bin/gzip); install it or decompress first")
            }
            let child = Process()
            child.executableURL = URL(fileURLWithPath: gzip)
            child.arguments = ["-dc"]
            // The child shares this open file description, so lseek(fileDescriptor) shows how far gzip has read.
            child.standardInput = FileHandle(fileDescriptor: fileDescriptor, closeOnDealloc: false)
            let output = Pipe(), errors = Pipe()
            child.standardOutput = output
            child.standardError = errors
            do { try child.run() } catch {
                close(fileDescriptor)
                throw PrepareError.input(path: path, reason: "cannot run \(gzip): \(error.localizedDescription)")
            }
            process = child
            errorPipe = errors
            readDescriptor = output.fileHandleForReading.fileDescriptor
            // Keep the pipe's read end alive with the process object's references.
            pipeOutput = output
        }
    }

    private var pipeOutput: Pipe?

    deinit {
        if let process, process.isRunning { process.terminate(); process.waitUntilExit() }
        close(fileDescriptor)
    }

    /// Bytes of the file on disk consumed so far (for progress and ETA).
    var consumedFileBytes: Int {
        let position = lseek(fileDescriptor, 0, SEEK_CUR)
        return position < 0 ? 0 : min(Int(position), fileSize)
    }

    /// Calls `body(lineNumber, bytes, terminated)` for every line (1-based line numbers).
    /// - Throws: `PrepareError.input` on read errors or when gzip reports a corrupt file; rethrows `body`'s errors.
    func forEachLine(universalNewlines: Bool,
                     _ body: (Int, UnsafeBufferPointer<UInt8>, Bool) throws -> Void) throws {
        var lineNumber = 0
        while true {
            // Complete lines in buffer[start..<end].
            let advanced: Int = try buffer.withUnsafeBufferPointer { bytes in
                var position = start
                while position < end {
                    guard let terminator = findTerminator(bytes, from: position, universal: universalNewlines) else { break }
                    var next = terminator + 1
                    if bytes[terminator] == 0x0D {
                        if terminator + 1 == end && !reachedEnd { break }  // maybe "\r\n" across the chunk boundary
                        if terminator + 1 < end && bytes[terminator + 1] == 0x0A { next += 1 }
                    }
                    var contentEnd = terminator
                    if !universalNewlines && contentEnd > position && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                    lineNumber += 1
                    try body(lineNumber, UnsafeBufferPointer(rebasing: bytes[position..<contentEnd]), true)
                    position = next
                }
                return position
            }
            start = advanced
            if reachedEnd {
                if start < end {
                    lineNumber += 1
                    try buffer.withUnsafeBufferPointer { bytes in
                        var contentEnd = end
                        if !universalNewlines && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                        try body(lineNumber, UnsafeBufferPointer(rebasing: bytes[start..<contentEnd]), false)
                    }
                }
                try finishProcess()
                return
            }
            try refill()
        }
    }

    @inline(__always)
    private func findTerminator(_ bytes: UnsafeBufferPointer<UInt8>, from position: Int, universal: Bool) -> Int? {
        if !universal {
            guard let found = memchr(bytes.baseAddress! + position, 0x0A, end - position) else { return nil }
            return bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        var index = position
        while index < end {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D { return index }
            index += 1
        }
        return nil
    }

    /// Moves the unfinished line to the front (growing the buffer for long lines) and reads more.
    private func refill() throws {
        if start > 0 {
            let remaining = end - start
            if remaining > 0 {
                buffer.withUnsafeMutableBufferPointer { bytes in
                    _ = memmove(bytes.baseAddress!, bytes.baseAddress! + start, remaining)
                }
            }
            start = 0
            end = remaining
        }
        if end == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
        let count = buffer.count
        let got: Int = buffer.withUnsafeMutableBufferPointer { bytes in
            while true {
                let result = read(readDescriptor, bytes.baseAddress! + end, count - end)
                if result < 0 && errno == EINTR { continue }
                return result
            }
        }
        if got < 0 { throw PrepareError.input(path: path, reason: "read failed: \(String(cString: strerror(errno)))") }
        if got == 0 { reachedEnd = true } else { end += got }
    }

    private func finishProcess() throws {
        guard let process else { return }
        process.waitUntilExit()
        self.process = nil
        if process.terminationStatus != 0 {
            let message = errorPipe.flatMap { String(data: $0.fileHandleForReading.availableData, encoding: .utf8) } ?? ""
            throw PrepareError.input(
                path: path,
                reason: "gzip -dc failed (status \(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
