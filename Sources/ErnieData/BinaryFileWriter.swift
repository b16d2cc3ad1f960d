#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered sequential writes to a file descriptor, plus positional rewrites (for headers whose content is known
/// only at the end). Used by every writer in ErnieData; one owner at a time.
final class BinaryFileWriter {
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    /// Bytes written so far (including the buffered ones) = the file offset of the next byte.
    private(set) var position = 0

    /// Creates or truncates `path`.
    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DataError.io(path: path, reason: String(cString: strerror(errno))) }
        buffer.reserveCapacity(bufferLimit)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > bufferLimit { try flush() }
        if bytes.count >= bufferLimit {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        position += bytes.count
    }

    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Appends `value` little-endian.
    func write<T: FixedWidthInteger>(_ value: T) throws {
        try withUnsafeBytes(of: value.littleEndian) { try write($0) }
    }

    /// Appends integers little-endian, converted to `T` (the caller checked the range).
    func write<T: FixedWidthInteger>(contentsOf values: UnsafeBufferPointer<T>) throws {
        try write(UnsafeRawBufferPointer(values))
    }

    /// Overwrites bytes at `offset` (already written) without moving `position`.
    func rewrite(_ bytes: [UInt8], at offset: Int) throws {
        try flush()
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let written = pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if written < 0 {
                    if errno == EINTR { continue }
                    throw DataError.io(path: path, reason: String(cString: strerror(errno)))
                }
                done += written
            }
        }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs to disk (unless `sync` is false: caches that are cheap to rebuild) and closes.
    func closeFile(sync: Bool = true) throws {
        try flush()
        guard descriptor >= 0 else { return }
        if sync && fsync(descriptor) != 0 && errno != EINVAL {
            throw DataError.io(path: path, reason: "fsync: \(String(cString: strerror(errno)))")
        }
        let result = posixClose(descriptor)
        descriptor = -1
        if result != 0 { throw DataError.io(path: path, reason: "close: \(String(cString: strerror(errno)))") }
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < raw.count {
            let written = posixWrite(descriptor, raw.baseAddress! + done, raw.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                throw DataError.io(path: path, reason: String(cString: strerror(errno)))
            }
            done += written
        }
    }
}

private func posixWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, pointer, count)
}

private func posixClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
