import Foundation
import Testing
@testable import ErnieTraining

/// One run per output directory, and an unusable output directory reported before the first step.
@Suite struct OutputDirectoryLockTests {
    @Test func secondRunOnTheSameDirectoryIsRefusedUntilTheFirstEnds() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-lock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var first: OutputDirectoryLock? = try OutputDirectoryLock(directory)
        #expect { try OutputDirectoryLock(directory) } throws: { "\($0)".contains("another ernie run is writing to --output_dir") }
        withExtendedLifetime(first) {}
        first = nil
        _ = try OutputDirectoryLock(directory)
    }

    @Test func outputDirectoryThatCannotBeCreatedIsNamed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-lock-file-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        // A folder below a regular file cannot exist (root ignores permission bits, so this is the portable probe).
        #expect { try OutputDirectoryLock(file.appendingPathComponent("run")) } throws: { "\($0)".contains("--output_dir") }
    }
}
