import Foundation

/// A file that appears at its path complete or not at all: it is written under a temporary name in the destination
/// folder and renamed into place by `commit()`, so readers (other ranks waiting for an index map, a killed run, the
/// command's own input when the paths coincide) never see half a file. Dropped without `commit()`, the temporary is
/// removed and an existing file at the path is untouched. Missing parent folders are created when asked.
public final class AtomicFile {
    /// Where the file appears on `commit()`.
    public let path: String
    /// Where to write until then.
    public let temporaryPath: String
    private var finished = false

    public init(path: String, createFolders: Bool = false) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        if createFolders && !folder.isEmpty {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw FileWriteError(path: folder, reason: "cannot create the folder (\(error.localizedDescription))")
            }
        }
        temporaryPath = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Renames the temporary file to `path` (after flushing it to disk when `durable`).
    public func commit(durable: Bool = false) throws {
        if durable {
            let descriptor = open(temporaryPath, O_RDONLY)
            guard descriptor >= 0, fsync(descriptor) == 0 else {
                let reason = String(cString: strerror(errno))
                if descriptor >= 0 { close(descriptor) }
                throw FileWriteError(path: path, reason: "fsync: \(reason)")
            }
            close(descriptor)
        }
        guard rename(temporaryPath, path) == 0 else {
            throw FileWriteError(path: path, reason: "rename from \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        finished = true
    }

    /// Removes the temporary file without publishing it.
    public func discard() {
        if !finished { unlink(temporaryPath) }
        finished = true
    }

    deinit { if !finished { unlink(temporaryPath) } }

    /// Writes `url` atomically: `produce` receives a sink that appends bytes, and the file appears only after it
    /// returns. `durable` flushes the data to disk (`fsync`) before the rename.
    public static func write(
        to url: URL, durable: Bool = true, _ produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        let file = try AtomicFile(path: url.path)
        let descriptor = open(file.temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw FileWriteError(path: url.path, reason: String(cString: strerror(errno))) }
        var isOpen = true
        defer { if isOpen { close(descriptor) } }
        try produce { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = posixWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileWriteError(path: url.path, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
        if durable && fsync(descriptor) != 0 {
            throw FileWriteError(path: url.path, reason: "fsync: " + String(cString: strerror(errno)))
        }
        isOpen = false
        guard close(descriptor) == 0 else {
            throw FileWriteError(path: url.path, reason: "close: " + String(cString: strerror(errno)))
        }
        try file.commit()
    }

    /// Replaces `url` with `bytes` atomically.
    public static func write(_ bytes: some Collection<UInt8>, to url: URL, durable: Bool = false) throws {
        let contiguous = Array(bytes)
        try write(to: url, durable: durable) { sink in try contiguous.withUnsafeBytes { try sink($0) } }
    }
}

/// A file that could not be written, by path.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
}

/// POSIX `write(2)`, named apart from the `write` methods around it.
@inline(__always)
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
