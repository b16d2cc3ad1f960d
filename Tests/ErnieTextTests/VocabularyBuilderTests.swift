import Foundation
import Testing
@testable import ErnieText

@Suite struct VocabularyBuilderTests {
    static let corpus = [
        "今天天气很好，我们去公园散步吧。", "今天我们学习深度学习。", "The unbelievable unbelievers believed.",
        "believing is seeing; seeing is believing", "学习使人进步！", "天天向上", "Ｆｕｌｌ-width ＡＢＣ",
    ]

    @Test func layoutFollowsTheErnieRecipe() throws {
        var options = VocabularyBuilder.Options()
        options.minCharacterFrequency = 1
        options.minSubwordFrequency = 2
        options.vocabSize = 200
        var builder = try VocabularyBuilder(options: options)
        for line in Self.corpus { builder.add(line) }
        let (tokens, summary) = builder.build()
        #expect(Array(tokens.prefix(5)) == ["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"])
        // CJK characters come next, most frequent first: 天 (6×), then 学 and 习 (4× each, by code point).
        #expect(Array(tokens[5..<8]) == ["天", "习", "学"])
        #expect(summary.cjkCharacters == Set(Self.corpus.joined().unicodeScalars.filter { BertCharacterTable.isChinese($0.value) }).count)
        #expect(tokens.contains("##e") && tokens.contains("believ") || tokens.contains("##liev"))
        #expect(Set(tokens).count == tokens.count, "no duplicates")
        let uppercase = tokens.filter { $0.unicodeScalars.contains { $0.properties.isUppercase } }
        #expect(uppercase == ["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"], "lower-cased")
        // The built vocabulary tokenizes its corpus without unknown tokens.
        let vocabulary = try Vocabulary(tokens: tokens)
        let tokenizer = try BertTokenizer(vocabulary: vocabulary)
        for line in Self.corpus { #expect(!tokenizer.tokenize(line).contains("[UNK]"), "\(line)") }
    }

    @Test func sizeIsCappedForUInt16TokenFiles() throws {
        var options = VocabularyBuilder.Options()
        options.minCharacterFrequency = 1
        options.vocabSize = 100
        options.maxTokenIds = 40
        var builder = try VocabularyBuilder(options: options)
        for line in Self.corpus { builder.add(line) }
        let (tokens, summary) = builder.build()
        let vocabulary = try Vocabulary(tokens: tokens)
        #expect(summary.capped)
        #expect(vocabulary.count + vocabulary.chineseCharExtension().baseIds.count <= 40)
    }

    @Test(.enabled(if: TestSupport.hasSnowNLP, TestSupport.snowNLPAbsent)) func peoplesDailyVocabularyFitsUInt16() throws {
        var options = VocabularyBuilder.Options()
        options.vocabSize = 50000  // + the 20902 ##CJK ids would exceed 65535
        options.includeAllCJK = true
        var builder = try VocabularyBuilder(options: options)
        let lines = try TestSupport.corpusLines("peoples_daily")
        for line in lines.prefix(4000) { builder.add(line) }
        let (tokens, summary) = builder.build()
        let vocabulary = try Vocabulary(tokens: tokens)
        let extensionCount = vocabulary.chineseCharExtension().baseIds.count
        print(summary)
        #expect(summary.capped)
        #expect(vocabulary.count + extensionCount <= 65535)
        let tokenizer = try BertTokenizer(vocabulary: vocabulary)
        var unknown = 0, total = 0
        for line in lines.prefix(4000) {
            let ids = tokenizer.pieces(of: line).ids
            total += ids.count
            unknown += ids.filter { $0 == Int32(vocabulary.unkId!) }.count
        }
        #expect(Double(unknown) / Double(total) < 0.001, "unknown rate \(unknown)/\(total)")
    }
}
