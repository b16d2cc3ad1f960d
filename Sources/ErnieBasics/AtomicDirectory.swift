import Foundation

/// Writes a directory so that readers only ever see a complete one: everything goes into a temporary sibling,
/// which is then renamed into place. A kill at any moment leaves either the old directory (or its backup) or the
/// new one, never a half-written one.
public enum AtomicDirectory {
    /// Fills a fresh temporary sibling of `destination` with `write`, then renames it to `destination`.
    /// An existing `destination` is moved to `backup` first (the previous backup is removed), or removed when
    /// `backup` is nil.
    public static func write(_ destination: URL, backup: URL? = nil, _ write: (URL) throws -> Void) throws {
        let manager = FileManager.default
        let parent = destination.deletingLastPathComponent()
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        let temporary = parent.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try? manager.removeItem(at: temporary)
        try manager.createDirectory(at: temporary, withIntermediateDirectories: true)
        do {
            try write(temporary)
        } catch {
            try? manager.removeItem(at: temporary)
            throw error
        }
        if manager.fileExists(atPath: destination.path) {
            if let backup {
                try? manager.removeItem(at: backup)
                try manager.moveItem(at: destination, to: backup)
            } else {
                try manager.removeItem(at: destination)
            }
        }
        try manager.moveItem(at: temporary, to: destination)
        syncDirectory(parent)
    }

    /// Leftover temporaries of killed runs (`.<name>.tmp-<pid>`) in `directory`, removed.
    public static func removeLeftovers(in directory: URL) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(".") && name.contains(".tmp-") {
            try? manager.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// fsync of a directory makes the renames in it durable.
    public static func syncDirectory(_ directory: URL) {
        let descriptor = open(directory.path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
