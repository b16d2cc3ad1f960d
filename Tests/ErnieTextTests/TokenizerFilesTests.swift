import Foundation
import Testing
@testable import ErnieText

/// The tokenizer files of saved model folders: transformers' bytes (Fixtures/hf_folder, from
/// tools/make_text_goldens.py hf_folder), and a round trip through ernie's loader to the same ids and offsets.
@Suite struct TokenizerFilesTests {
    /// Golden folder → the options `BertTokenizerFast` was given and its `model_max_length`.
    static let goldens: [(name: String, lowercase: Bool, stripAccents: Bool?, chinese: Bool, maxLength: Int)] = [
        ("uncased", true, nil, true, 512), ("cased", false, nil, true, 128), ("cased_strip_nocjk", false, true, false, 64),
    ]
    static let goldenVocab = TestSupport.fixture("hf_folder/vocab.txt")

    /// Chinese, English and mixed lines beyond the hand-written cases: case, accents, CJK, pieces, special tokens.
    static let lines = [
        "Hello World, the unaffable café!", "HELLO hello Hello", "中国人。中国", "Hello中国人 world1 0.1",
        "Αθήνα naïve NAÏVE 😀", "[CLS] hello [SEP] world [MASK]", "今天天气很好，我们去公园散步吧。", "北京大学的学生在2023年发表了100篇论文",
        "iPhone 15 Pro 的价格是 7999 元", "", "  \t ",
    ]

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-tokenizer-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func expectSamePieces(_ a: BertTokenizer, _ b: BertTokenizer, _ texts: [String], _ what: String) {
        for text in texts {
            #expect(a.pieces(of: text) == b.pieces(of: text), "\(what): \(text.debugDescription)")
        }
    }

    /// The four files equal, byte for byte, what transformers 4.57's `save_pretrained` wrote for the same settings.
    @Test(arguments: goldens.map(\.name))
    func writesTransformersBytes(golden name: String) throws {
        let golden = Self.goldens.first { $0.name == name }!
        let tokenizer = try BertTokenizer(vocabFile: Self.goldenVocab, doLowerCase: golden.lowercase,
                                          stripAccents: golden.stripAccents, tokenizeChineseChars: golden.chinese)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try TokenizerFiles(tokenizer: tokenizer, modelMaxLength: golden.maxLength).write(to: directory)
        for file in TokenizerFiles.fileNames {
            let written = try Data(contentsOf: directory.appendingPathComponent(file))
            let expected = try Data(contentsOf: TestSupport.fixture("hf_folder/\(name)/\(file)"))
            #expect(written == expected, "\(name)/\(file)")
        }
    }

    /// A folder transformers wrote, loaded as a source and written again: the same bytes (settings and
    /// `model_max_length` carried through), whether it is read from tokenizer.json or from vocab.txt + config.
    @Test(arguments: goldens.map(\.name), [true, false])
    func carriesSourceSettings(golden name: String, withTokenizerJSON: Bool) throws {
        let source = try Self.temporaryDirectory(), output = try Self.temporaryDirectory()
        defer { for url in [source, output] { try? FileManager.default.removeItem(at: url) } }
        for file in TokenizerFiles.fileNames where withTokenizerJSON || file != "tokenizer.json" {
            try FileManager.default.copyItem(at: TestSupport.fixture("hf_folder/\(name)/\(file)"),
                                             to: source.appendingPathComponent(file))
        }
        let files = try TokenizerFiles(source: source, fallbackMaxLength: 7)
        #expect(files.modelMaxLength == Self.goldens.first { $0.name == name }!.maxLength)
        try files.write(to: output)
        for file in TokenizerFiles.fileNames {
            let written = try Data(contentsOf: output.appendingPathComponent(file))
            let expected = try Data(contentsOf: TestSupport.fixture("hf_folder/\(name)/\(file)"))
            #expect(written == expected, "\(name)/\(file)")
        }
    }

    /// A vocab.txt source takes the uncased defaults and the fallback length.
    @Test func vocabularyFileSource() throws {
        let files = try TokenizerFiles(source: Self.goldenVocab, fallbackMaxLength: 512)
        #expect(files.modelMaxLength == 512)
        #expect((files.tokenizer as? BertTokenizer)?.normalizer == BertNormalizer())
    }

    /// The small vocabulary: a written folder reloads to the same pieces, and a cased one stays cased.
    @Test(arguments: goldens.map(\.name))
    func roundTripsSmallVocabulary(golden name: String) throws {
        let golden = Self.goldens.first { $0.name == name }!
        let tokenizer = try BertTokenizer(vocabFile: Self.goldenVocab, doLowerCase: golden.lowercase,
                                          stripAccents: golden.stripAccents, tokenizeChineseChars: golden.chinese)
        let reloaded = try Self.roundTrip(tokenizer)
        Self.expectSamePieces(tokenizer, reloaded.json, Self.lines, "\(name) tokenizer.json")
        Self.expectSamePieces(tokenizer, reloaded.config, Self.lines, "\(name) vocab.txt + tokenizer_config.json")
        let hello = reloaded.json.tokenize("Hello")
        #expect(hello == [golden.lowercase ? "hello" : "Hello"])
    }

    /// The MiniLM vocabulary, uncased and cased: reloaded tokenizers give Hugging Face's ids and offsets for the
    /// hand-written cases (Fixtures/tokenizer/hand_*.jsonl) and the original's on mixed lines.
    @Test(.enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent), arguments: ["minilm_uncased", "minilm_cased"])
    func roundTripsMiniLM(config name: String) throws {
        let tokenizer = try TokenizerGoldenTests.tokenizer(name)
        let reloaded = try Self.roundTrip(tokenizer)
        let cases = try TestSupport.jsonLines(TestSupport.fixture("tokenizer/cases.jsonl")) as! [String]
        let expected = try TestSupport.jsonLines(TestSupport.fixture("tokenizer/hand_\(name).jsonl")) as! [[String: Any]]
        for loaded in [reloaded.json, reloaded.config] {
            Self.expectSamePieces(tokenizer, loaded, Self.lines + cases, name)
            for (text, record) in zip(cases, expected) {
                let pieces = loaded.pieces(of: text)
                #expect(pieces.ids.map(Int.init) == record["ids"] as! [Int], "\(name) ids of \(text.debugDescription)")
                #expect(zip(pieces.starts, pieces.ends).map { [Int($0), Int($1)] } == record["offsets"] as! [[Int]],
                        "\(name) offsets of \(text.debugDescription)")
            }
        }
    }

    /// Writes `tokenizer`'s folder and loads it back twice: from tokenizer.json, and from vocab.txt +
    /// tokenizer_config.json alone (what the slow path and older readers see).
    static func roundTrip(_ tokenizer: BertTokenizer) throws -> (json: BertTokenizer, config: BertTokenizer) {
        let directory = try temporaryDirectory(), slow = try temporaryDirectory()
        defer { for url in [directory, slow] { try? FileManager.default.removeItem(at: url) } }
        try TokenizerFiles(tokenizer: tokenizer, modelMaxLength: 512).write(to: directory)
        for file in ["vocab.txt", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: directory.appendingPathComponent(file), to: slow.appendingPathComponent(file))
        }
        return (try BertTokenizer(directory: directory), try BertTokenizer(directory: slow))
    }
}
