// Extractive question answering scores: the official SQuAD v1.1 evaluation (evaluate-v1.1.py) and the CMRC 2018
// evaluation (cmrc2018_evaluate.py), restated from their published definitions.

/// Exact match and F1 over a set of questions, as percentages (0–100), the way both official scripts report them.
public struct QAScores: Equatable, Sendable {
    /// 100 × (questions whose prediction matches some answer) / `total`.
    public var exactMatch: Double
    /// 100 × (sum over questions of the best F1 against any answer) / `total`.
    public var f1: Double
    /// Questions in the references, answered or not.
    public var total: Int
    /// References without a prediction; they score 0 (both official scripts count them in `total`).
    public var unanswered: Int
}

/// Which official evaluation to reproduce.
public enum QAMetric: Sendable {
    /// SQuAD v1.1: answers normalised (lowercase, no ASCII punctuation, no articles a/an/the, single spaces);
    /// EM on the normalised strings, F1 on their bag of whitespace tokens.
    case squadV1
    /// CMRC 2018: Chinese characters as tokens, other text split into words; F1 from the longest common run of
    /// tokens; EM on the text with CMRC's punctuation removed.
    case cmrc2018

    /// 1 when the prediction matches the answer under this metric's normalisation, else 0.
    public func exactMatch(prediction: String, answer: String) -> Double {
        switch self {
        // Code points, not Strings: Swift's String == would equate canonically equivalent texts, Python does not.
        case .squadV1: SQuADv1.normalizedScalars(prediction) == SQuADv1.normalizedScalars(answer) ? 1 : 0
        case .cmrc2018: CMRC2018.removePunctuation(prediction) == CMRC2018.removePunctuation(answer) ? 1 : 0
        }
    }

    /// Token F1 in [0, 1] between a prediction and one answer.
    public func f1(prediction: String, answer: String) -> Double {
        switch self {
        case .squadV1: SQuADv1.f1(prediction: prediction, answer: answer)
        case .cmrc2018: CMRC2018.f1(prediction: prediction, answer: answer)
        }
    }

    /// Scores predictions (question id → predicted text) against references (question id → every accepted answer), as
    /// the official scripts do: per question the maximum over its answers, summed, divided by the number of reference
    /// questions, times 100. Predictions for ids not in `references` are ignored. A question with an empty answer list
    /// scores 0 (the official scripts would raise).
    public func evaluate(predictions: [String: String], references: [(id: String, answers: [String])]) -> QAScores {
        var exact = 0.0, f1Sum = 0.0, unanswered = 0
        for reference in references {
            guard let prediction = predictions[reference.id] else { unanswered += 1; continue }
            exact += reference.answers.map { exactMatch(prediction: prediction, answer: $0) }.max() ?? 0
            f1Sum += reference.answers.map { f1(prediction: prediction, answer: $0) }.max() ?? 0
        }
        let total = references.count
        let scale = total == 0 ? 0 : 100 / Double(total)
        return QAScores(exactMatch: exact * scale, f1: f1Sum * scale, total: total, unanswered: unanswered)
    }
}

/// The SQuAD v1.1 answer normalisation and token F1.
public enum SQuADv1 {
    /// `normalize_answer`: Python `lower()`, drop every `string.punctuation` character (ASCII only), replace each whole
    /// word (Python `\b…\b`) "a", "an" or "the" with a space, then `' '.join(s.split())`. Returned as code points.
    public static func normalizedScalars(_ text: String) -> [Unicode.Scalar] {
        let lowered = pythonLowercased(Array(text.unicodeScalars))
        let withoutPunctuation = lowered.filter { !isASCIIPunctuation($0) }
        var withoutArticles: [Unicode.Scalar] = []
        withoutArticles.reserveCapacity(withoutPunctuation.count)
        var i = 0
        while i < withoutPunctuation.count {
            guard isPythonWordCharacter(withoutPunctuation[i]) else { withoutArticles.append(withoutPunctuation[i]); i += 1; continue }
            // A maximal run of word characters: exactly what `\b(a|an|the)\b` can match.
            var end = i
            while end < withoutPunctuation.count && isPythonWordCharacter(withoutPunctuation[end]) { end += 1 }
            let word = withoutPunctuation[i..<end]
            if word.elementsEqual("a".unicodeScalars) || word.elementsEqual("an".unicodeScalars) || word.elementsEqual("the".unicodeScalars) {
                withoutArticles.append(" ")
            } else {
                withoutArticles.append(contentsOf: word)
            }
            i = end
        }
        return Array(pythonSplit(withoutArticles).joined(separator: [" "]))
    }

    /// `normalize_answer` as a String.
    public static func normalize(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: normalizedScalars(text))
        return String(result)
    }

    /// `f1_score`: tokens are the normalised text split on whitespace; common = multiset intersection;
    /// 0 when nothing is shared, else 2PR / (P + R) with P = common / prediction tokens, R = common / answer tokens.
    public static func f1(prediction: String, answer: String) -> Double {
        let predictionTokens = pythonSplit(normalizedScalars(prediction)).map { $0.map(\.value) }
        let answerTokens = pythonSplit(normalizedScalars(answer)).map { $0.map(\.value) }
        var answerCounts: [[UInt32]: Int] = [:]
        for token in answerTokens { answerCounts[token, default: 0] += 1 }
        var common = 0
        for token in predictionTokens where answerCounts[token, default: 0] > 0 {
            answerCounts[token]! -= 1
            common += 1
        }
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(predictionTokens.count)
        let recall = Double(common) / Double(answerTokens.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// Python's `string.punctuation`: the 32 ASCII punctuation and symbol characters.
    static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
        default: false
        }
    }
}
