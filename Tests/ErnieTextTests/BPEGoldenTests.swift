import Foundation
import Testing
@testable import ErnieText

/// ids, tokens and offsets identical to `RobertaTokenizerFast` (fixtures from tools/bpe_goldens.py).
@Suite struct BPEGoldenTests {
    @Test(arguments: [false, true]) func handWrittenCases(addPrefixSpace: Bool) throws {
        let tokenizer = try TestSupport.bpeTokenizer(addPrefixSpace: addPrefixSpace)
        let cases = try TestSupport.jsonLines(TestSupport.fixture("bpe/cases.jsonl")) as! [String]
        let expected = try TestSupport.jsonLines(TestSupport.fixture("bpe/hand_prefix_\(addPrefixSpace).jsonl"))
            as! [[String: Any]]
        #expect(cases.count == expected.count)
        for (text, record) in zip(cases, expected) {
            let pieces = tokenizer.pieces(of: text)
            let ids = pieces.ids.map(Int.init)
            let offsets = zip(pieces.starts, pieces.ends).map { [Int($0), Int($1)] }
            let label = "add_prefix_space \(addPrefixSpace): \(text.debugDescription)"
            #expect(ids == record["ids"] as! [Int], "ids of \(label)")
            #expect(tokenizer.tokenize(text) == record["tokens"] as! [String], "tokens of \(label)")
            #expect(offsets == record["offsets"] as! [[Int]], "offsets of \(label)")
            #expect(tokenizer.decode(ids) == record["decoded"] as! String, "decode of \(label)")
        }
    }

    /// Every line of People's Daily, the reviews, the license texts and our emoji lines: digests of ids + offsets per
    /// block of 32 lines.
    @Test(.enabled(if: TestSupport.hasSnowNLP, TestSupport.snowNLPAbsent), arguments: [false, true])
    func corpusLines(addPrefixSpace: Bool) throws {
        let tokenizer = try TestSupport.bpeTokenizer(addPrefixSpace: addPrefixSpace)
        var scratch = ByteLevelBPETokenizer.Scratch()
        var pieces = TokenPieces()
        try TestSupport.checkCorpusDigests(TestSupport.fixture("bpe/corpus_prefix_\(addPrefixSpace).txt"),
                                           label: "add_prefix_space \(addPrefixSpace)") { line in
            pieces.removeAll()
            let scalars = line.unicodeScalars.map(\.value)
            scalars.withUnsafeBufferPointer { tokenizer.appendPieces(of: $0, to: &pieces, scratch: &scratch) }
            return (0..<pieces.count).map { "\(pieces.ids[$0]),\(pieces.starts[$0]),\(pieces.ends[$0])" }.joined(separator: ";") + "\n"
        }
    }

    /// The encoding API: pairs `<s> A </s></s> B </s>`, truncation strategies with stride and overflow, padding,
    /// decoding with and without special tokens.
    @Test func encodeCases() throws {
        let tokenizers = [false: try TestSupport.bpeTokenizer(), true: try TestSupport.bpeTokenizer(addPrefixSpace: true)]
        let records = try TestSupport.jsonLines(TestSupport.fixture("bpe/encode.jsonl")) as! [[String: Any]]
        #expect(records.count > 100)
        for record in records {
            let spec = record["spec"] as! [String: Any]
            let tokenizer = tokenizers[spec["add_prefix_space"] as! Bool]!
            var truncation: Truncation? = nil
            if let strategy = spec["truncation"] as? String {
                truncation = Truncation(maxLength: spec["max_length"] as! Int, strategy: TruncationStrategy(rawValue: strategy)!,
                                        stride: spec["stride"] as? Int ?? 0)
            }
            let padding: Padding = spec["padding"] as? String == "max_length" ? .maxLength(spec["max_length"] as! Int) : .none
            let overflow = spec["return_overflowing_tokens"] as? Bool ?? false
            let label = "\(spec)"
            do {
                let encoding = try tokenizer.encode(spec["text"] as! String, pair: spec["text_pair"] as? String,
                                                    addSpecialTokens: spec["add_special_tokens"] as! Bool,
                                                    truncation: truncation, padding: padding)
                guard let rows = record["rows"] as? [[String: Any]] else {
                    Issue.record("\(label): expected the error \(record["error"]!)")
                    continue
                }
                let windows = overflow ? encoding.windows : [encoding]
                #expect(windows.count == rows.count, "\(label): window count")
                for (window, row) in zip(windows, rows) {
                    #expect(window.ids == row["input_ids"] as! [Int], "\(label) ids")
                    #expect(window.typeIds == row["token_type_ids"] as! [Int], "\(label) type ids")
                    #expect(window.attentionMask == row["attention_mask"] as! [Int], "\(label) attention mask")
                    #expect(window.specialTokensMask == row["special_tokens_mask"] as! [Int], "\(label) special tokens mask")
                    #expect(window.offsets.map { [$0.lowerBound, $0.upperBound] } == row["offsets"] as! [[Int]],
                            "\(label) offsets")
                    #expect(tokenizer.decode(window.ids) == row["decoded"] as! String, "\(label) decode")
                    #expect(tokenizer.decode(window.ids, skipSpecialTokens: true) == row["decoded_skip"] as! String,
                            "\(label) decode skipping special tokens")
                }
            } catch let error as TokenizerError {
                #expect(record["error"] != nil, "\(label): unexpected error \(error)")
            }
        }
    }
}
