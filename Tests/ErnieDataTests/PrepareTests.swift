import ErnieText
import Foundation
import Testing

@testable import ErnieData

/// `ernie prepare` against PaddleNLP's files and the Python reference (tools/prepare_reference.py).
@Suite struct PrepareTests {
    static let fixtures = TestPaths.repositoryRoot.appendingPathComponent("Tests/ErnieDataTests/Fixtures/prepare")

    /// A segmenter on jieba's dictionary (python3-jieba: the tests that call this are enabled if `TestPaths.hasJieba`).
    static func segmenter() throws -> JiebaSegmenter { try JiebaSegmenter() }

    static var wholeWordOptions: PrepareOptions {
        var options = PrepareOptions()
        options.splitSentences = true
        options.chinese = true
        options.wholeWordSegment = true
        options.logInterval = 0
        return options
    }

    static func tables(vocab: URL, segmenter: JiebaSegmenter?) throws -> WholeWordTables {
        try WholeWordTables(tokenizer: BertTokenizer(vocabFile: vocab), segmenter: segmenter, source: vocab.path)
    }

    @Test(.enabled(if: TestPaths.hasPaddleFixtures, TestPaths.paddleFixturesAbsent),
          .enabled(if: TestPaths.hasJieba, TestPaths.jiebaAbsent))
    func pdDocsAreByteIdenticalToPaddleNLP() throws {
        let fixtures = TestPaths.paddleFixtures, segmenter = try Self.segmenter()
        let tables = try Self.tables(vocab: fixtures.appendingPathComponent("vocab.txt"), segmenter: segmenter)
        for workers in [1, 2] {
            var options = Self.wholeWordOptions
            options.workers = workers
            let prefix = TestPaths.temporaryFolder().appendingPathComponent("out/pd_docs").path
            var preparer = try CorpusPreparer(inputPaths: [fixtures.appendingPathComponent("pd_docs.jsonl").path],
                                              outputPrefix: prefix, tables: tables, options: options)
            preparer.batchScalars = 4096  // many batches in flight: order must hold
            let statistics = try preparer.run()
            #expect(statistics.documents == 500 && statistics.sentences == 4179 && statistics.tokens == 181_647)
            let reference = fixtures.appendingPathComponent("pd_docs_paddle").path
            #expect(try fileBytes(prefix + "_ids.npy") == fileBytes(reference + "_ids.npy"))
            #expect(try fileBytes(prefix + "_idx.npz") == fileBytes(reference + "_idx.npz"))
        }
    }

