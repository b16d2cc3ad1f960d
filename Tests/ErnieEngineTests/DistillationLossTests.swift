import Foundation
import Testing
@testable import ErnieEngine

/// The distillation losses against float64 oracles written from their definitions, and their gradients against
/// finite differences.
@Suite struct DistillationLossTests {
    /// KL(softmax(t/T) ‖ softmax(s/T)) summed per row, from log-softmaxes in double precision.
    static func naiveKL(_ s: Tensor, _ t: Tensor, temperature: Double) -> Double {
        let (rows, classes) = s.rowsAndColumns
        func logSoftmax(_ x: Tensor, _ r: Int) -> [Double] {
            let row = (0..<classes).map { Double(x[r, $0]) / temperature }
            let m = row.max()!
            let lse = m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +))
            return row.map { $0 - lse }
        }
        var total = 0.0
        for r in 0..<rows {
            let ls = logSoftmax(s, r), lt = logSoftmax(t, r)
            for c in 0..<classes { total += Foundation.exp(lt[c]) * (lt[c] - ls[c]) }
        }
        return total / Double(rows)
    }

    @Test(arguments: [1.0, 2.0, 4.5])
    func klMatchesNaive(temperature: Double) throws {
        // 1003 classes: full 16-lane blocks and a tail; wide logits so some teacher probabilities underflow.
        let student = randomTensor([7, 1003], seed: 41, low: -30, high: 30)
        let teacher = randomTensor([7, 1003], seed: 42, low: -30, high: 30)
        let loss = try Graph.inference().softTargetKLDivergence(student: student, teacher: teacher, temperature: Float(temperature)).values[0]
        let expected = Self.naiveKL(student, teacher, temperature: temperature)
        let error = abs(Double(loss) - expected) / max(1, abs(expected))
        print("softTargetKLDivergence T=\(temperature): \(loss) vs \(expected), relative error \(error)")
        // Measured ≤ 1.1e-7 (float32 rounding of the logits' sums); bar 5e-6.
        #expect(error < 5e-6)
        // Equal distributions diverge by nothing.
        let same = try Graph.inference().softTargetKLDivergence(student: teacher, teacher: teacher, temperature: Float(temperature)).values[0]
        #expect(abs(same) < 1e-5)
    }

    @Test func cosineMatchesNaive() throws {
        let student = randomTensor([5, 37], seed: 43), teacher = randomTensor([5, 37], seed: 44)
        let loss = try Graph.inference().cosineEmbeddingLoss(student: student, teacher: teacher).values[0]
        var expected = 0.0
        for r in 0..<5 {
            let a = (0..<37).map { Double(student[r, $0]) }, b = (0..<37).map { Double(teacher[r, $0]) }
            let dot = zip(a, b).map(*).reduce(0, +)
            expected += 1 - dot / ((a.map { $0 * $0 }.reduce(0, +) + 1e-12) * (b.map { $0 * $0 }.reduce(0, +) + 1e-12)).squareRoot()
        }
        expected /= 5
        print("cosineEmbeddingLoss: \(loss) vs \(expected)")
        #expect(abs(Double(loss) - expected) < 1e-6)
        let parallel = try Graph.inference().cosineEmbeddingLoss(student: teacher, teacher: Tensor(shape: teacher.shape, values: teacher.values.map { 3 * $0 })).values[0]
        #expect(abs(parallel) < 1e-6)
    }

    @Test(arguments: [1.0, 3.0])
    func klGradient(temperature: Double) throws {
        let teacher = randomTensor([4, 37], seed: 46, low: -4, high: 4)
        try GradientCheck().check("softTargetKLDivergence T=\(temperature)", inputs: [randomTensor([4, 37], seed: 45, low: -4, high: 4)]) {
            try $0.softTargetKLDivergence(student: $1[0], teacher: teacher, temperature: Float(temperature))
        }
    }

    @Test func cosineGradient() throws {
        let teacher = randomTensor([3, 11], seed: 48)
        try GradientCheck().check("cosineEmbeddingLoss", inputs: [randomTensor([3, 11], seed: 47)]) {
            try $0.cosineEmbeddingLoss(student: $1[0], teacher: teacher)
        }
    }

    @Test func shapesMustAgree() {
        #expect(throws: TensorError.self) {
            try Graph.inference().softTargetKLDivergence(student: Tensor(shape: [2, 3]), teacher: Tensor(shape: [2, 4]), temperature: 1)
        }
        #expect(throws: TensorError.self) {
            try Graph.inference().cosineEmbeddingLoss(student: Tensor(shape: [2, 3]), teacher: Tensor(shape: [3, 3]))
        }
    }
}
