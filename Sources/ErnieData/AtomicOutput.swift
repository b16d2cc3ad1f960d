import Foundation

/// A file written under a temporary name in the destination folder and renamed into place on `commit()`,
/// so readers (other ranks waiting for an index map, a crashed run) never see a half-written file.
/// Missing parent folders are created (PaddleNLP #1546 failed on them).
final class AtomicOutput {
    let finalPath: String
    let temporaryPath: String
    private var committed = false

    init(path: String) throws {
        finalPath = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        try AtomicOutput.createFolder(folder)
        temporaryPath = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Renames the temporary file to the final path.
    func commit() throws {
        guard rename(temporaryPath, finalPath) == 0 else {
            throw DataError.io(path: finalPath, reason: "rename from \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        committed = true
    }

    /// Deletes the temporary file without publishing it (scratch files).
    func discard() {
        if !committed { unlink(temporaryPath) }
        committed = true
    }

    deinit { if !committed { unlink(temporaryPath) } }

    static func createFolder(_ folder: String) throws {
        guard !folder.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError.io(path: folder, reason: "cannot create the output folder: \(error.localizedDescription)")
        }
    }
}
