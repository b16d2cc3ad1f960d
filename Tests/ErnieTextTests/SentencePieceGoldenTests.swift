import Foundation
import Testing
import ErnieBasics
@testable import ErnieText

/// Pieces, ids and byte offsets identical to the `sentencepiece` library (fixtures from
/// tools/sentencepiece_goldens.py): a unigram and a BPE model with NFKC normalisation, one with the identity
/// normaliser and whitespace kept, one with whitespace as suffix.
@Suite struct SentencePieceGoldenTests {
    static let models = ["unigram", "bpe", "unigram_identity", "bpe_suffix"]

    static func model(_ name: String) throws -> SentencePieceModel {
        try SentencePieceModel(contentsOf: TestSupport.fixture("sentencepiece/\(name).model"))
    }

    @Test(arguments: models) func handWrittenCases(name: String) throws {
        let model = try Self.model(name)
        // ErnieBasics' parser: Foundation's drops a U+FEFF inside a string, which one case has as a piece.
        let records = try TestSupport.lines(TestSupport.fixture("sentencepiece/\(name).cases.jsonl")).map {
            try JSONParser.parse($0).objectValue!
        }
        #expect(records.count > 60)
        for record in records {
            let text = record["text"]!.stringValue!
            let tokens = model.encode(text)
            let label = "\(name): \(text.debugDescription)"
            #expect(tokens.map(\.piece) == record["pieces"]!.arrayValue!.map { $0.stringValue! }, "pieces of \(label)")
            for (key, values) in [("ids", tokens.map(\.id)), ("begins", tokens.map(\.begin)), ("ends", tokens.map(\.end))] {
                #expect(values == record[key]!.arrayValue!.map { $0.intValue! }, "\(key) of \(label)")
            }
        }
    }

    /// Every line of People's Daily, the reviews, the license texts and the emoji lines: digests of
    /// "id,begin,end;…" per block of 32 lines.
    @Test(.enabled(if: TestSupport.hasSnowNLP, TestSupport.snowNLPAbsent), arguments: models)
    func corpusLines(name: String) throws {
        let model = try Self.model(name)
        var scratch = SentencePieceModel.Scratch()
        try TestSupport.checkCorpusDigests(TestSupport.fixture("sentencepiece/\(name).corpus.txt"), label: name) { line in
            let utf8 = Array(line.utf8)
            utf8.withUnsafeBufferPointer { model.encode(utf8: $0, scratch: &scratch) }
            return (0..<scratch.ids.count).map { "\(scratch.ids[$0]),\(scratch.begins[$0]),\(scratch.ends[$0])" }.joined(separator: ";") + "\n"
        }
    }

    @Test func notAModelIsRefused() throws {
        #expect(throws: SentencePieceError.self) { try SentencePieceModel(bytes: Array("[PAD]\n[UNK]\n".utf8)) }
        #expect(throws: SentencePieceError.self) { try SentencePieceModel(bytes: []) }
        let vocab = TestSupport.fixture("bpe/vocab.json")
        #expect(throws: SentencePieceError.self) { try SentencePieceModel(contentsOf: vocab) }
    }
}
