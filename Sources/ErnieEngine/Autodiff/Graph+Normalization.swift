/// LayerNorm and softmax.
extension Graph {
    /// LayerNorm over the last axis.  x: [..., C]; weight, bias: [C]
    public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float) throws -> Tensor {
        let x = x.contiguous()
        let (rows, columns) = x.rowsAndColumns
        try weight.expectShape([columns], "layerNorm weight")
        try bias.expectShape([columns], "layerNorm bias")
        let y = Tensor(uninitializedShape: x.shape)
        let statistics = Tensor(uninitializedShape: [2, rows])  // mean, rstd
        let mean = statistics.data, rstd = statistics.data + rows
        layerNormForward(y.data, mean: mean, rstd: rstd, x.data, weight: weight.data, bias: bias.data,
                         rows: rows, columns: columns, eps: eps)
        guard needsGradient(x, weight, bias) else { return y }
        let ySlot = y.slot
        record(y) { [unowned self] in
            // The kernel writes all three gradients; a scratch target stands in for any that is not wanted.
            let dx = x.requiresGrad ? self.gradient(of: x) : Tensor(uninitializedShape: x.shape)
            let dw = weight.requiresGrad ? self.gradient(of: weight) : Tensor(shape: [columns])
            let db = bias.requiresGrad ? self.gradient(of: bias) : Tensor(shape: [columns])
            if !x.requiresGrad { dx.fill(0) }
            _ = statistics
            layerNormBackward(dinput: dx.data, dweight: dw.data, dbias: db.data, dout: self.gradient(of: ySlot).data,
                              input: x.data, weight: weight.data, mean: mean, rstd: rstd, rows: rows, columns: columns)
        }
        return y
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
