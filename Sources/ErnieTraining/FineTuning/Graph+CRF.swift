import ErnieEngine
import Foundation

/// A linear-chain conditional random field over per-token tag scores (Lafferty et al. 2001), with start and end
/// scores as torchcrf / PaddleNLP's `LinearChainCrf(with_start_stop_tag)`:
///   score(y) = start[y₀] + Σₜ e[t, yₜ] + Σₜ trans[yₜ₋₁, yₜ] + end[yₙ₋₁],   −log p(y) = log Z − score(y).
/// Sums are computed in double precision.
extension Graph {
    /// Mean over sequences of −log p(tags): the forward algorithm for log Z; the backward pass uses forward–backward
    /// marginals (d log Z / d e[t, j] = p(yₜ = j), d log Z / d trans[i, j] = Σₜ p(yₜ = i, yₜ₊₁ = j)).
    /// - Parameters:
    ///   - emissions: [tokens, tags], the sequences one after another (Σ lengths rows).
    ///   - transitions: [tags, tags], from row tag to column tag; start, end: [tags].
    ///   - lengths: tokens per sequence (zero-length sequences are ignored).
    ///   - tags: the gold tag of every row, in [0, tags).
    /// - Returns: a scalar [1] (0 when every sequence is empty).
    public func crfNegativeLogLikelihood(emissions: Tensor, transitions: Tensor, start: Tensor, end: Tensor,
                                         lengths: [Int], tags: [Int32]) throws -> Tensor {
        let emissions = emissions.contiguous()
        let (rows, count) = emissions.rowsAndColumns
        try transitions.expectShape([count, count], "crf transitions")
        try start.expectShape([count], "crf start scores")
        try end.expectShape([count], "crf end scores")
        guard lengths.allSatisfy({ $0 >= 0 }), lengths.reduce(0, +) == rows, tags.count == rows else {
            throw GraphError.invalidArgument("crf: \(rows) emission rows, lengths summing to \(lengths.reduce(0, +)), \(tags.count) tags")
        }
        for (position, tag) in tags.enumerated() where tag < 0 || Int(tag) >= count {
            throw GraphError.indexOutOfRange(operation: "crf tag", index: Int(tag), position: position, limit: count)
        }
        let chain = CRFChain(transitions: transitions.contiguous(), start: start.contiguous(), end: end.contiguous(), tags: count)
        let sequences = lengths.filter { $0 > 0 }.count
        var total = 0.0
        var first = 0
        for length in lengths {
            if length > 0 {
                let (logZ, _) = chain.forward(emissions.data + first * count, length: length)
                total += logZ - chain.score(emissions.data + first * count, tags: Array(tags[first..<(first + length)]))
            }
            first += length
        }
        let loss = Tensor(shape: [1], repeating: sequences == 0 ? 0 : Float(total / Double(sequences)))
        guard sequences > 0, needsBackward([emissions, transitions, start, end]) else { return loss }
        recordBackward(of: loss) { outputGradient, gradientOf in
            let scale = Double(outputGradient.data[0]) / Double(sequences)
            var dTransitions = [Double](repeating: 0, count: count * count)
            var dStart = [Double](repeating: 0, count: count), dEnd = dStart
            let dEmissions = emissions.requiresGrad ? gradientOf(emissions).data : nil
            var first = 0
            for length in lengths {
                if length > 0 {
                    chain.accumulateGradient(emissions.data + first * count, length: length, tags: Array(tags[first..<(first + length)]),
                                             scale: scale, dEmissions: dEmissions.map { $0 + first * count },
                                             dTransitions: &dTransitions, dStart: &dStart, dEnd: &dEnd)
                }
                first += length
            }
            for (tensor, values) in [(transitions, dTransitions), (start, dStart), (end, dEnd)] where tensor.requiresGrad {
                let g = gradientOf(tensor).data
                for i in values.indices { g[i] += Float(values[i]) }
            }
        }
        return loss
    }
}

/// The CRF's scores in double precision, and the per-sequence algorithms.
struct CRFChain {
    let tags: Int
    let transitions: [Double]
    let start: [Double]
    let end: [Double]

    init(transitions: Tensor, start: Tensor, end: Tensor, tags: Int) {
        self.tags = tags
        self.transitions = (0..<(tags * tags)).map { Double(transitions.data[$0]) }
        self.start = (0..<tags).map { Double(start.data[$0]) }
        self.end = (0..<tags).map { Double(end.data[$0]) }
    }

