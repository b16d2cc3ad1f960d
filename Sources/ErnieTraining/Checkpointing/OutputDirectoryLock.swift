import Foundation

/// One run at a time per output directory: an exclusive `flock` on `output_dir/.ernie.lock`, held while the run
/// trains. Taking it also proves the directory writable before the first step (not at the first checkpoint). The
/// kernel drops the lock when the process ends, even by `kill -9`, so a stale lock never blocks a resume.
final class OutputDirectoryLock {
    private let descriptor: Int32

    /// - Throws: naming the directory, when it cannot be created or written, or another run holds it.
    init(_ directory: URL) throws {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw TrainingError.invalidConfiguration("--output_dir \(directory.path) cannot be created (\(error.localizedDescription))")
        }
        let path = directory.appendingPathComponent(".ernie.lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TrainingError.invalidConfiguration("--output_dir \(directory.path) is not writable (\(String(cString: strerror(errno))))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw TrainingError.incompatibleRun(
                "another ernie run is writing to --output_dir \(directory.path) (\(path) is locked): wait for it to end or use another directory")
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
