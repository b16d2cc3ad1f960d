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
        var expected = [(name: String, sha256: String?, digests: [UInt64])]()
        for line in try TestSupport.lines(TestSupport.fixture("sentencepiece/\(name).corpus.txt")) {
            if line.hasPrefix("# ") {
                let fields = line.dropFirst(2).split(separator: " ").map(String.init)
                expected.append((fields[0], fields.count > 2 ? fields[2] : nil, []))
            } else {
                expected[expected.count - 1].digests.append(UInt64(line, radix: 16)!)
            }
        }
        var scratch = SentencePieceModel.Scratch()
        var checkedLicenses = 0
        for corpus in expected {
            let lines: [String]
            if corpus.name.hasPrefix("license:") {
                let url = TestSupport.licenses.appendingPathComponent(String(corpus.name.dropFirst("license:".count)))
                guard TestSupport.exists(url), try TestSupport.sha256(url) == corpus.sha256 else { continue }
                lines = try TestSupport.lines(url)
                checkedLicenses += 1
            } else if corpus.name == "emoji" {
                lines = try TestSupport.lines(TestSupport.fixture("bpe/emoji.txt"))
            } else {
                lines = try TestSupport.corpusLines(corpus.name)
            }
            #expect(corpus.digests.count == (lines.count + 31) / 32, "\(corpus.name): line count changed")
            var badBlocks = [Int]()
            for block in 0..<corpus.digests.count {
                var hasher = FNV1a64()
                for index in block * 32..<min(block * 32 + 32, lines.count) {
                    let utf8 = Array(lines[index].utf8)
                    utf8.withUnsafeBufferPointer { model.encode(utf8: $0, scratch: &scratch) }
                    var text = ""
                    for i in 0..<scratch.ids.count {
                        if i > 0 { text += ";" }
                        text += "\(scratch.ids[i]),\(scratch.begins[i]),\(scratch.ends[i])"
                    }
                    hasher.combine(text + "\n")
                }
                if hasher.value != corpus.digests[block] { badBlocks.append(block) }
            }
            #expect(badBlocks.isEmpty, "\(name) \(corpus.name): \(badBlocks.count) of \(corpus.digests.count) blocks of 32 lines differ, first lines \(badBlocks.prefix(10).map { $0 * 32 })")
        }
        if TestSupport.hasLicenses { #expect(checkedLicenses > 0, "no license text matches the goldens' digests") }
    }

    @Test func notAModelIsRefused() throws {
        #expect(throws: SentencePieceError.self) { try SentencePieceModel(bytes: Array("[PAD]\n[UNK]\n".utf8)) }
        #expect(throws: SentencePieceError.self) { try SentencePieceModel(bytes: []) }
        let vocab = TestSupport.fixture("bpe/vocab.json")
        #expect(throws: SentencePieceError.self) { try SentencePieceModel(contentsOf: vocab) }
    }
}
