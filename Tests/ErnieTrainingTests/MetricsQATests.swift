import Foundation
import Testing
@testable import ErnieTraining

/// SQuAD v1.1 and CMRC 2018 EM/F1 against restatements of the official scripts (tools/metrics_goldens.py) on 50 SQuAD
/// and 30 CMRC questions written for this test, with near-miss predictions and unanswered questions.
@Suite struct QAMetricsTests {
    let goldens: MetricsGoldens

    init() throws { goldens = try MetricsGoldens.load() }

    @Test func squadMatchesOfficialEvaluation() {
        let golden = goldens.squad_v1
        let references = golden.dataset.data.flatMap(\.paragraphs).flatMap(\.qas).map { ($0.id, $0.answers.map(\.text)) }
        #expect(references.count == 50)
        let scores = QAMetric.squadV1.evaluate(predictions: golden.predictions, references: references)
        #expect(scores.total == golden.total)
        #expect(scores.unanswered == 1)
        #expect(close(scores.exactMatch, golden.exact_match), "EM \(scores.exactMatch) vs \(golden.exact_match)")
        #expect(close(scores.f1, golden.f1), "F1 \(scores.f1) vs \(golden.f1)")
        let answers = Dictionary(uniqueKeysWithValues: references.map { ($0.0, $0.1) })
        for question in golden.per_question {
            let prediction = golden.predictions[question.id]!
            #expect(SQuADv1.normalize(prediction).unicodeScalars.elementsEqual(question.normalized!.unicodeScalars), "\(question.id)")
            let em = answers[question.id]!.map { QAMetric.squadV1.exactMatch(prediction: prediction, answer: $0) }.max()!
            let f1 = answers[question.id]!.map { QAMetric.squadV1.f1(prediction: prediction, answer: $0) }.max()!
            #expect(em == question.exact_match && close(f1, question.f1), "\(question.id): EM \(em) F1 \(f1)")
        }
    }

    @Test func squadNormalization() {
        #expect(SQuADv1.normalize("The  Cat, the HAT!") == "cat hat")
        #expect(SQuADv1.normalize("an-apple") == "anapple")  // punctuation goes first, so "an" is no longer a word
        #expect(SQuADv1.normalize("theatre a") == "theatre")
        #expect(SQuADv1.normalize("ΟΔΥΣΣΕΥΣ") == "οδυσσευς")  // Python's final-sigma rule
    }

    @Test func cmrcMatchesOfficialEvaluation() {
        let golden = goldens.cmrc2018
        let references = golden.references.map { ($0.id, $0.answers) }
        let scores = QAMetric.cmrc2018.evaluate(predictions: golden.predictions, references: references)
        #expect(scores.total == golden.total && scores.unanswered == 1)
        #expect(close(scores.exactMatch, golden.exact_match), "EM \(scores.exactMatch) vs \(golden.exact_match)")
        #expect(close(scores.f1, golden.f1), "F1 \(scores.f1) vs \(golden.f1)")
        let answers = Dictionary(uniqueKeysWithValues: references.map { ($0.0, $0.1) })
        for question in golden.per_question {
            let prediction = golden.predictions[question.id]!
            let segments = CMRC2018.segments(prediction).map { String(String.UnicodeScalarView($0)) }
            #expect(segments == question.prediction_segments!, "\(question.id)")
            let em = answers[question.id]!.map { QAMetric.cmrc2018.exactMatch(prediction: prediction, answer: $0) }.max()!
            let f1 = answers[question.id]!.map { QAMetric.cmrc2018.f1(prediction: prediction, answer: $0) }.max()!
            #expect(em == question.exact_match && close(f1, question.f1), "\(question.id): EM \(em) F1 \(f1)")
        }
    }

    /// The word splitter that stands in for nltk.word_tokenize, against NLTKWordTokenizer.
    @Test func englishWordsMatchNLTK() {
        for words in goldens.cmrc2018.english_words {
            let tokens = CMRC2018.englishWords(Array(words.text.unicodeScalars)).map { String(String.UnicodeScalarView($0)) }
            #expect(tokens == words.tokens, "\(words.text)")
        }
    }

    @Test func longestCommonRunIsContiguous() {
        #expect(CMRC2018.longestCommonRun(Array("abcxde"), Array("abde")) == 2)
        #expect(CMRC2018.longestCommonRun(Array("上海市浦东新区"), Array("浦东新区")) == 4)
        #expect(CMRC2018.longestCommonRun([Character](), Array("a")) == 0)
    }
}
