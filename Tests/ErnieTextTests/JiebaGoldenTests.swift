import Foundation
import Testing
@testable import ErnieText

/// Word-for-word against jieba 0.42.1 `jieba.lcut` (HMM on and off); fixtures from tools/make_text_goldens.py.
@Suite(.enabled(if: TestSupport.hasJieba, TestSupport.jiebaAbsent))
struct JiebaGoldenTests {
    static func segmenters() throws -> (hmm: JiebaSegmenter, noHMM: JiebaSegmenter) {
        (try JiebaSegmenter(hmm: true), try JiebaSegmenter(hmm: false))
    }

    @Test func handWrittenCases() throws {
        let (hmm, noHMM) = try Self.segmenters()
        let cases = try TestSupport.jsonLines(TestSupport.fixture("segment/cases.jsonl")) as! [String]
        let expected = try TestSupport.jsonLines(TestSupport.fixture("segment/hand.jsonl")) as! [[String: [String]]]
        #expect(cases.count == expected.count)
        for (text, record) in zip(cases, expected) {
            #expect(hmm.cut(text) == record["hmm"]!, "HMM on: \(text.debugDescription)")
            #expect(noHMM.cut(text) == record["no_hmm"]!, "HMM off: \(text.debugDescription)")
        }
    }

    /// All of People's Daily (19,484 lines) and the reviews (35,124 lines): per-line digests of jieba's words.
    @Test(.enabled(if: TestSupport.hasSnowNLP, TestSupport.snowNLPAbsent), arguments: TestSupport.corpora)
    func corpusLines(corpus: String) throws {
        let (hmm, noHMM) = try Self.segmenters()
        let lines = try TestSupport.corpusLines(corpus)
        let digests = try Data(contentsOf: TestSupport.fixture("segment/\(corpus).fnv64")).withUnsafeBytes {
            Array($0.bindMemory(to: UInt64.self)).map(UInt64.init(littleEndian:))
        }
        #expect(digests.count == lines.count * 2, "\(corpus): line count changed")
        var mismatches = (hmm: [Int](), noHMM: [Int]())
        var spans = WordSpans()
        var scratch = JiebaSegmenter.Scratch()
        for (index, line) in lines.enumerated() where index * 2 + 1 < digests.count {
            let scalars = Array(line.unicodeScalars)
            let values = scalars.map(\.value)
            for (segmenter, slot) in [(hmm, 0), (noHMM, 1)] {
                spans.removeAll()
                values.withUnsafeBufferPointer { segmenter.appendWords(of: $0, to: &spans, scratch: &scratch) }
                var hasher = FNV1a64()
                for word in 0..<spans.count {
                    if word > 0 { hasher.combine(1) }
                    hasher.combine(String(String.UnicodeScalarView(scalars[Int(spans.starts[word])..<Int(spans.ends[word])])).utf8)
                }
                if hasher.value != digests[index * 2 + slot] {
                    if slot == 0 { mismatches.hmm.append(index + 1) } else { mismatches.noHMM.append(index + 1) }
                }
            }
        }
        let rate = (hmm: 1 - Double(mismatches.hmm.count) / Double(lines.count),
                    noHMM: 1 - Double(mismatches.noHMM.count) / Double(lines.count))
        print("jieba \(corpus): \(lines.count) lines, identical HMM on \(rate.hmm * 100)%, HMM off \(rate.noHMM * 100)%")
        #expect(mismatches.hmm.isEmpty, "\(corpus) HMM on: lines \(mismatches.hmm.prefix(20)) differ (\(mismatches.hmm.count))")
        #expect(mismatches.noHMM.isEmpty, "\(corpus) HMM off: lines \(mismatches.noHMM.prefix(20)) differ (\(mismatches.noHMM.count))")
    }
}
