import Foundation
import Testing
import ErnieBasics
@testable import ErnieText

/// ids identical to transformers 4.x `ErnieMTokenizer` (fixtures from tools/ernie_m_tokenizer_goldens.py) over the
/// unigram and BPE SentencePiece fixtures.
@Suite struct ErnieMTokenizerGoldenTests {
    static func tokenizer(_ name: String) throws -> ErnieMTokenizer {
        let model = try SentencePieceModel(contentsOf: TestSupport.fixture("sentencepiece/\(name).model"))
        let vocabulary = try Vocabulary(contentsOf: TestSupport.fixture("ernie_m/\(name)/vocab.txt"))
        return try ErnieMTokenizer(sentencePiece: model, vocabulary: vocabulary)
    }

    @Test(arguments: ["unigram", "bpe"]) func handWrittenCasesAndPairs(name: String) throws {
        let tokenizer = try Self.tokenizer(name)
        let records = try TestSupport.lines(TestSupport.fixture("ernie_m/\(name)/cases.jsonl")).map {
            try JSONParser.parse($0).objectValue!
        }
        #expect(records.count > 60)
        for record in records {
            let text = record["text"]!.stringValue!
            let pair = record["pair"]?.stringValue
            let expected = record["ids"]!.arrayValue!.map { $0.intValue! }
            let encoding = try tokenizer.encode(text, pair: pair)
            #expect(encoding.ids == expected, "\(name): \(text.debugDescription) \(pair?.debugDescription ?? "")")
            if let tokens = record["tokens"]?.arrayValue {
                #expect(tokenizer.pieces(of: text).ids.map(Int.init) == tokens.map { tokenizer.vocabulary[$0.stringValue!] ?? tokenizer.unknownTokenId! },
                        "tokens of \(name): \(text.debugDescription)")
            }
            // Offsets lie inside the text and never run backwards.
            let count = text.unicodeScalars.count
            for range in encoding.offsets { #expect(range.lowerBound >= 0 && range.upperBound <= max(count, pair?.unicodeScalars.count ?? 0)) }
        }
    }

    @Test(.enabled(if: TestSupport.hasSnowNLP, TestSupport.snowNLPAbsent), arguments: ["unigram", "bpe"])
    func corpusLines(name: String) throws {
        let tokenizer = try Self.tokenizer(name)
        var scratch = tokenizer.makeScratch()
        var pieces = TokenPieces()
        try TestSupport.checkCorpusDigests(TestSupport.fixture("ernie_m/\(name)/corpus.txt"), label: name) { line in
            pieces.removeAll()
            let scalars = line.unicodeScalars.map(\.value)
            scalars.withUnsafeBufferPointer { tokenizer.appendPieces(of: $0, to: &pieces, scratch: &scratch) }
            let ids = [tokenizer.classifierTokenId] + pieces.ids.map(Int.init) + [tokenizer.separatorTokenId]
            return ids.map(String.init).joined(separator: ",") + "\n"
        }
    }

    @Test func folderRoundTrip() throws {
        let tokenizer = try Self.tokenizer("unigram")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-m-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try TokenizerFiles(tokenizer: tokenizer, modelMaxLength: 514).write(to: folder)
        let loaded = try TokenizerLoader.load(folder)
        #expect(loaded.kind == .sentencePiece)
        let text = "北京大学的学生在2023年发表了100篇论文。 Hello [MASK] world"
        #expect(try loaded.encode(text).ids == tokenizer.encode(text).ids)
        #expect(TokenizerFiles.modelMaxLength(in: folder) == 514)
    }

    @Test func vocabularyWithoutSpecialTokensIsRefused() throws {
        let model = try SentencePieceModel(contentsOf: TestSupport.fixture("sentencepiece/unigram.model"))
        #expect(throws: TokenizerError.self) { try ErnieMTokenizer(sentencePiece: model) }
        // Another model's vocab.txt (the BPE model's pieces against the unigram model).
        let other = try Vocabulary(contentsOf: TestSupport.fixture("ernie_m/bpe/vocab.txt"))
        do {
            _ = try ErnieMTokenizer(sentencePiece: model, vocabulary: other, vocabularySource: "bpe/vocab.txt")
            Issue.record("a vocab.txt of another model was accepted")
        } catch let error as TokenizerError {
            #expect("\(error)".contains("bpe/vocab.txt") && "\(error)".contains("pieces"), "\(error)")
        }
    }
}
