import Foundation

/// Losses: cross-entropy with ignore index, mean squared error, binary cross-entropy with logits.
extension Graph {
    /// Mean over kept rows of −log softmax(logits)[target]; rows whose target is `ignoreIndex` are skipped
    /// (a batch with no kept row gives loss 0 and zero gradients, where PyTorch gives NaN).
    /// logits: [rows, classes]; targets: [rows] → scalar [1]
    public func crossEntropy(logits: Tensor, targets: [Int32], ignoreIndex: Int32 = -100) throws -> Tensor {
        let logits = logits.contiguous()
        let (rows, classes) = logits.rowsAndColumns
        guard targets.count == rows else {
            throw TensorError.shapeMismatch(operation: "crossEntropy targets", expected: [rows], actual: [targets.count])
        }
        for (position, target) in targets.enumerated() where target != ignoreIndex && (target < 0 || Int(target) >= classes) {
            throw GraphError.indexOutOfRange(operation: "crossEntropy target", index: Int(target), position: position, limit: classes)
        }
        let logSumExp = Tensor(uninitializedShape: [rows])
        let (sum, count) = targets.withUnsafeBufferPointer {
            crossEntropyForward(logSumExp: logSumExp.data, logits: logits.data, targets: $0.baseAddress!,
                                rows: rows, classes: classes, ignoreIndex: ignoreIndex)
        }
        let loss = Tensor(shape: [1], repeating: count == 0 ? 0 : Float(sum / Double(count)))
        guard needsGradient(logits), count > 0 else { return loss }
        record(loss) { [unowned self] in
            let scale = self.gradient(of: loss).data[0] / Float(count)
            // A first gradient is written, not added to a zero-filled one (the MLM logits' is tens of MB).
            let (dlogits, beta) = self.gradientForWriting(of: logits.slot)
            targets.withUnsafeBufferPointer {
                crossEntropyBackward(dlogits: dlogits.data, logits: logits.data, logSumExp: logSumExp.data,
                                     targets: $0.baseAddress!, rows: rows, classes: classes, ignoreIndex: ignoreIndex,
                                     scale: scale, accumulate: beta != 0)
            }
        }
        return loss
    }

    /// Mean of (prediction − target)² over all elements (HF regression loss).
    public func meanSquaredError(_ prediction: Tensor, targets: [Float]) throws -> Tensor {
        let x = prediction.contiguous()
        guard targets.count == x.count else {
            throw TensorError.shapeMismatch(operation: "meanSquaredError targets", expected: x.shape, actual: [targets.count])
        }
        var total = 0.0
        for i in 0..<x.count { total += Double(x.data[i] - targets[i]) * Double(x.data[i] - targets[i]) }
        let loss = Tensor(shape: [1], repeating: Float(total / Double(max(1, x.count))))
        guard needsGradient(x) else { return loss }
        record(loss) { [unowned self] in
            let g = 2 * self.gradient(of: loss).data[0] / Float(max(1, x.count))
            let dx = self.gradient(of: x).data
            for i in 0..<x.count { dx[i] += g * (x.data[i] - targets[i]) }
        }
        return loss
    }

    /// Mean over all elements of BCE-with-logits: max(x,0) − x·t + log(1 + e^{−|x|}) (multi-label classification).
    public func binaryCrossEntropyWithLogits(_ logits: Tensor, targets: [Float]) throws -> Tensor {
        let x = logits.contiguous()
        guard targets.count == x.count else {
            throw TensorError.shapeMismatch(operation: "binaryCrossEntropy targets", expected: x.shape, actual: [targets.count])
        }
        var total = 0.0
        for i in 0..<x.count {
            let v = Double(x.data[i]), t = Double(targets[i])
            total += max(v, 0) - v * t + log1p(exp(-abs(v)))
        }
        let loss = Tensor(shape: [1], repeating: Float(total / Double(max(1, x.count))))
        guard needsGradient(x) else { return loss }
        record(loss) { [unowned self] in
            let g = self.gradient(of: loss).data[0] / Float(max(1, x.count))
            let dx = self.gradient(of: x).data
            for i in 0..<x.count {
                let sigmoid = 1 / (1 + exp(-Double(x.data[i])))
                dx[i] += g * Float(sigmoid - Double(targets[i]))
            }
        }
        return loss
    }
}
