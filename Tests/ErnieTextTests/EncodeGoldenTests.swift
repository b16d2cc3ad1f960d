import Foundation
import Testing
@testable import ErnieText

/// The encoding API against `BertTokenizerFast.__call__`: pairs, truncation strategies, padding, overflowing windows
/// with stride, decoding, batches (fixtures from tools/make_text_goldens.py).
@Suite struct EncodeGoldenTests {
    @Test(.enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent)) func encodeCasesMiniLM() throws {
        try Self.encodeCases("minilm_uncased")
    }

    @Test(.enabled(if: TestSupport.hasERNIEVocab, TestSupport.ernieVocabAbsent)) func encodeCasesERNIEChars() throws {
        try Self.encodeCases("ernie_chars")
    }

    @Test(.enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent)) func batchPadsToLongestMiniLM() throws {
        try Self.batchPadsToLongest("minilm_uncased")
    }

    @Test(.enabled(if: TestSupport.hasERNIEVocab, TestSupport.ernieVocabAbsent)) func batchPadsToLongestERNIEChars() throws {
        try Self.batchPadsToLongest("ernie_chars")
    }

    static func encodeCases(_ name: String) throws {
        let tokenizer = try TokenizerGoldenTests.tokenizer(name)
        let records = try TestSupport.jsonLines(TestSupport.fixture("tokenizer/encode_\(name).jsonl")) as! [[String: Any]]
        for record in records {
            let spec = record["spec"] as! [String: Any]
            let text = spec["text"] as! String
            let pair = spec["text_pair"] as? String
            var truncation: Truncation? = nil
            if let strategy = spec["truncation"] as? String {
                truncation = Truncation(maxLength: spec["max_length"] as! Int,
                                        strategy: TruncationStrategy(rawValue: strategy)!,
                                        stride: spec["stride"] as? Int ?? 0)
            }
            let padding: Padding = spec["padding"] as? String == "max_length" ? .maxLength(spec["max_length"] as! Int) : .none
            let overflow = spec["return_overflowing_tokens"] as? Bool ?? false
            let label = "\(name) \(spec)"
            do {
                let encoding = try tokenizer.encode(text, pair: pair, addSpecialTokens: spec["add_special_tokens"] as! Bool,
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

    static func batchPadsToLongest(_ name: String) throws {
        let tokenizer = try TokenizerGoldenTests.tokenizer(name)
        let data = try Data(contentsOf: TestSupport.fixture("tokenizer/batch_\(name).json"))
        let expected = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let encodings = try tokenizer.encodeBatch(expected["texts"] as! [String], padding: .longest)
        #expect(encodings.map(\.ids) == expected["input_ids"] as! [[Int]])
        #expect(encodings.map(\.attentionMask) == expected["attention_mask"] as! [[Int]])
        #expect(encodings.map(\.typeIds) == expected["token_type_ids"] as! [[Int]])
        #expect(encodings.map { $0.offsets.map { [$0.lowerBound, $0.upperBound] } } == expected["offsets"] as! [[[Int]]])
    }
}