    /// Hand-written edge cases (blank and U+3000-only lines, CRLF, lone CR, short documents, symbols, bad UTF-8,
    /// bad JSON, escapes) against the Python reference's arrays.
    @Test(.enabled(if: TestPaths.hasJieba, TestPaths.jiebaAbsent), arguments: ["hand_corpus.txt", "hand_corpus.jsonl"])
    func handCorpusEqualsReference(name: String) throws {
        let segmenter = try Self.segmenter()
        let expected = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("hand_expected.json")))
                as? [String: [String: [Int]]])[name]
        let tables = try Self.tables(vocab: Self.fixtures.appendingPathComponent("hand_vocab.txt"), segmenter: segmenter)
        for workers in [1, 3] {
            var options = Self.wholeWordOptions
            options.workers = workers
            let prefix = TestPaths.temporaryFolder().appendingPathComponent("hand").path
            var preparer = try CorpusPreparer(inputPaths: [Self.fixtures.appendingPathComponent(name).path],
                                              outputPrefix: prefix, tables: tables, options: options)
            preparer.batchScalars = 16
            var reports = [String]()
            let statistics = try preparer.run(report: { reports.append($0) })
            let corpus = try TokenCorpus(prefix: prefix)
            var ids = [Int32]()
            for sentence in 0..<corpus.sentenceCount { corpus.appendTokens(ofSentence: sentence, to: &ids) }
            #expect(ids.map(Int.init) == expected?["ids"])
            #expect(Array(corpus.sentenceLengths).map(Int.init) == expected?["lens"])
            #expect(Array(corpus.documentStarts).map(Int.init) == expected?["docs"])
            if name.hasSuffix(".txt") {
                #expect(statistics.read.shortDocuments == 1 && statistics.read.invalidUTF8Lines == 1)
                #expect(reports == ["\(Self.fixtures.path)/hand_corpus.txt:16: invalid UTF-8, line skipped"])
            } else {
                #expect(statistics.read.invalidJSONLines == 3 && statistics.read.invalidUTF8Lines == 1)
                #expect(statistics.emptyDocuments == 1)
                #expect(reports.count == 4 && reports[0].hasPrefix("\(Self.fixtures.path)/hand_corpus.jsonl:4: invalid JSON"))
            }
        }
    }

    @Test(.enabled(if: TestPaths.hasJieba, TestPaths.jiebaAbsent)) func gzipInputGivesTheSameFilesAndCorruptGzipFails() throws {
        let segmenter = try Self.segmenter()
        let folder = TestPaths.temporaryFolder()
        let tables = try Self.tables(vocab: Self.fixtures.appendingPathComponent("hand_vocab.txt"), segmenter: segmenter)
        for name in ["hand_corpus.txt", "hand_corpus.jsonl"] {
            let source = Self.fixtures.appendingPathComponent(name)
            let compressed = folder.appendingPathComponent(name + ".gz")
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gzip.arguments = ["-c", source.path]
            _ = FileManager.default.createFile(atPath: compressed.path, contents: nil)
            gzip.standardOutput = try FileHandle(forWritingTo: compressed)
            try gzip.run()
            gzip.waitUntilExit()
            let plain = folder.appendingPathComponent("plain").path, viaGzip = folder.appendingPathComponent("gz").path
            _ = try CorpusPreparer(inputPaths: [source.path], outputPrefix: plain, tables: tables, options: Self.wholeWordOptions).run()
            _ = try CorpusPreparer(inputPaths: [compressed.path], outputPrefix: viaGzip, tables: tables, options: Self.wholeWordOptions).run()
            #expect(try fileBytes(plain + "_ids.npy") == fileBytes(viaGzip + "_ids.npy"))
            #expect(try fileBytes(plain + "_idx.npz") == fileBytes(viaGzip + "_idx.npz"))
        }
        let corrupt = folder.appendingPathComponent("bad.txt.gz")
        try Data([0x1F, 0x8B, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: corrupt)
        #expect(throws: PrepareError.self) {
            _ = try CorpusPreparer(inputPaths: [corrupt.path], outputPrefix: folder.appendingPathComponent("bad").path,
                                   tables: tables, options: Self.wholeWordOptions).run()
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("bad_ids.npy").path))
    }

    @Test(.enabled(if: TestPaths.hasJieba, TestPaths.jiebaAbsent)) func folderInputReadsFilesInSortedOrderAndSkipsOthers() throws {
        let segmenter = try Self.segmenter()
        let tables = try Self.tables(vocab: Self.fixtures.appendingPathComponent("hand_vocab.txt"), segmenter: segmenter)
        let folder = TestPaths.temporaryFolder()
        let input = folder.appendingPathComponent("corpus/nested")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try "第二个文件的文档在后面出现。\n".write(to: input.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        try "{\"text\": \"第一个文件的文档先出现。\"}\n".write(to: input.appendingPathComponent("a.jsonl"), atomically: true, encoding: .utf8)
        try "不读这个文件。".write(to: input.appendingPathComponent("notes.md"), atomically: true, encoding: .utf8)
        var reports = [String]()
        let prefix = folder.appendingPathComponent("out/x").path
        let statistics = try CorpusPreparer(inputPaths: [folder.appendingPathComponent("corpus").path], outputPrefix: prefix,
                                            tables: tables, options: Self.wholeWordOptions).run(report: { reports.append($0) })
        #expect(statistics.documents == 2 && statistics.read.files == 2 && statistics.read.skippedFiles == 1)
        #expect(reports.count == 1 && reports[0].hasSuffix("notes.md"))
        let corpus = try TokenCorpus(prefix: prefix)
        #expect(Array(corpus.sentenceLengths) == [12, 14])  // a.jsonl's sentence (12 characters) came first
    }

    @Test(.enabled(if: TestPaths.hasJieba, TestPaths.jiebaAbsent)) func megatronOutputHoldsTheSameSentences() throws {
        let segmenter = try Self.segmenter()
        let tables = try Self.tables(vocab: Self.fixtures.appendingPathComponent("hand_vocab.txt"), segmenter: segmenter)
        let folder = TestPaths.temporaryFolder()
        var options = Self.wholeWordOptions
        let input = Self.fixtures.appendingPathComponent("hand_corpus.txt").path
        _ = try CorpusPreparer(inputPaths: [input], outputPrefix: folder.appendingPathComponent("npy").path, tables: tables,
                               options: options).run()
        options.outputFormat = .megatron
        _ = try CorpusPreparer(inputPaths: [input], outputPrefix: folder.appendingPathComponent("mmap").path, tables: tables,
                               options: options).run()
        let numpy = try TokenCorpus(prefix: folder.appendingPathComponent("npy").path)
        let megatron = try TokenCorpus(prefix: folder.appendingPathComponent("mmap").path)
        #expect(megatron.format == .megatron && megatron.sentenceCount == numpy.sentenceCount)
        #expect(Array(megatron.documentStarts) == Array(numpy.documentStarts))
        for sentence in 0..<numpy.sentenceCount {
            var a = [Int32](), b = [Int32]()
            numpy.appendTokens(ofSentence: sentence, to: &a)
            megatron.appendTokens(ofSentence: sentence, to: &b)
            #expect(a == b)
        }
    }

    @Test func badInputsGiveClearErrors() throws {
        let vocab = Self.fixtures.appendingPathComponent("hand_vocab.txt")
        let tables = try Self.tables(vocab: vocab, segmenter: nil)
        var options = PrepareOptions()
        options.logInterval = 0
        let folder = TestPaths.temporaryFolder()
        // Missing input path.
        #expect(throws: PrepareError.input(path: "/nonexistent/corpus", reason: "no such file or folder (check --input_path)")) {
            _ = try CorpusPreparer(inputPaths: ["/nonexistent/corpus"], outputPrefix: folder.appendingPathComponent("a").path,
                                   tables: tables, options: options).run()
        }
        // --strict stops at the first malformed line, naming it.
        options.strict = true
        let jsonl = Self.fixtures.appendingPathComponent("hand_corpus.jsonl").path
        #expect(throws: PrepareError.badRecord(path: jsonl, line: 4, reason: "invalid JSON at column 17: expected ',' or '}'")) {
            _ = try CorpusPreparer(inputPaths: [jsonl], outputPrefix: folder.appendingPathComponent("b").path, tables: tables,
                                   options: options).run()
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("b_ids.npy").path))
        // A vocabulary without special tokens.
        let noSpecials = folder.appendingPathComponent("vocab.txt")
        try "的\n是\n".write(to: noSpecials, atomically: true, encoding: .utf8)
        #expect(throws: VocabularyError.missingSpecialTokens(source: noSpecials.path, tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])) {
            _ = try BertTokenizer(vocabFile: noSpecials)
        }
        // English sentence splitting needs NLTK in PaddleNLP.
        options.splitSentences = true
        #expect(throws: PrepareError.self) {
            _ = try CorpusPreparer(inputPaths: [jsonl], outputPrefix: "x", tables: tables, options: options)
        }
    }

    @Test func jsonLineParserFollowsPythonsJSON() throws {
        func extract(_ line: String, key: String = "text") -> Result<String, JSONLineParser.Failure> {
            var parser = JSONLineParser(key: key)
            var output = [UInt32]()
            let scalars = line.unicodeScalars.map(\.value)
            do {
                try scalars.withUnsafeBufferPointer { (buffer) throws(JSONLineParser.Failure) in try parser.extract(from: buffer, into: &output) }
                return .success(String(decoding: output))
            } catch {
                return .failure(error)
            }
        }
        #expect(try extract(#"{"text": "a\"b\\c\/d\n\t\u4e2d\ud83d\ude00"}"#).get() == "a\"b\\c/d\n\t中😀")
        #expect(try extract(#" { "a" : [1, -2.5e+3, {"b": null}], "text" : "x" , "c": true } "#).get() == "x")
        #expect(try extract(#"{"text": "first", "text": "last"}"#).get() == "last")
        #expect(try extract(#"{"n": -Infinity, "m": NaN, "text": ""}"#).get() == "")
        for bad in [#"{"text": "x",}"#, #"{"text": "x"} extra"#, #"{"text": "\ud800"}"#, #"{"text": "a"#, "[\"text\"]",
                    "{\"text\": \"tab\there\"}", #"{"text": 01}"#, #"{"other": "x"}"#, #"{"text": ["x"]}"#] {
            #expect(throws: JSONLineParser.Failure.self, "\(bad)") { try extract(bad).get() }
        }
    }

    @Test func pythonWhitespaceAndStrip() {
        let python: Set<UInt32> = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000,
                                   0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028,
                                   0x2029, 0x202F, 0x205F, 0x3000]
        #expect((0..<0x11000).filter { PythonWhitespace.isSpace(UInt32($0)) }.map(UInt32.init) == python.sorted())
    }
}
