import ErnieText
import Foundation
import Testing

@testable import ErnieData

/// The People's Daily tagged-corpus conversion, against tools/prepare_reference.py (digests only: no corpus text is
/// committed; the text is read from .cache at run time).
@Suite struct PreparePeoplesDailyTests {
    @Test func taggedItemsBracketsAndIdentifiersAreStripped() {
        #expect(PeoplesDailyTagged.plainParagraph("迈向/v  充满/v  希望/n  的/u  新/a  世纪/n  ——/w") == "迈向充满希望的新世纪——")
        #expect(PeoplesDailyTagged.plainParagraph("19980101-01-001-002/m  [中国/ns  政府/n]nt  发言人/n  说/v  １/2/m")
                    == "中国政府发言人说１/2")
        #expect(PeoplesDailyTagged.plainParagraph("  ") == "")
        #expect(PeoplesDailyTagged.sentenceLines("今天下雨。。明天？？  晴天！好的!!!再见") == ["今天下雨。", "明天？", "晴天！", "好的!", "再见"])
        #expect(PeoplesDailyTagged.sentenceLines("a;  b；c") == ["a;", "b；", "c"])
        #expect(PeoplesDailyTagged.documentText(taggedLine: "他/r  说/v  ：/w  好/a  。/w  走/v  吧/y  ！/w")
                    == "他说：好。\n走吧！\n")
        #expect(PeoplesDailyTagged.documentText(taggedLine: "他/r  说/v  ：/w  好/a  。/w  走/v  吧/y  ！/w", breakSentences: false)
                    == "他说：好。走吧！\n")
    }

    @Test(.enabled(if: TestPaths.hasCache, TestPaths.cacheAbsent), .enabled(if: TestPaths.hasJieba, TestPaths.jiebaAbsent))
    func firstParagraphsEqualTheReference() throws {
        let tagged = TestPaths.peoplesDailyTagged, vocab = TestPaths.miniLMVocab
        let segmenter = try PrepareTests.segmenter()
        let golden = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: PrepareTests.fixtures.appendingPathComponent("peoples_daily_minilm.json"))) as? [String: Any])
        let paragraphs = try #require(golden["paragraphs"] as? Int)
        let folder = TestPaths.temporaryFolder()
        // The first paragraphs of the tagged file.
        let text = try String(contentsOf: tagged, encoding: .utf8)
        let head = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(paragraphs).joined(separator: "\n") + "\n"
        let taggedHead = folder.appendingPathComponent("head.tagged")
        try head.write(to: taggedHead, atomically: true, encoding: .utf8)

        let plain = folder.appendingPathComponent("plain.txt")
        let summary = try PeoplesDailyTagged.writePlainCorpus(tagged: [taggedHead.path], to: plain.path)
        #expect(summary.paragraphs > 0)
        #expect(String(format: "%016llx", FNV1a64.hash(try String(contentsOf: plain, encoding: .utf8))) == golden["plain_fnv64"] as? String)

        let tables = try WholeWordTables(tokenizer: BertTokenizer(vocabFile: vocab), segmenter: segmenter, source: vocab.path)
        var options = PrepareTests.wholeWordOptions
        options.workers = 2
        let viaText = folder.appendingPathComponent("text").path
        let statistics = try CorpusPreparer(inputPaths: [plain.path], outputPrefix: viaText, tables: tables, options: options).run()
        #expect(statistics.documents == golden["documents"] as? Int)
        #expect(statistics.sentences == golden["sentences"] as? Int)
        #expect(statistics.tokens == golden["tokens"] as? Int)
        var hasher = FNV1a64()
        hasher.combine(try fileBytes(viaText + "_ids.npy"))
        #expect(String(format: "%016llx", hasher.value) == golden["ids_npy_fnv64"] as? String)
        hasher = FNV1a64()
        hasher.combine(try fileBytes(viaText + "_idx.npz"))
        #expect(String(format: "%016llx", hasher.value) == golden["idx_npz_fnv64"] as? String)

        // --input_format peoples_daily_tagged reads the tagged file directly to the same files.
        options.inputFormat = .peoplesDailyTagged
        let direct = folder.appendingPathComponent("direct").path
        _ = try CorpusPreparer(inputPaths: [taggedHead.path], outputPrefix: direct, tables: tables, options: options).run()
        #expect(try fileBytes(direct + "_ids.npy") == fileBytes(viaText + "_ids.npy"))
        #expect(try fileBytes(direct + "_idx.npz") == fileBytes(viaText + "_idx.npz"))
    }

    /// `writePlainCorpus` (tagged paragraphs + review lines) read as text gives the same files as reading the tagged
    /// file with `peoples_daily_tagged` and the reviews with `lines`, one after the other.
    @Test(.enabled(if: TestPaths.hasJieba, TestPaths.jiebaAbsent)) func plainCorpusRouteEqualsDirectFormats() throws {
        let segmenter = try PrepareTests.segmenter()
        let folder = TestPaths.temporaryFolder()
        let tagged = folder.appendingPathComponent("tagged.txt"), reviews = folder.appendingPathComponent("reviews.txt")
        try "今天/t  天气/n  很/d  好/a  。/w  我们/r  去/v  [北京/ns  公园/n]ns  散步/v  。/w\n短/a  。/w\n\n"
            .write(to: tagged, atomically: true, encoding: .utf8)
        try "这本书很好看，推荐大家买。  作者写得真好！！\n\n   \n质量一般，送货太慢了; 不会再买\n"
            .write(to: reviews, atomically: true, encoding: .utf8)
        let plain = folder.appendingPathComponent("plain.txt")
        let summary = try PeoplesDailyTagged.writePlainCorpus(tagged: [tagged.path], reviews: [reviews.path], to: plain.path)
        #expect(summary.paragraphs == 2 && summary.reviews == 2)
        #expect(try String(contentsOf: plain, encoding: .utf8) == "今天天气很好。\n我们去北京公园散步。\n\n短。\n\n"
                    + "这本书很好看，推荐大家买。\n作者写得真好！\n\n质量一般，送货太慢了;\n不会再买\n\n")
        let tables = try WholeWordTables(
            tokenizer: BertTokenizer(vocabFile: PrepareTests.fixtures.appendingPathComponent("hand_vocab.txt")),
            segmenter: segmenter, source: "hand_vocab.txt")
        var options = PrepareTests.wholeWordOptions
        let viaText = folder.appendingPathComponent("text").path
        let statistics = try CorpusPreparer(inputPaths: [plain.path], outputPrefix: viaText, tables: tables, options: options).run()
        #expect(statistics.documents == 3 && statistics.read.shortDocuments == 1)
        // Direct: the tagged file, then the reviews (two runs, concatenated through TokenCorpus).
        var direct = [[Int32]]()
        for (path, format) in [(tagged.path, PrepareOptions.InputFormat.peoplesDailyTagged), (reviews.path, .lines)] {
            options.inputFormat = format
            let prefix = folder.appendingPathComponent("direct-\(format.rawValue)").path
            _ = try CorpusPreparer(inputPaths: [path], outputPrefix: prefix, tables: tables, options: options).run()
            let corpus = try TokenCorpus(prefix: prefix)
            for sentence in 0..<corpus.sentenceCount {
                var ids = [Int32]()
                corpus.appendTokens(ofSentence: sentence, to: &ids)
                direct.append(ids)
            }
        }
        let text = try TokenCorpus(prefix: viaText)
        #expect(text.sentenceCount == direct.count)
        for sentence in 0..<min(text.sentenceCount, direct.count) {
            var ids = [Int32]()
            text.appendTokens(ofSentence: sentence, to: &ids)
            #expect(ids == direct[sentence])
        }
    }
}
