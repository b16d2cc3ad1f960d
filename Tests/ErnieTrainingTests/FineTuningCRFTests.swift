import ErnieEngine
import Foundation
import Testing
@testable import ErnieTraining

/// The CRF op against brute force (log Z and Viterbi by enumerating every tag sequence) and its hand-written backward
/// against central finite differences.
@Suite struct FineTuningCRFTests {
    static func tensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var random = RandomGenerator(seed: seed)
        let t = Tensor(shape: shape)
        random.fillUniform(t, low: -scale, high: scale)
        t.requiresGrad = true
        return t
    }

    /// Every tag sequence of `length` over `tags` tags.
    static func allSequences(length: Int, tags: Int) -> [[Int]] {
        (0..<Int(pow(Double(tags), Double(length)))).map { code in
            var code = code
            return (0..<length).map { _ in defer { code /= tags }; return code % tags }
        }
    }

    static func score(_ y: [Int], e: [Float], offset: Int, tags: Int, transitions: [Float], start: [Float], end: [Float]) -> Double {
        var total = Double(start[y[0]] + end[y[y.count - 1]])
        for t in y.indices {
            total += Double(e[(offset + t) * tags + y[t]])
            if t > 0 { total += Double(transitions[y[t - 1] * tags + y[t]]) }
        }
        return total
    }

    @Test func lossAndViterbiMatchBruteForce() throws {
        let tags = 3, lengths = [4, 1, 3]
        let rows = lengths.reduce(0, +)
        let emissions = Self.tensor([rows, tags], seed: 1, scale: 2), transitions = Self.tensor([tags, tags], seed: 2)
        let start = Self.tensor([tags], seed: 3), end = Self.tensor([tags], seed: 4)
        let gold: [Int32] = [0, 2, 1, 1, 2, 0, 0, 1]
        let loss = try Graph.inference().crfNegativeLogLikelihood(emissions: emissions, transitions: transitions, start: start, end: end,
                                                                  lengths: lengths, tags: gold)
        let decoded = crfViterbiDecode(emissions: emissions, transitions: transitions, start: start, end: end, lengths: lengths)
        var expected = 0.0, offset = 0
        for (index, length) in lengths.enumerated() {
            let scores = Self.allSequences(length: length, tags: tags).map {
                ($0, Self.score($0, e: emissions.values, offset: offset, tags: tags, transitions: transitions.values, start: start.values, end: end.values))
            }
            let top = scores.map(\.1).max()!
            let logZ = top + log(scores.reduce(0) { $0 + exp($1.1 - top) })
            expected += logZ - Self.score(gold[offset..<(offset + length)].map { Int($0) }, e: emissions.values, offset: offset, tags: tags,
                                          transitions: transitions.values, start: start.values, end: end.values)
            #expect(decoded[index] == scores.max { $0.1 < $1.1 }!.0)
            offset += length
        }
        expected /= Double(lengths.count)
        print("CRF loss \(loss.values[0]) vs brute force \(expected): \(abs(Double(loss.values[0]) - expected))")
        // Measured: 2.1e-7 (the float32 loss against float64); bar 5e-6.
        #expect(abs(Double(loss.values[0]) - expected) < 5e-6)
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let tags = 4, lengths = [5, 2, 0, 3]
        let rows = lengths.reduce(0, +)
        let inputs = [Self.tensor([rows, tags], seed: 11, scale: 1.5), Self.tensor([tags, tags], seed: 12), Self.tensor([tags], seed: 13),
                      Self.tensor([tags], seed: 14)]
        let gold: [Int32] = [1, 3, 0, 0, 2, 3, 1, 2, 2, 0]
        func loss(_ graph: Graph) throws -> Tensor {
            try graph.crfNegativeLogLikelihood(emissions: inputs[0], transitions: inputs[1], start: inputs[2], end: inputs[3],
                                               lengths: lengths, tags: gold)
        }
        let graph = Graph(training: true)
        let value = try loss(graph)
        graph.backward(from: value, seed: 1)
        var worst = 0.0
        let h: Float = 1e-2
        for input in inputs {
            let analytic = input.grad!.values
            for i in 0..<input.count {
                let saved = input.data[i]
                input.data[i] = saved + h
                let plus = Double(try loss(Graph.inference()).values[0])
                input.data[i] = saved - h
                let minus = Double(try loss(Graph.inference()).values[0])
                input.data[i] = saved
                let numeric = (plus - minus) / Double(2 * h)
                worst = max(worst, abs(numeric - Double(analytic[i])))
            }
        }
        print("CRF gradient: worst |finite difference − analytic| = \(worst)")
        // Measured: 2.2e-5 (float32 rounding in the central differences, h = 1e-2); bar 5e-4.
        #expect(worst < 5e-4)
    }

    @Test func rejectsTagsOutsideTheLabelSet() {
        let emissions = Self.tensor([2, 3], seed: 1), transitions = Self.tensor([3, 3], seed: 2)
        #expect(throws: GraphError.self) {
            try Graph(training: true).crfNegativeLogLikelihood(emissions: emissions, transitions: transitions, start: Self.tensor([3], seed: 3),
                                                               end: Self.tensor([3], seed: 4), lengths: [2], tags: [0, 3])
        }
    }
}
