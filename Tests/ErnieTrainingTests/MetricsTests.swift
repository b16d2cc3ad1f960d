import Foundation
import Testing
@testable import ErnieTraining

@Suite struct MetricsTests {
    let goldens: MetricsGoldens

    init() throws { goldens = try MetricsGoldens.load() }

    /// accuracy_score, f1_score(average=macro|micro, zero_division=0), matthews_corrcoef from scikit-learn.
    @Test func classificationMatchesScikitLearn() {
        #expect(goldens.classification.count >= 20)
        for (i, c) in goldens.classification.enumerated() {
            #expect(close(accuracy(references: c.references, predictions: c.predictions), c.accuracy), "case \(i)")
            let macro = f1Score(references: c.references, predictions: c.predictions, average: .macro, labels: c.labels)
            let micro = f1Score(references: c.references, predictions: c.predictions, average: .micro, labels: c.labels)
            #expect(close(macro, c.f1_macro), "case \(i): macro F1 \(macro) vs \(String(describing: c.f1_macro))")
            #expect(close(micro, c.f1_micro), "case \(i): micro F1 \(micro) vs \(String(describing: c.f1_micro))")
            if c.labels == nil {
                let mcc = matthewsCorrelation(references: c.references, predictions: c.predictions)
                #expect(close(mcc, c.matthews), "case \(i): MCC \(mcc) vs \(String(describing: c.matthews))")
            }
        }
    }

    @Test func absentLabelsScoreZero() {
        // "b" and "c" are never predicted: precision falls back to 0 (zero_division=0), so their F1 is 0.
        let scores = labelScores(references: ["a", "b", "c", "a"], predictions: ["a", "a", "a", "a"])
        #expect(scores.map(\.label) == ["a", "b", "c"])
        #expect(scores[1].scores == LabelScores(truePositives: 0, predicted: 0, support: 1))
        #expect(scores[1].scores.precision == 0 && scores[1].scores.f1 == 0)
        #expect(abs(f1Score(references: ["a", "b", "c", "a"], predictions: ["a", "a", "a", "a"], average: .macro) - 2.0 / 9) < 1e-15)
    }

    /// scipy.stats.pearsonr / spearmanr / rankdata.
    @Test func correlationsMatchSciPy() {
        for (i, c) in goldens.correlation.enumerated() {
            #expect(close(pearsonCorrelation(c.x, c.y), c.pearson), "case \(i): pearson \(pearsonCorrelation(c.x, c.y))")
            #expect(close(spearmanCorrelation(c.x, c.y), c.spearman), "case \(i): spearman \(spearmanCorrelation(c.x, c.y))")
            #expect(averageRanks(c.x) == c.ranks_x, "case \(i)")
        }
    }

    /// seqeval get_entities and classification_report (default mode) on BIO and BIOES sequences.
    @Test func entitiesMatchSeqeval() {
        for (i, c) in goldens.entities.enumerated() {
            let expectedEntities = c.reference_entities.map {
                EntitySpan(type: $0[0].string!, start: $0[1].int!, end: $0[2].int!)
            }
            let flat = c.references.flatMap { $0 + ["O"] }
            #expect(extractEntities(flat) == expectedEntities, "case \(i)")
            let scores = EntityScores(references: c.references, predictions: c.predictions)
            #expect(scores.perType.map(\.type) == c.per_type.keys.sorted(), "case \(i)")
            for (type, s) in scores.perType {
                let expected = c.per_type[type]!
                #expect(close(s.precision, expected[0]) && close(s.recall, expected[1]) && close(s.f1, expected[2]),
                        "case \(i) \(type): \(s) vs \(expected)")
                #expect(Double(s.support) == expected[3], "case \(i) \(type)")
            }
            #expect(close(scores.micro.precision, c.micro[0]) && close(scores.micro.recall, c.micro[1]), "case \(i)")
            #expect(close(scores.micro.f1, c.micro[2]) && Double(scores.micro.support) == c.micro[3], "case \(i)")
            #expect(close(scores.macroF1, c.macro_f1), "case \(i)")
        }
    }

    @Test func entityRulesOnHandWrittenTags() {
        // I- without B- starts an entity; a type change splits; E and S close entities.
        #expect(extractEntities(["O", "I-PER", "I-PER", "O"]) == [EntitySpan(type: "PER", start: 1, end: 2)])
        #expect(extractEntities(["B-PER", "I-LOC"]) == [EntitySpan(type: "PER", start: 0, end: 0), EntitySpan(type: "LOC", start: 1, end: 1)])
        #expect(extractEntities(["S-ORG", "B-LOC", "E-LOC", "E-LOC"]) == [
            EntitySpan(type: "ORG", start: 0, end: 0), EntitySpan(type: "LOC", start: 1, end: 2), EntitySpan(type: "LOC", start: 3, end: 3),
        ])
        #expect(extractEntities(["B", "I", "O"]) == [EntitySpan(type: "_", start: 0, end: 1)])
    }
}
