/// Linear layers and matrix products.
extension Graph {
    /// y = x·Wᵀ + b, PyTorch's `nn.Linear` layout.  x: [..., in]; weight: [out, in]; bias: [out] → [..., out]
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) throws -> Tensor {
        let x = x.contiguous()
        guard weight.rank == 2, let inFeatures = x.shape.last, inFeatures == weight.shape[1] else {
            throw TensorError.shapeMismatch(operation: "linear: input [..., in] against weight [out, in]",
                                            expected: [-1, weight.shape.last ?? -1], actual: x.shape)
        }
        let outFeatures = weight.shape[0]
        if let bias { try bias.expectShape([outFeatures], "linear bias") }
        let rows = x.count / max(1, inFeatures)
        let y = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outFeatures])
        if precision == .int8 {
            guard !needsGradient(x, weight, bias) else { throw TensorError.unsupported("int8 linear layers are for inference: no gradients") }
            linearInt8(x: x.data, m: rows, k: inFeatures, weight: int8Weight(weight), bias: bias?.data, y: y.data)
            return y
        }
        if let bias { broadcastRows(y.data, bias.data, rows: rows, columns: outFeatures) }
        let beta: Float = bias == nil ? 0 : 1
        switch precision {
        case .fp32:
            gemm(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                 a: x.data, lda: inFeatures, b: weight.data, ldb: inFeatures, beta: beta, c: y.data, ldc: outFeatures)
        case .bf16:
            if let weightCache, !needsGradient(x, weight, bias) {
                // Inference on shared weights: the weight packed once into the GEMM's layout.
                weightCache.packedBFloat16(weight).multiply(bfloat16Activation(x), m: rows, beta: beta, into: y.data)
            } else {
                gemmBF16(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                         a: bfloat16Activation(x), lda: inFeatures, b: bfloat16Weight(weight), ldb: inFeatures,
                         beta: beta, c: y.data, ldc: outFeatures)
            }
        case .int8:
            preconditionFailure("int8 returned above")
        }
        guard needsGradient(x, weight, bias) else { return y }
        let precision = self.precision
        // What the backward pass reads of the input: its float32 values, or in bf16 the copy the forward GEMM made
        // (the float32 activation is then freed as soon as the forward pass is done with it).
        let xValues = precision == .fp32 && weight.requiresGrad ? x : nil
        let x16 = precision != .fp32 && weight.requiresGrad ? bfloat16Buffer(x) : nil
        let xSlot = x.slot, ySlot = y.slot, biasSlot = bias?.slot
        // An int8 graph never gets here (it returns above), so int8 shares the bf16 backward cases below.
        record(y) { [unowned self] in
            let dy = self.gradient(of: ySlot)
            let dy16 = precision != .fp32 && (xSlot.requiresGrad || weight.requiresGrad) ? self.transientBFloat16(dy) : nil
            if xSlot.requiresGrad {
                // The input's first gradient contribution is written by the GEMM, not added to a zero-filled buffer.
                let (dx, beta) = self.gradientForWriting(of: xSlot)
                switch precision {
                case .fp32:
                    gemm(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
                         a: dy.data, lda: outFeatures, b: weight.data, ldb: inFeatures, beta: beta, c: dx.data, ldc: inFeatures)
                case .bf16, .int8:
                    gemmBF16(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
                             a: dy16!.pointer, lda: outFeatures, b: self.bfloat16Weight(weight), ldb: inFeatures,
                             beta: beta, c: dx.data, ldc: inFeatures)
                }
            }
            if weight.requiresGrad {
                let dw = self.gradient(of: weight)
                if let xValues {
                    gemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
                         a: dy.data, lda: outFeatures, b: xValues.data, ldb: inFeatures, beta: 1, c: dw.data, ldc: inFeatures)
                } else if let x16 {
                    gemmBF16(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
                             a: dy16!.pointer, lda: outFeatures, b: x16.pointer, ldb: inFeatures,
                             beta: 1, c: dw.data, ldc: inFeatures)
                }
            }
            if let biasSlot, biasSlot.requiresGrad {
                columnSumsBackward(self.gradient(of: biasSlot).data, dy.data, rows: rows, columns: outFeatures)
            }
        }
        return y
    }

    /// Matrix product of the last two axes, batched over a leading axis when both are rank 3.
    /// a: [m, k] or [batch, m, k] (transposeA: [.., k, m]); b: [k, n] or [batch, k, n] (transposeB: [.., n, k]).
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws -> Tensor {
        let a = a.contiguous(), b = b.contiguous()
        guard (a.rank == 2 && b.rank == 2) || (a.rank == 3 && b.rank == 3 && a.shape[0] == b.shape[0]) else {
            throw TensorError.shapeMismatch(operation: "matmul needs two rank-2 or two rank-3 tensors with one batch size",
                                            expected: a.shape, actual: b.shape)
        }
        let batch = a.rank == 3 ? a.shape[0] : 1
        let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        guard k == kb else {
            throw TensorError.shapeMismatch(operation: "matmul inner dimensions (\(k) vs \(kb))", expected: a.shape, actual: b.shape)
        }
        let y = Tensor(uninitializedShape: (a.rank == 3 ? [batch] : []) + [m, n])
        let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]
        for i in 0..<batch {
            gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                 a: a.data + i * m * k, lda: lda, b: b.data + i * k * n, ldb: ldb, c: y.data + i * m * n, ldc: n)
        }
        guard needsGradient(a, b) else { return y }
        let ySlot = y.slot
        record(y) { [unowned self] in
            let dy = self.gradient(of: ySlot)
            // Every slice of da and db is written once: a new gradient buffer is overwritten, not zero-filled first.
            let (daTensor, betaA) = a.requiresGrad ? self.gradientForWriting(of: a.slot) : (a, 1)
            let (dbTensor, betaB) = b.requiresGrad ? self.gradientForWriting(of: b.slot) : (b, 1)
            for i in 0..<batch {
                let dyi = dy.data + i * m * n, ai = a.data + i * m * k, bi = b.data + i * k * n
                if a.requiresGrad {
                    let da = daTensor.data + i * m * k
                    // op(A) = dY·op(B)ᵀ; stored A is op(A)ᵀ when transposed.
                    if transposeA {
                        gemm(transposeA: transposeB, transposeB: true, m: k, n: m, k: n,
                             a: bi, lda: ldb, b: dyi, ldb: n, beta: betaA, c: da, ldc: lda)
                    } else {
                        gemm(transposeA: false, transposeB: !transposeB, m: m, n: k, k: n,
                             a: dyi, lda: n, b: bi, ldb: ldb, beta: betaA, c: da, ldc: lda)
                    }
                }
                if b.requiresGrad {
                    let db = dbTensor.data + i * k * n
                    // op(B) = op(A)ᵀ·dY; stored B is op(B)ᵀ when transposed.
                    if transposeB {
                        gemm(transposeA: true, transposeB: transposeA, m: n, n: k, k: m,
                             a: dyi, lda: n, b: ai, ldb: lda, beta: betaB, c: db, ldc: ldb)
                    } else {
                        gemm(transposeA: !transposeA, transposeB: false, m: k, n: n, k: m,
                             a: ai, lda: lda, b: dyi, ldb: n, beta: betaB, c: db, ldc: ldb)
                    }
                }
            }
        }
        return y
    }
}
