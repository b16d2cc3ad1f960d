import Foundation

/// One candidate answer of a question.
public struct AnswerCandidate: Sendable, Equatable {
    public var text: String
    /// Scalar range in the context.
    public var range: Range<Int>
    /// start logit + end logit.
    public var score: Float
    /// Softmax of the scores over the question's n-best list.
    public var probability: Double
}

/// HF run_qa's `postprocess_qa_predictions` for SQuAD v1.1-style data (every question has an answer): for every window
/// of a question, the `nBestSize` highest start and end logits are paired; pairs outside the context, reversed, or
/// longer than `maxAnswerLength` tokens are dropped; the rest are ranked by start + end logit across windows, and the
/// best one's context characters (token offsets start..<end) are the answer.
public enum QuestionAnsweringPostprocessing {
    /// The n-best candidates (best first) for each example; an example none of whose windows gives a valid span gets
    /// an empty list.
    /// - Parameters:
    ///   - contexts: each example's context.
    ///   - windows: per feature: its example, its context offsets (nil outside the context), and its start / end logits
    ///     (at least as many as offsets; extra padded positions are ignored).
    public static func candidates(
        contexts: [String], windows: [(exampleIndex: Int, offsets: [Range<Int>?], startLogits: [Float], endLogits: [Float])],
        nBestSize: Int, maxAnswerLength: Int
    ) -> [[AnswerCandidate]] {
        var byExample = [[(range: Range<Int>, score: Float)]](repeating: [], count: contexts.count)
        for window in windows {
            let length = window.offsets.count
            let starts = topIndices(Array(window.startLogits.prefix(length)), count: nBestSize)
            let ends = topIndices(Array(window.endLogits.prefix(length)), count: nBestSize)
            for start in starts {
                for end in ends {
                    guard let first = window.offsets[start], let last = window.offsets[end] else { continue }
                    guard end >= start, end - start + 1 <= maxAnswerLength else { continue }
                    byExample[window.exampleIndex].append((first.lowerBound..<max(first.lowerBound, last.upperBound),
                                                           window.startLogits[start] + window.endLogits[end]))
                }
            }
        }
        return byExample.enumerated().map { index, found in
            // A stable sort, best first, as Python's sorted(…, reverse=True) keeps equal scores in insertion order.
            let ranked = found.enumerated().sorted { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }
                .prefix(nBestSize).map(\.element)
            let context = Array(contexts[index].unicodeScalars)
            let top = ranked.map(\.score).max() ?? 0
            let weights = ranked.map { Foundation.exp(Double($0.score - top)) }
            let total = weights.reduce(0, +)
            return ranked.enumerated().map { rank, candidate in
                let upper = min(candidate.range.upperBound, context.count), lower = min(candidate.range.lowerBound, upper)
                var text = String.UnicodeScalarView()
                text.append(contentsOf: context[lower..<upper])
                return AnswerCandidate(text: String(text), range: lower..<upper, score: candidate.score, probability: weights[rank] / total)
            }
        }
    }

    /// Indices of the `count` largest values, largest first (ties: the larger index first, as NumPy's reversed argsort).
    static func topIndices(_ values: [Float], count: Int) -> [Int] {
        Array(values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 > $1 }.prefix(count))
    }
}
