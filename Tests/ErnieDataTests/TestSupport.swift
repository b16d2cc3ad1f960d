import Foundation

/// Paths the tests share.
enum TestPaths {
    /// The repository root, from this file's location.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `/work/shared/fixtures/paddlenlp` (made by PaddleNLP itself), or nil with a printed reason when absent.
    static func paddleFixtures(_ test: String = #function) -> URL? {
        let folder = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/paddlenlp")
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("pd_docs_paddle_ids.npy").path) { return folder }
        print("skipping \(test): PaddleNLP fixtures not found at \(folder.path)")
        return nil
    }

    /// A fresh temporary folder.
    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-data-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

func fileBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
