// Classification metrics with scikit-learn's semantics (sklearn 1.9: accuracy_score, precision_recall_fscore_support,
// f1_score, matthews_corrcoef). Arguments are named `references` (sklearn's y_true) and `predictions` (y_pred).

/// Fraction of positions where `predictions[i] == references[i]` (sklearn `accuracy_score`); NaN for empty input.
public func accuracy<Label: Equatable>(references: [Label], predictions: [Label]) -> Double {
    precondition(references.count == predictions.count, "accuracy: \(references.count) references, \(predictions.count) predictions")
    guard !references.isEmpty else { return .nan }
    let correct = zip(references, predictions).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    return Double(correct) / Double(references.count)
}

/// How per-label scores are combined into one number.
public enum ScoreAverage: Sendable {
    /// Unweighted mean of the per-label scores.
    case macro
    /// Scores computed from true positives, predictions and references summed over labels.
    case micro
}

/// Confusion counts and scores of one label.
public struct LabelScores: Equatable, Sendable {
    public var truePositives: Int
    /// Positions predicted as the label (true positives + false positives).
    public var predicted: Int
    /// Positions whose reference is the label (sklearn's "support").
    public var support: Int
    public var precision: Double
    public var recall: Double
    public var f1: Double

    /// Scores from counts with sklearn's formulas: precision = tp / predicted, recall = tp / support,
    /// F1 = 2·tp / (support + predicted); a zero denominator gives `zeroDivision`.
    public init(truePositives: Int, predicted: Int, support: Int, zeroDivision: Double = 0) {
        self.truePositives = truePositives
        self.predicted = predicted
        self.support = support
        func ratio(_ numerator: Int, _ denominator: Int) -> Double {
            denominator == 0 ? zeroDivision : Double(numerator) / Double(denominator)
        }
        precision = ratio(truePositives, predicted)
        recall = ratio(truePositives, support)
        // sklearn ≥ 1.3 computes F from counts, not from precision and recall (they differ in the last bit and when
        // only one of precision and recall is defined).
        f1 = ratio(2 * truePositives, support + predicted)
    }
}

/// Per-label scores, in the order of `labels` (default: every label seen in either array, in first-seen order;
/// sklearn sorts them, which changes no score).
public func labelScores<Label: Hashable>(
    references: [Label], predictions: [Label], labels: [Label]? = nil, zeroDivision: Double = 0
) -> [(label: Label, scores: LabelScores)] {
    precondition(references.count == predictions.count, "labelScores: \(references.count) references, \(predictions.count) predictions")
    let labelList = labels ?? uniqueInOrder(references + predictions)
    var index: [Label: Int] = [:]
    for (i, label) in labelList.enumerated() where index[label] == nil { index[label] = i }
    var truePositives = [Int](repeating: 0, count: labelList.count)
    var predicted = truePositives, support = truePositives
    for (reference, prediction) in zip(references, predictions) {
        if let r = index[reference] { support[r] += 1 }
        if let p = index[prediction] {
            predicted[p] += 1
            if reference == prediction { truePositives[p] += 1 }
        }
    }
    return labelList.indices.map { i in
        (labelList[i], LabelScores(truePositives: truePositives[i], predicted: predicted[i], support: support[i], zeroDivision: zeroDivision))
    }
}

/// F1 averaged over labels (sklearn `f1_score(y_true, y_pred, average=…, labels=…, zero_division=…)`).
/// A label that is never predicted has precision `zeroDivision` and F1 0 (or `zeroDivision` if it is also absent from
/// the references); micro F1 over all labels equals accuracy.
public func f1Score<Label: Hashable>(
    references: [Label], predictions: [Label], average: ScoreAverage, labels: [Label]? = nil, zeroDivision: Double = 0
) -> Double {
    let perLabel = labelScores(references: references, predictions: predictions, labels: labels, zeroDivision: zeroDivision)
    switch average {
    case .macro:
        guard !perLabel.isEmpty else { return .nan }
        return perLabel.reduce(0) { $0 + $1.scores.f1 } / Double(perLabel.count)
    case .micro:
        let total = perLabel.reduce(into: (0, 0, 0)) {
            $0.0 += $1.scores.truePositives; $0.1 += $1.scores.predicted; $0.2 += $1.scores.support
        }
        return LabelScores(truePositives: total.0, predicted: total.1, support: total.2, zeroDivision: zeroDivision).f1
    }
}

/// Matthews correlation coefficient, multi-class form (sklearn `matthews_corrcoef`, Gorodkin 2004):
/// with confusion matrix C, t = row sums, p = column sums, c = trace, s = total,
/// MCC = (c·s − t·p) / √((s² − p·p)(s² − t·t)), and 0 when the denominator is 0. Computed in Double as sklearn does.
public func matthewsCorrelation<Label: Hashable>(references: [Label], predictions: [Label]) -> Double {
    precondition(references.count == predictions.count, "matthewsCorrelation: \(references.count) references, \(predictions.count) predictions")
    let labels = uniqueInOrder(references + predictions)
    var index: [Label: Int] = [:]
    for (i, label) in labels.enumerated() { index[label] = i }
    var trueSums = [Double](repeating: 0, count: labels.count), predictedSums = trueSums
    var correct = 0.0
    for (reference, prediction) in zip(references, predictions) {
        trueSums[index[reference]!] += 1
        predictedSums[index[prediction]!] += 1
        if reference == prediction { correct += 1 }
    }
    let samples = Double(references.count)
    let dotTP = zip(trueSums, predictedSums).reduce(0) { $0 + $1.0 * $1.1 }
    let covariance = correct * samples - dotTP
    let predictedVariance = samples * samples - predictedSums.reduce(0) { $0 + $1 * $1 }
    let trueVariance = samples * samples - trueSums.reduce(0) { $0 + $1 * $1 }
    let product = predictedVariance * trueVariance
    return product == 0 ? 0 : covariance / product.squareRoot()
}

/// The distinct elements of `values` in first-seen order.
func uniqueInOrder<Element: Hashable>(_ values: [Element]) -> [Element] {
    var seen = Set<Element>()
    return values.filter { seen.insert($0).inserted }
}
