import Foundation
import Testing
@testable import ErnieText

/// User mistakes give clear errors; odd input keeps its place.
@Suite struct BadInputTests {
    static func temporaryFile(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-text-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func vocabularyWithoutSpecialTokensIsRejected() throws {
        let url = try Self.temporaryFile(Array("[PAD]\n[UNK]\n[CLS]\nhello\n".utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: VocabularyError.missingSpecialTokens(source: url.path, tokens: ["[SEP]", "[MASK]"])) {
            try BertTokenizer(vocabFile: url)
        }
    }

    /// CRLF and CR line ends read as transformers reads them (Python's universal newlines): the same tokens and ids.
    @Test(arguments: ["\r\n", "\r"]) func windowsLineEndsGiveTheSameVocabulary(_ end: String) throws {
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "你", "##好"]
        let url = try Self.temporaryFile(Array((tokens.joined(separator: end) + end).utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        let vocabulary = try Vocabulary(contentsOf: url)
        #expect(vocabulary.count == tokens.count)
        #expect(vocabulary["##好"] == 6 && vocabulary["[MASK]"] == 4)
    }

    /// PaddleNLP's ERNIE 1.0 `token<TAB>id` lines: the ids place the tokens (here out of order); a bad id is an error
    /// naming the line; a plain vocabulary is never taken for that form.
    @Test func paddleTokenTabIdVocabulary() throws {
        let url = try Self.temporaryFile(Array("[PAD]\t0\n[CLS]\t2\n[UNK]\t1\n[SEP]\t3\n[MASK]\t4\n中\t5\n国\t6\n".utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        let vocabulary = try Vocabulary(contentsOf: url)
        #expect(vocabulary.tokens == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "中", "国"])
        #expect(try BertTokenizer(vocabFile: url).encode("中国").ids == [2, 5, 6, 3])
        let bad = try Self.temporaryFile(Array("[PAD]\t0\n[UNK]\t0\n".utf8))
        defer { try? FileManager.default.removeItem(at: bad) }
        #expect(throws: VocabularyError.invalidId(source: bad.path, line: 2, id: 0, count: 2)) { try Vocabulary(contentsOf: bad) }
        #expect(try Vocabulary.tabSeparatedTokens(["[PAD]", "a\tb"], source: "v") == nil)
    }

    @Test func vocabularyWithDuplicatesIsRejected() throws {
        let url = try Self.temporaryFile(Array("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\nhello\n".utf8))
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: VocabularyError.duplicateToken(source: url.path, token: "hello", firstLine: 6, line: 8)) {
            try BertTokenizer(vocabFile: url)
        }
    }

    @Test func invalidUTF8IsReportedWithFileAndLine() throws {
        let bytes: [UInt8] = Array("good\n".utf8) + [0x66, 0xFF, 0x6F] + Array("\n\nlast\r\n".utf8)
        let url = try Self.temporaryFile(bytes)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: InvalidUTF8Error.self) { try TextLines.forEachLine(path: url.path) { _, _ in } }
        do {
            try TextLines.forEachLine(path: url.path) { _, _ in }
        } catch let error as InvalidUTF8Error {
            #expect(error.line == 2 && error.path == url.path)
            #expect(error.description.contains(":2: invalid UTF-8"))
        }
        var replaced = [[UInt32]](), warnings = [String]()
        try TextLines.forEachLine(path: url.path, policy: .replace, warn: { warnings.append($0) }) { _, line in
            replaced.append(Array(line))
        }
        #expect(replaced == [Array("good".unicodeScalars.map(\.value)), [0x66, 0xFFFD, 0x6F], [], Array("last".unicodeScalars.map(\.value))])
        #expect(warnings.count == 1)
        var kept = [Int]()
        try TextLines.forEachLine(path: url.path, policy: .skip, warn: { _ in }) { number, _ in kept.append(number) }
        #expect(kept == [1, 3, 4], "empty line 3 keeps its place; invalid line 2 is skipped")
    }

    @Test func strictDecoderRejectsOverlongsAndSurrogates() {
        var scalars = [UInt32]()
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE4, 0xB8], [0x80]] {
            #expect(!bad.withUnsafeBufferPointer { TextLines.decodeUTF8($0, into: &scalars) }, "\(bad)")
        }
        let good = Array("aé中😀".utf8)
        #expect(good.withUnsafeBufferPointer { TextLines.decodeUTF8($0, into: &scalars) })
        #expect(scalars == "aé中😀".unicodeScalars.map(\.value))
    }

    @Test(.enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent)) func tokenizerJSONMatchesVocabTxt() throws {
        let fromJSON = try BertTokenizer(tokenizerJSON: TestSupport.minilmTokenizerJSON)
        let fromVocab = try BertTokenizer(vocabFile: TestSupport.minilmVocab)
        let fromDirectory = try BertTokenizer(directory: TestSupport.minilmTokenizerJSON.deletingLastPathComponent())
        #expect(fromJSON.vocabulary.tokens == fromVocab.vocabulary.tokens)
        #expect(fromJSON.normalizer == fromVocab.normalizer)
        let cases = try TestSupport.jsonLines(TestSupport.fixture("tokenizer/cases.jsonl")) as! [String]
        for text in cases {
            #expect(fromJSON.pieces(of: text) == fromVocab.pieces(of: text), "\(text.debugDescription)")
            #expect(fromDirectory.pieces(of: text) == fromVocab.pieces(of: text))
        }
        #expect(try fromJSON.encode("a", pair: "b").ids == [101, 1037, 102, 1038, 102])
    }

    @Test(.enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent)) func preTokenizeShowsNormalizedWords() throws {
        let tokenizer = try BertTokenizer(vocabFile: TestSupport.minilmVocab)
        #expect(tokenizer.preTokenize("Héllo, 世界 [MASK]!") == ["hello", ",", "世", "界", "[MASK]", "!"])
    }
}

@Suite struct AddedTokenTests {
    @Test(.enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent)) func neverSplitKeepsStringsWhole() throws {
        let tokenizer = try BertTokenizer(vocabFile: TestSupport.minilmVocab, neverSplit: ["hello", "<NEW>"])
        #expect(tokenizer.tokenize("say hello-world <NEW>!") == ["say", "hello", "-", "world", "[UNK]", "!"])
        #expect(tokenizer.decode(tokenizer.pieces(of: "[CLS] hello [SEP]").ids.map(Int.init), skipSpecialTokens: true)
                == "hello")
    }
}