    static func logSumExp(_ values: [Double]) -> Double {
        let top = values.max() ?? -.infinity
        guard top.isFinite else { return top }
        return top + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - top) })
    }

    /// α (length × tags, log space) and log Z.
    func forward(_ e: UnsafePointer<Float>, length: Int) -> (logZ: Double, alpha: [Double]) {
        var alpha = [Double](repeating: 0, count: length * tags)
        for j in 0..<tags { alpha[j] = start[j] + Double(e[j]) }
        var terms = [Double](repeating: 0, count: tags)
        for t in 1..<max(1, length) {
            for j in 0..<tags {
                for i in 0..<tags { terms[i] = alpha[(t - 1) * tags + i] + transitions[i * tags + j] }
                alpha[t * tags + j] = Self.logSumExp(terms) + Double(e[t * tags + j])
            }
        }
        let last = (0..<tags).map { alpha[(length - 1) * tags + $0] + end[$0] }
        return (Self.logSumExp(last), alpha)
    }

    /// β (length × tags, log space): the log-sum of the scores of every continuation after position t.
    func backward(_ e: UnsafePointer<Float>, length: Int) -> [Double] {
        var beta = [Double](repeating: 0, count: length * tags)
        for i in 0..<tags { beta[(length - 1) * tags + i] = end[i] }
        var terms = [Double](repeating: 0, count: tags)
        for t in stride(from: length - 2, through: 0, by: -1) {
            for i in 0..<tags {
                for j in 0..<tags { terms[j] = transitions[i * tags + j] + Double(e[(t + 1) * tags + j]) + beta[(t + 1) * tags + j] }
                beta[t * tags + i] = Self.logSumExp(terms)
            }
        }
        return beta
    }

    /// score(y) of one tag sequence.
    func score(_ e: UnsafePointer<Float>, tags y: [Int32]) -> Double {
        var total = start[Int(y[0])] + end[Int(y[y.count - 1])]
        for t in y.indices {
            total += Double(e[t * tags + Int(y[t])])
            if t > 0 { total += transitions[Int(y[t - 1]) * tags + Int(y[t])] }
        }
        return total
    }

    /// Adds scale · d(log Z − score(y))/d(·) for one sequence.
    func accumulateGradient(_ e: UnsafePointer<Float>, length: Int, tags y: [Int32], scale: Double,
                            dEmissions: UnsafeMutablePointer<Float>?, dTransitions: inout [Double],
                            dStart: inout [Double], dEnd: inout [Double]) {
        let (logZ, alpha) = forward(e, length: length)
        let beta = backward(e, length: length)
        for t in 0..<length {
            for j in 0..<tags {
                let marginal = Foundation.exp(alpha[t * tags + j] + beta[t * tags + j] - logZ)
                dEmissions?[t * tags + j] += Float(scale * marginal)
                if t == 0 { dStart[j] += scale * marginal }
                if t == length - 1 { dEnd[j] += scale * marginal }
                if t > 0 {
                    for i in 0..<tags {
                        let pair = alpha[(t - 1) * tags + i] + transitions[i * tags + j] + Double(e[t * tags + j]) + beta[t * tags + j]
                        dTransitions[i * tags + j] += scale * Foundation.exp(pair - logZ)
                    }
                }
            }
        }
        dStart[Int(y[0])] -= scale
        dEnd[Int(y[length - 1])] -= scale
        for t in 0..<length {
            dEmissions?[t * tags + Int(y[t])] -= Float(scale)
            if t > 0 { dTransitions[Int(y[t - 1]) * tags + Int(y[t])] -= scale }
        }
    }

    /// The highest-scoring tag sequence (Viterbi).
    func viterbi(_ e: UnsafePointer<Float>, length: Int) -> [Int] {
        guard length > 0 else { return [] }
        var best = (0..<tags).map { start[$0] + Double(e[$0]) }
        var pointers = [Int](repeating: 0, count: length * tags)
        var next = best
        for t in 1..<length {
            for j in 0..<tags {
                var top = -Double.infinity, argument = 0
                for i in 0..<tags where best[i] + transitions[i * tags + j] > top {
                    top = best[i] + transitions[i * tags + j]
                    argument = i
                }
                next[j] = top + Double(e[t * tags + j])
                pointers[t * tags + j] = argument
            }
            best = next
        }
        var tag = (0..<tags).max { best[$0] + end[$0] < best[$1] + end[$1] }!
        var path = [Int](repeating: 0, count: length)
        for t in stride(from: length - 1, through: 0, by: -1) {
            path[t] = tag
            tag = pointers[t * tags + tag]
        }
        return path
    }
}

/// Viterbi decoding of every sequence. emissions: [Σ lengths, tags]; transitions [tags, tags]; start, end: [tags].
public func crfViterbiDecode(emissions: Tensor, transitions: Tensor, start: Tensor, end: Tensor, lengths: [Int]) -> [[Int]] {
    let emissions = emissions.contiguous()
    let count = emissions.rowsAndColumns.columns
    let chain = CRFChain(transitions: transitions.contiguous(), start: start.contiguous(), end: end.contiguous(), tags: count)
    var first = 0
    return lengths.map { length in
        defer { first += length }
        return chain.viterbi(emissions.data + first * count, length: length)
    }
}
