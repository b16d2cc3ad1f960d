import ErnieBasics
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A log, event or report file that could not be read or written; the message names the path and the cause.
public struct LoggingFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// File helpers shared by the metrics log, the TensorBoard writer and the report.
enum LoggingFiles {
    static func createDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw LoggingFileError(path: directory.path, reason: "cannot create the directory (\(error.localizedDescription))")
        }
    }

    /// Opens `url` for appending (`create`: creating it if missing; `exclusive`: failing if it exists, errno EEXIST).
    /// Every write through the handle is one `write(2)` call, so nothing waits in a user-space buffer when the run dies.
    static func openForAppending(_ url: URL, exclusive: Bool = false) throws -> FileHandle {
        let flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : 0)
        let descriptor = open(url.path, flags, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            throw LoggingFileError(path: url.path, reason: "cannot open for writing (\(String(cString: strerror(code))))")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    static func write(_ bytes: [UInt8], to handle: FileHandle, path: URL) throws {
        do {
            try handle.write(contentsOf: Data(bytes))
        } catch {
            throw LoggingFileError(path: path.path, reason: "write failed (\(error.localizedDescription))")
        }
    }

    static func read(_ url: URL) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw LoggingFileError(path: url.path, reason: "cannot read (\(error.localizedDescription))")
        }
    }

    /// Replaces `url` with `bytes` atomically: a reader sees the old file or the new one, never half of either.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
        do { try AtomicFile.write(bytes, to: url) } catch {
            throw LoggingFileError(path: url.path, reason: "cannot write (\(error))")
        }
    }
}
