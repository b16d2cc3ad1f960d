import Foundation
import Testing
@testable import ErnieTraining

/// QA post-processing on a hand-made example: n-best pairing across windows, the max answer length, spans outside the
/// context, and the answer text cut from the context by offsets; then EM/F1 with the metrics branch's SQuAD scorer.
@Suite struct FineTuningQuestionAnsweringTests {
    /// Word starts: Ada 0, Lovelace 4, wrote 13, the 19, first 23, program 29, in 37, 1843 40, "." 44.
    static let context = "Ada Lovelace wrote the first program in 1843."
    /// One token per word; windows are `[CLS] q q [SEP] context… [SEP]`.
    static let words: [Range<Int>] = [0..<3, 4..<12, 13..<18, 19..<22, 23..<28, 29..<36, 37..<39, 40..<44, 44..<45]

    @Test func bestSpanAcrossWindows() {
        let none: [Range<Int>?] = [nil, nil, nil, nil]
        // Window 1 holds words 0…5, window 2 words 3…8.
        let offsets1 = none + Self.words[0...5].map { $0 } + [nil]
        let offsets2 = none + Self.words[3...8].map { $0 } + [nil]
        var start1 = [Float](repeating: -5, count: offsets1.count), end1 = start1
        var start2 = [Float](repeating: -5, count: offsets2.count), end2 = start2
        start1[0] = 9; end1[0] = 9            // [CLS]: outside the context, never an answer
        start1[4] = 3; end1[5] = 2.5          // window 1, words 0…1: "Ada Lovelace" scores 5.5
        start2[8] = 4; end2[8] = 2            // window 2, word 7 (index 4 + 7 − 3): "1843" scores 6
        end2[9] = 3                           // words 7…8: "1843." scores 7
        let candidates = QuestionAnsweringPostprocessing.candidates(
            contexts: [Self.context],
            windows: [(0, offsets1, start1, end1), (0, offsets2, start2, end2)], nBestSize: 3, maxAnswerLength: 30)
        #expect(candidates[0].map(\.text) == ["1843.", "1843", "Ada Lovelace"])
        #expect(candidates[0].map(\.score) == [7, 6, 5.5])
        #expect(candidates[0][0].range == 40..<45)
        let probabilities = candidates[0].map(\.probability)
        #expect(abs(probabilities.reduce(0, +) - 1) < 1e-9)  // Measured: 0; bar 1e-9 allows another summation order.
    }

    @Test func maxAnswerLengthAndEmptyResults() {
        let offsets: [Range<Int>?] = [nil] + Self.words.map { $0 } + [nil]
        var start = [Float](repeating: 0, count: offsets.count), end = start
        start[1] = 10   // word 0
        end[9] = 10     // word 8: a 9-token span
        end[2] = 1      // word 1: "Ada Lovelace"
        let short = QuestionAnsweringPostprocessing.candidates(contexts: [Self.context], windows: [(0, offsets, start, end)],
                                                               nBestSize: 2, maxAnswerLength: 3)
        #expect(short[0].first?.text == "Ada Lovelace")
        let long = QuestionAnsweringPostprocessing.candidates(contexts: [Self.context], windows: [(0, offsets, start, end)],
                                                              nBestSize: 2, maxAnswerLength: 30)
        #expect(long[0].first?.text == Self.context)
        // An example no window reaches gets no candidate.
        let missing = QuestionAnsweringPostprocessing.candidates(contexts: [Self.context, "x"], windows: [(0, offsets, start, end)],
                                                                 nBestSize: 2, maxAnswerLength: 30)
        #expect(missing[1].isEmpty)
    }

    @Test func scoresWithTheOfficialMetric() {
        let offsets: [Range<Int>?] = [nil] + Self.words.map { $0 } + [nil]
        var start = [Float](repeating: 0, count: offsets.count), end = start
        start[2] = 5; end[2] = 5   // "Lovelace"
        let answer = QuestionAnsweringPostprocessing.candidates(contexts: [Self.context], windows: [(0, offsets, start, end)],
                                                                nBestSize: 20, maxAnswerLength: 30)[0][0].text
        #expect(answer == "Lovelace")
        let scores = QAMetric.squadV1.evaluate(predictions: ["q1": answer], references: [(id: "q1", answers: ["Ada Lovelace", "Lovelace"]),
                                                                                         (id: "q2", answers: ["1843"])])
        #expect(scores.exactMatch == 50)
        #expect(scores.f1 == 50)
        #expect(scores.unanswered == 1)
    }
}
