import Foundation
import Testing
@testable import ErnieText

/// ids, tokens and offsets identical to `BertTokenizerFast` (fixtures from tools/make_text_goldens.py).
@Suite struct TokenizerGoldenTests {
    static func tokenizer(_ name: String) throws -> BertTokenizer {
        let config = TestSupport.tokenizerConfigs.first { $0.name == name }!
        return try BertTokenizer(vocabFile: config.vocab, doLowerCase: config.lowercase)
    }

    @Test(.enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent), arguments: ["minilm_uncased", "minilm_cased"])
    func handWrittenCases(config name: String) throws { try Self.checkHandWrittenCases(name) }

    @Test(.enabled(if: TestSupport.hasERNIEVocab, TestSupport.ernieVocabAbsent))
    func handWrittenCasesERNIEChars() throws { try Self.checkHandWrittenCases("ernie_chars") }

    static func checkHandWrittenCases(_ name: String) throws {
        let tokenizer = try Self.tokenizer(name)
        let cases = try TestSupport.jsonLines(TestSupport.fixture("tokenizer/cases.jsonl")) as! [String]
        let expected = try TestSupport.jsonLines(TestSupport.fixture("tokenizer/hand_\(name).jsonl")) as! [[String: Any]]
        #expect(cases.count == expected.count)
        for (text, record) in zip(cases, expected) {
            let pieces = tokenizer.pieces(of: text)
            let ids = pieces.ids.map(Int.init)
            let tokens = pieces.ids.map { tokenizer.vocabulary.tokens[Int($0)] }
            let offsets = zip(pieces.starts, pieces.ends).map { [Int($0), Int($1)] }
            #expect(ids == record["ids"] as! [Int], "\(name) ids of \(text.debugDescription)")
            #expect(tokens == record["tokens"] as! [String], "\(name) tokens of \(text.debugDescription)")
            #expect(offsets == record["offsets"] as! [[Int]], "\(name) offsets of \(text.debugDescription)")
            #expect(tokenizer.tokenize(text) == tokens)
        }
    }

    /// Every line of People's Daily and the reviews: digests of ids + offsets per block of 32 lines.
    @Test(.enabled(if: TestSupport.hasSnowNLP, TestSupport.snowNLPAbsent), .enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent),
          arguments: ["minilm_uncased", "minilm_cased"])
    func corpusLines(config name: String) throws { try Self.checkCorpusLines(name) }

    @Test(.enabled(if: TestSupport.hasSnowNLP, TestSupport.snowNLPAbsent),
          .enabled(if: TestSupport.hasERNIEVocab, TestSupport.ernieVocabAbsent))
    func corpusLinesERNIEChars() throws { try Self.checkCorpusLines("ernie_chars") }

    static func checkCorpusLines(_ name: String) throws {
        let tokenizer = try Self.tokenizer(name)
        var expected = [String: [UInt64]]()
        var current = ""
        for line in try TestSupport.lines(TestSupport.fixture("tokenizer/corpus_\(name).txt")) {
            if line.hasPrefix("# ") {
                current = String(line.dropFirst(2).split(separator: " ")[0])
                expected[current] = []
            } else {
                expected[current]!.append(UInt64(line, radix: 16)!)
            }
        }
        var scratch = BertTokenizer.Scratch()
        var pieces = TokenPieces()
        for corpus in TestSupport.corpora {
            let lines = try TestSupport.corpusLines(corpus)
            let digests = expected[corpus]!
            #expect(digests.count == (lines.count + 31) / 32, "\(corpus): line count changed")
            var badBlocks = [Int]()
            for block in 0..<digests.count {
                var hasher = FNV1a64()
                for index in block * 32..<min(block * 32 + 32, lines.count) {
                    pieces.removeAll()
                    let scalars = lines[index].unicodeScalars.map(\.value)
                    scalars.withUnsafeBufferPointer { tokenizer.appendPieces(of: $0, to: &pieces, scratch: &scratch) }
                    var text = ""
                    for i in 0..<pieces.count {
                        if i > 0 { text += ";" }
                        text += "\(pieces.ids[i]),\(pieces.starts[i]),\(pieces.ends[i])"
                    }
                    hasher.combine(text + "\n")
                }
                if hasher.value != digests[block] { badBlocks.append(block) }
            }
            #expect(badBlocks.isEmpty, "\(name) \(corpus): \(badBlocks.count) of \(digests.count) blocks of 32 lines differ, first lines \(badBlocks.prefix(10).map { $0 * 32 })")
        }
    }
}
