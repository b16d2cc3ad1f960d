import Foundation

/// Distillation losses (DistilBERT's distiller): the student's logits against a teacher's soft targets, and the
/// cosine loss between their hidden states. The teacher's tensors are constants: only the student gets a gradient.
extension Graph {
    /// Mean over rows of KL(softmax(teacher / T) ‖ softmax(student / T)), as torch's
    /// `KLDivLoss(reduction="batchmean")(log_softmax(student / T), softmax(teacher / T))` (the caller multiplies by T²).
    /// student, teacher: [rows, classes] → scalar [1]
    public func softTargetKLDivergence(student: Tensor, teacher: Tensor, temperature: Float) throws -> Tensor {
        let student = student.contiguous(), teacher = teacher.contiguous()
        guard student.shape == teacher.shape else {
            throw TensorError.shapeMismatch(operation: "softTargetKLDivergence teacher", expected: student.shape, actual: teacher.shape)
        }
        precondition(temperature > 0, "temperature must be positive")
        let (rows, classes) = student.rowsAndColumns
        let k = 1 / temperature
        let losses = Tensor(uninitializedShape: [rows])
        let logSumExp = Tensor(uninitializedShape: [rows])
        softTargetKLForward(losses: losses.data, studentLogSumExp: logSumExp.data, student: student.data, teacher: teacher.data,
                            rows: rows, classes: classes, inverseTemperature: k)
        var sum = 0.0
        for row in 0..<rows { sum += Double(losses.data[row]) }
        let loss = Tensor(shape: [1], repeating: rows == 0 ? 0 : Float(sum / Double(rows)))
        guard needsGradient(student), rows > 0 else { return loss }
        record(loss) { [unowned self] in
            softTargetKLBackward(dstudent: self.gradient(of: student).data, student: student.data, teacher: teacher.data,
                                 studentLogSumExp: logSumExp.data, rows: rows, classes: classes, inverseTemperature: k,
                                 scale: self.gradient(of: loss).data[0] / Float(rows))
        }
        return loss
    }

    /// Mean over rows of 1 − cos(studentᵢ, teacherᵢ): torch's `CosineEmbeddingLoss` with target 1 (DistilBERT's
    /// `loss_cos` on the last hidden states of the non-padding tokens).
    /// student, teacher: [rows, hidden] → scalar [1]
    public func cosineEmbeddingLoss(student: Tensor, teacher: Tensor) throws -> Tensor {
        let student = student.contiguous(), teacher = teacher.contiguous()
        guard student.shape == teacher.shape else {
            throw TensorError.shapeMismatch(operation: "cosineEmbeddingLoss teacher", expected: student.shape, actual: teacher.shape)
        }
        let (rows, columns) = student.rowsAndColumns
        var cosines = [(cos: Double, dot: Double, aa: Double, bb: Double)](repeating: (0, 0, 0, 0), count: rows)
        var sum = 0.0
        for row in 0..<rows {
            cosines[row] = rowCosine(student.data + row * columns, teacher.data + row * columns, columns)
            sum += 1 - cosines[row].cos
        }
        let loss = Tensor(shape: [1], repeating: rows == 0 ? 0 : Float(sum / Double(rows)))
        guard needsGradient(student), rows > 0 else { return loss }
        record(loss) { [unowned self] in
            // d(1 − cos)/da = −(b / √(aa·bb) − cos · a / aa)
            let scale = Double(self.gradient(of: loss).data[0]) / Double(rows)
            let ds = self.gradient(of: student).data
            for row in 0..<rows {
                let (cos, _, aa, bb) = cosines[row]
                let norm = (aa * bb).squareRoot()
                let a = student.data + row * columns, b = teacher.data + row * columns, d = ds + row * columns
                for j in 0..<columns {
                    d[j] += Float(-scale * (Double(b[j]) / norm - cos * Double(a[j]) / aa))
                }
            }
        }
        return loss
    }
}
