/// LayerNorm and softmax.
extension Graph {
    /// LayerNorm over the last axis.  x: [..., C]; weight, bias: [C]
    public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float) throws -> Tensor {
        let x = x.contiguous()
        try expectNormShapes(x, weight: weight, bias: bias)
        let (y, statistics) = normalize(x, weight: weight, bias: bias, eps: eps)
        guard needsGradient(x, weight, bias) else { return y }
        let ySlot = y.slot, xSlot = x.slot
        record(y) { [unowned self] in
            // The kernel writes dx (a new gradient buffer needs no zero-fill) or adds to it; scratch when not wanted.
            let (dx, beta) = xSlot.requiresGrad ? self.gradientForWriting(of: xSlot) : (Tensor(uninitializedShape: x.shape), 0)
            self.normalizeBackward(x, weight: weight, bias: bias, statistics: statistics, dy: self.gradient(of: ySlot),
                                   into: dx, accumulate: beta != 0)
        }
        return y
    }

    /// LayerNorm(dropout(x) + residual): a post-LN transformer's "add & norm" as one op. Forward: the dropout and the
    /// residual sum in one pass (`dropoutAdd`), then the norm; backward: the norm's gradient written once, then passed
    /// to the residual and, through the same dropout mask, to x. Dropout only while training (p may be 0).
    /// x, residual: [..., C]; weight, bias: [C]
    public func addLayerNorm(_ x: Tensor, residual: Tensor, dropout p: Float, weight: Tensor, bias: Tensor,
                             eps: Float) throws -> Tensor {
        guard p >= 0 && p < 1 else { throw GraphError.invalidArgument("dropout probability \(p) is not in [0, 1)") }
        guard x.shape == residual.shape else {
            throw TensorError.shapeMismatch(operation: "addLayerNorm residual", expected: x.shape, actual: residual.shape)
        }
        let x = x.contiguous(), residual = residual.contiguous()
        try expectNormShapes(x, weight: weight, bias: bias)
        let dropout = isTraining ? p : 0
        let sum = Tensor(uninitializedShape: x.shape)
        let (seed, counter) = dropout > 0 ? reserveRandom(x.count) : (0, 0)
        if dropout > 0 {
            dropoutAdd(sum.data, x.data, adding: residual.data, count: x.count, probability: dropout, seed: seed, counter: counter)
        } else {
            addForward(sum.data, x.data, residual.data, count: x.count)
        }
        let (y, statistics) = normalize(sum, weight: weight, bias: bias, eps: eps)
        guard needsGradient(x, residual, weight, bias) else { return y }
        let ySlot = y.slot, xSlot = x.slot, residualSlot = residual.slot, count = x.count
        record(y) { [unowned self] in
            let dsum = Tensor(uninitializedShape: sum.shape)
            self.normalizeBackward(sum, weight: weight, bias: bias, statistics: statistics, dy: self.gradient(of: ySlot),
                                   into: dsum, accumulate: false)
            if residualSlot.requiresGrad { self.accumulateGradient(of: residualSlot, dsum.data, count: count) }
            guard xSlot.requiresGrad else { return }
            guard dropout > 0 else { return self.accumulateGradient(of: xSlot, dsum.data, count: count) }
            self.accumulateDroppedGradient(of: xSlot, dsum.data, count: count, probability: dropout, seed: seed, counter: counter)
        }
        return y
    }

    private func expectNormShapes(_ x: Tensor, weight: Tensor, bias: Tensor) throws {
        let columns = x.shape.last ?? 1
        try weight.expectShape([columns], "layerNorm weight")
        try bias.expectShape([columns], "layerNorm bias")
    }

    /// The norm's output and its statistics [2, rows] (mean, rstd) for the backward pass.
    private func normalize(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float) -> (Tensor, Tensor) {
        let (rows, columns) = x.rowsAndColumns
        let y = Tensor(uninitializedShape: x.shape)
        let statistics = Tensor(uninitializedShape: [2, rows])
        layerNormForward(y.data, mean: statistics.data, rstd: statistics.data + rows, x.data, weight: weight.data,
                         bias: bias.data, rows: rows, columns: columns, eps: eps)
        return (y, statistics)
    }

    /// The norm's backward: dx (+)= …, and the weight and bias gradients when they are wanted.
    private func normalizeBackward(_ x: Tensor, weight: Tensor, bias: Tensor, statistics: Tensor, dy: Tensor,
                                   into dx: Tensor, accumulate: Bool) {
        let (rows, columns) = x.rowsAndColumns
        // The kernel writes all three gradients; a scratch target stands in for any that is not wanted.
        let dw = weight.requiresGrad ? gradient(of: weight) : Tensor(shape: [columns])
        let db = bias.requiresGrad ? gradient(of: bias) : Tensor(shape: [columns])
        layerNormBackward(dinput: dx.data, dweight: dw.data, dbias: db.data, dout: dy.data, input: x.data,
                          weight: weight.data, mean: statistics.data, rstd: statistics.data + rows, rows: rows,
                          columns: columns, accumulate: accumulate)
    }

    /// Softmax over the last axis.
    public func softmax(_ x: Tensor) -> Tensor {
        let x = x.contiguous()
        let (rows, columns) = x.rowsAndColumns
        let y = Tensor(uninitializedShape: x.shape)
        softmaxForward(y.data, x.data, rows: rows, columns: columns)
        guard needsGradient(x) else { return y }
        let xSlot = x.slot
        record(y) { [unowned self] in
            softmaxBackward(self.gradient(of: xSlot).data, self.gradient(of: y).data, y.data, rows: rows, columns: columns)
        }
        return y
    }
}
