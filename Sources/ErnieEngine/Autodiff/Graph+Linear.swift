/// Linear layers and matrix products.
extension Graph {
    /// y = x·Wᵀ + b, PyTorch's `nn.Linear` layout.  x: [..., in]; weight: [out, in]; bias: [out] → [..., out]
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) throws -> Tensor {
        try linear(x, weight: weight, bias: bias, activation: nil)
    }

    /// y = f(x·Wᵀ + b): a Linear layer and its activation as one op. The bias and f run in one pass over the product
    /// (`linearEpilogueForward`), and the backward pass takes f′, the bias gradient and the bf16 rounding of the
    /// gradient in one pass (`linearEpilogueBackward`) before its two products. A bf16 graph keeps the pre-activation
    /// in bf16 (the derivative is taken at the rounded value, as autocast does; the forward value is not rounded).
    /// tanh, whose derivative reads its output, runs as `linear` then `activation`.
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, activation: Activation?) throws -> Tensor {
        if activation == .tanh { return self.activation(try linear(x, weight: weight, bias: bias), .tanh) }
        let x = x.contiguous()
        guard weight.rank == 2, let inFeatures = x.shape.last, inFeatures == weight.shape[1] else {
            throw TensorError.shapeMismatch(operation: "linear: input [..., in] against weight [out, in]",
                                            expected: [-1, weight.shape.last ?? -1], actual: x.shape)
        }
        let outFeatures = weight.shape[0]
        if let bias { try bias.expectShape([outFeatures], "linear bias") }
        let rows = x.count / max(1, inFeatures)
        let shape = LinearShape(rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
        let y = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outFeatures])
        let records = needsGradient(x, weight, bias)
        if precision == .int8 && records { throw TensorError.unsupported("int8 linear layers are for inference: no gradients") }
        // Without an activation the bias is added by the product, else by the epilogue.
        product(x, weight: weight, bias: activation == nil ? bias : nil, shape: shape, into: y, recording: records)
        // What the backward pass reads of the pre-activation: float32, or in bf16 its rounding.
        let keepsPre = records && activation != nil
        let pre = keepsPre && precision == .fp32 ? Tensor(uninitializedShape: y.shape) : nil
        let pre16 = keepsPre && precision != .fp32 ? BFloat16Buffer(count: y.count) : nil
        if let activation {
            linearEpilogueForward(y.data, bias: bias?.data, rows: rows, columns: outFeatures, activation: activation,
                                  pre: pre?.data, pre16: pre16?.pointer)
        }
        guard records else { return y }
        let precision = self.precision
        // What the backward pass reads of the input: its float32 values, or in bf16 the copy the forward GEMM made
        // (the float32 activation is then freed as soon as the forward pass is done with it).
        let xValues = precision == .fp32 && weight.requiresGrad ? x : nil
        let x16 = precision != .fp32 && weight.requiresGrad ? bfloat16Buffer(x) : nil
        let xSlot = x.slot, ySlot = y.slot, biasSlot = bias?.slot
        record(y) { [unowned self] in
            let dy = self.gradient(of: ySlot)
            let dbias = biasSlot.map { $0.requiresGrad ? self.gradient(of: $0).data : nil } ?? nil
            let needsProducts = xSlot.requiresGrad || weight.requiresGrad
            var g16: BFloat16Buffer?
            if precision == .fp32 {
                // float32 products read g itself: with an activation it overwrites dy (released after this step).
                if activation != nil || dbias != nil {
                    linearEpilogueBackward(dy: dy.data, rows: rows, columns: outFeatures, activation: activation,
                                           pre: pre?.data, pre16: nil, gradient: activation == nil ? nil : dy.data,
                                           gradient16: nil, dbias: dbias)
                }
            } else {
                // bf16 products read only g's rounding: it is written directly, g in float32 not at all.
                g16 = needsProducts ? BFloat16Buffer(count: dy.count) : nil
                linearEpilogueBackward(dy: dy.data, rows: rows, columns: outFeatures, activation: activation,
                                       pre: nil, pre16: pre16?.pointer, gradient: nil, gradient16: g16?.pointer, dbias: dbias)
            }
            guard needsProducts else { return }
            self.linearBackwardProducts(g: dy, g16: g16, x: xValues, x16: x16, xSlot: xSlot, weight: weight, shape: shape)
        }
        return y
    }

    /// y = x·Wᵀ (+ bias) in the graph's precision: float32 (inference on a shared cache: the weight packed once into
    /// the GEMM's layout), bf16 (likewise), or int8 (inference). The bias is added by the kernel, except by
    /// `dnnl_sgemm` (float32 training), whose y starts as the bias (beta 1).
    private func product(_ x: Tensor, weight: Tensor, bias: Tensor?, shape: LinearShape, into y: Tensor, recording: Bool) {
        let (m, n, k) = (shape.rows, shape.outFeatures, shape.inFeatures)
        switch precision {
        case .int8:
            linearInt8(x: x.data, m: m, k: k, weight: int8Weight(weight), bias: bias?.data, y: y.data)
        case .fp32:
            if let weightCache, !recording {
                weightCache.packedFloat32(weight).multiply(x.data, m: m, bias: bias?.data, into: y.data)
            } else {
                if let bias { broadcastRows(y.data, bias.data, rows: m, columns: n) }
                gemm(transposeA: false, transposeB: true, m: m, n: n, k: k,
                     a: x.data, lda: k, b: weight.data, ldb: k, beta: bias == nil ? 0 : 1, c: y.data, ldc: n)
            }
        case .bf16:
            if let weightCache, !recording {
                weightCache.packedBFloat16(weight).multiply(bfloat16Activation(x), m: m, bias: bias?.data, into: y.data)
            } else {
                gemmBF16(transposeA: false, transposeB: true, m: m, n: n, k: k, a: bfloat16Activation(x), lda: k,
                         b: bfloat16Weight(weight), ldb: k, bias: bias?.data, c: y.data, ldc: n)
            }
        }
    }

    /// The two products of a Linear layer's backward pass from g = d(loss)/d(x·Wᵀ + b): dx (+)= g·W and
    /// dW += gᵀ·x, in float32 (g, x) or bf16 (g16, x16).
    private func linearBackwardProducts(g: Tensor, g16: BFloat16Buffer?, x: Tensor?, x16: BFloat16Buffer?,
                                        xSlot: GradientSlot, weight: Tensor, shape: LinearShape) {
        let (m, n, k) = (shape.rows, shape.outFeatures, shape.inFeatures)
        if xSlot.requiresGrad {
            // The input's first gradient contribution is written by the GEMM, not added to a zero-filled buffer.
            let (dx, beta) = gradientForWriting(of: xSlot)
            if let g16 {
                gemmBF16(transposeA: false, transposeB: false, m: m, n: k, k: n,
                         a: g16.pointer, lda: n, b: bfloat16Weight(weight), ldb: k, beta: beta, c: dx.data, ldc: k)
            } else {
                gemm(transposeA: false, transposeB: false, m: m, n: k, k: n,
                     a: g.data, lda: n, b: weight.data, ldb: k, beta: beta, c: dx.data, ldc: k)
            }
        }
        if weight.requiresGrad {
            let dw = gradient(of: weight)
            if let g16, let x16 {
                gemmBF16(transposeA: true, transposeB: false, m: n, n: k, k: m,
                         a: g16.pointer, lda: n, b: x16.pointer, ldb: k, beta: 1, c: dw.data, ldc: k)
            } else if let x {
                gemm(transposeA: true, transposeB: false, m: n, n: k, k: m,
                     a: g.data, lda: n, b: x.data, ldb: k, beta: 1, c: dw.data, ldc: k)
            }
        }
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

/// The sizes of a Linear layer's product: x [rows, inFeatures] · Wᵀ [inFeatures, outFeatures].
private struct LinearShape {
    var rows: Int, inFeatures: Int, outFeatures: Int
}
