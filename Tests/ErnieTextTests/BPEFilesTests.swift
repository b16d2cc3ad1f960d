import Foundation
import Testing
@testable import ErnieText

/// Training against `tokenizers.ByteLevelBPETokenizer().train`, saving and loading folders, and the errors of bad
/// vocab.json / merges.txt files (fixtures from tools/bpe_goldens.py).
@Suite struct BPEFilesTests {
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-bpe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Lines fed as HF's trainer reads a file: each with its newline.
    static func train(_ url: URL, vocabSize: Int, minFrequency: Int) throws -> (tokens: [String], merges: [BPEMerge]) {
        var options = ByteLevelBPETrainer.Options()
        options.vocabSize = vocabSize
        options.minFrequency = minFrequency
        var trainer = ByteLevelBPETrainer(options: options)
        try TextLines.forEachLine(path: url.path) { _, scalars in
            let line = Array(scalars) + [0x0A]
            line.withUnsafeBufferPointer { trainer.add($0) }
        }
        return trainer.train()
    }

    @Test func trainingMatchesHuggingFace() throws {
        let (tokens, merges) = try Self.train(TestSupport.fixture("bpe/train_small.txt"), vocabSize: 600, minFrequency: 2)
        let expectedVocab = try ByteLevelBPETokenizer.readVocabJSON(TestSupport.fixture("bpe/train_small/vocab.json"))
        let expectedMerges = try ByteLevelBPETokenizer.readMerges(TestSupport.fixture("bpe/train_small/merges.txt")).merges
        #expect(tokens.count == expectedVocab.count)
        let firstVocab = zip(tokens, expectedVocab.tokens).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstVocab == nil, "first differing id: \(String(describing: firstVocab))")
        #expect(merges.count == expectedMerges.count)
        let firstMerge = zip(merges, expectedMerges).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstMerge == nil, "first differing merge: \(String(describing: firstMerge))")
    }

    /// The same on a license text, compared by the digests of the files HF's `save_model` writes.
    @Test(.enabled(if: TestSupport.hasLicenses, TestSupport.licensesAbsent)) func trainingOnALicenseText() throws {
        let data = try Data(contentsOf: TestSupport.fixture("bpe/train_license.json"))
        let golden = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let input = URL(fileURLWithPath: golden["input"] as! String)
        guard try TestSupport.sha256(input) == golden["input_sha256"] as! String else { return }  // another release's text
        let (tokens, merges) = try Self.train(input, vocabSize: golden["vocab_size"] as! Int,
                                              minFrequency: golden["min_frequency"] as! Int)
        let tokenizer = try ByteLevelBPETokenizer(vocabulary: Vocabulary(tokens: tokens, requireSpecialTokens: false),
                                                  merges: merges)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ByteLevelBPEFiles(tokenizer: tokenizer).write(to: folder)
        #expect(try TestSupport.sha256(folder.appendingPathComponent("merges.txt")) == golden["merges_sha256"] as! String)
        #expect(try TestSupport.sha256(folder.appendingPathComponent("vocab.json")) == golden["vocab_sha256"] as! String)
    }

    /// A saved folder loads back to the same tokenizer, through the loader that picks BPE for it.
    @Test(arguments: [false, true]) func savedFolderRoundTrips(addPrefixSpace: Bool) throws {
        let original = try TestSupport.bpeTokenizer(addPrefixSpace: addPrefixSpace)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ByteLevelBPEFiles(tokenizer: original, modelMaxLength: 128).write(to: folder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ByteLevelBPEFiles.fileNames.sorted())
        #expect(TokenizerLoader.isByteLevelBPE(folder))
        let fromJSON = try #require(try TokenizerLoader.load(folder) as? ByteLevelBPETokenizer)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("tokenizer.json"))
        let fromFiles = try #require(try TokenizerLoader.load(folder) as? ByteLevelBPETokenizer)
        let cases = try TestSupport.jsonLines(TestSupport.fixture("bpe/cases.jsonl")) as! [String]
        for loaded in [fromJSON, fromFiles] {
            #expect(loaded.vocabulary.tokens == original.vocabulary.tokens)
            #expect(loaded.merges == original.merges)
            #expect(loaded.addedTokens == original.addedTokens)
            #expect(loaded.addPrefixSpace == addPrefixSpace)
            for text in cases {
                #expect(loaded.pieces(of: text) == original.pieces(of: text), "\(text.debugDescription)")
                #expect(try loaded.encode(text, pair: "a pair") == original.encode(text, pair: "a pair"))
            }
        }
    }

    @Test func loaderPicksTheAlgorithm() throws {
        #expect(try TokenizerLoader.load(TestSupport.bpeFolder).kind == .byteLevelBPE)
        #expect(try TokenizerLoader.load(TestSupport.bpeFolder.appendingPathComponent("vocab.json")).kind == .byteLevelBPE)
        #expect(try TokenizerLoader.load(TestSupport.fixture("hf_folder/uncased")).kind == .wordPiece)
        #expect(try TokenizerLoader.load(TestSupport.fixture("hf_folder/vocab.txt")).kind == .wordPiece)
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(TestSupport.fixture("segment")) }
    }

    /// A merges.txt from another vocabulary: the error names the file, the line, the merge and the missing token.
    @Test func mergeOverAnUnknownTokenNamesTheLine() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let vocab = folder.appendingPathComponent("vocab.json"), merges = folder.appendingPathComponent("merges.txt")
        try Data(#"{"<s>": 0, "<pad>": 1, "</s>": 2, "a": 3, "b": 4, "ab": 5, "c": 6}"#.utf8).write(to: vocab)
        try Data("#version: 0.2\na b\nab c\n".utf8).write(to: merges)
        #expect(throws: TokenizerError.unknownMergeToken(path: merges.path, line: 3, merge: "ab c", token: "abc")) {
            try ByteLevelBPETokenizer(vocabFile: vocab, mergesFile: merges)
        }
        let message = "\(TokenizerError.unknownMergeToken(path: merges.path, line: 3, merge: "ab c", token: "abc"))"
        #expect(message.hasPrefix("\(merges.path):3: ") && message.contains("\"abc\""))
        try Data("#version: 0.2\na b\nx b\n".utf8).write(to: merges)
        #expect(throws: TokenizerError.unknownMergeToken(path: merges.path, line: 3, merge: "x b", token: "x")) {
            try ByteLevelBPETokenizer(vocabFile: vocab, mergesFile: merges)
        }
        try Data("#version: 0.2\na b\nab  c\n".utf8).write(to: merges)
        #expect(throws: TokenizerError.malformedMerge(path: merges.path, line: 3, text: "ab  c")) {
            try ByteLevelBPETokenizer(vocabFile: vocab, mergesFile: merges)
        }
        // CRLF lines read as lines.
        try Data("#version: 0.2\r\na b\r\n".utf8).write(to: merges)
        #expect(try ByteLevelBPETokenizer(vocabFile: vocab, mergesFile: merges).tokenize("ab") == ["ab"])
    }

    /// Malformed vocab.json files: the error names the file and what is wrong where.
    @Test func malformedVocabJSONIsReported() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let vocab = folder.appendingPathComponent("vocab.json"), merges = folder.appendingPathComponent("merges.txt")
        try Data("#version: 0.2\n".utf8).write(to: merges)
        let cases: [(String, String)] = [
            (#"{"<s>": 0, "a": 1"#, "not valid JSON"),
            (#"["<s>", "a"]"#, "not a JSON object"),
            (#"{"<s>": 0, "a": "one"}"#, "the entry \"a\" is not a non-negative integer id"),
            (#"{"<s>": 0, "a": 0}"#, "repeats the id 0"),
            (#"{"<s>": 0, "a": 2}"#, "no token has the id 1"),
        ]
        for (text, reason) in cases {
            try Data(text.utf8).write(to: vocab)
            do {
                _ = try ByteLevelBPETokenizer(vocabFile: vocab, mergesFile: merges)
                Issue.record("\(text) was accepted")
            } catch let error as TokenizerError {
                #expect("\(error)".hasPrefix(vocab.path + ": ") && "\(error)".contains(reason), "\(error)")
            }
        }
    }

    /// The tokenizer without its special tokens (`<s>` missing) is refused with the role named.
    @Test func missingSpecialTokenIsReported() throws {
        let vocabulary = try Vocabulary(tokens: ["a", "b"], requireSpecialTokens: false)
        #expect(throws: TokenizerError.missingToken("<s>", role: "classifier token")) {
            try ByteLevelBPETokenizer(vocabulary: vocabulary, merges: [])
        }
    }

    /// Decoding gives the bytes back, across tokens that split a character.
    @Test func decodeJoinsBytesAcrossTokens() throws {
        let tokenizer = try TestSupport.bpeTokenizer()
        for text in ["Hello 😀 world 👨‍👩‍👧", "今天天气很好", " spaces\tand\nnewlines ", "<s>special</s>"] {
            let ids = tokenizer.pieces(of: text).ids.map(Int.init)
            #expect(tokenizer.decode(ids) == text)
        }
        #expect(tokenizer.decode([tokenizer.bosTokenId, tokenizer.eosTokenId], skipSpecialTokens: true) == "")
        // A lone continuation byte is invalid UTF-8: U+FFFD.
        let byteId = tokenizer.vocabulary[String(Unicode.Scalar(ByteLevelAlphabet.characters[0x80])!)]!
        #expect(tokenizer.decode([byteId]) == "\u{FFFD}")
    }
}
