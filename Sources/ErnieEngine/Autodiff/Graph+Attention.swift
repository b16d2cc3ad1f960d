/// Multi-head scaled dot-product attention (fused kernel, see `attentionForward`).
extension Graph {
    /// q, k, v: [batch · seq, heads · d] (packed heads, as Linear layers produce them);
    /// additiveMask: [batch, seq] (added to every query's scores for that key) or nil → [batch · seq, heads · d].
    /// Attention probabilities are dropped out with `dropout` while training. `relativePositions` (NEZHA): a
    /// [2K + 1, d] table whose row clamp(j − i, ±K) + K joins query i's scores against key j and its value sum
    /// (`RelativePositions`); a gradient when it requires one (MindSpore's learned table).
    public func attention(
        query q: Tensor, key k: Tensor, value v: Tensor, additiveMask: Tensor?,
        batch: Int, heads: Int, dropout p: Float = 0, relativePositions: Tensor? = nil
    ) throws -> Tensor {
        let q = q.contiguous(), k = k.contiguous(), v = v.contiguous()
        guard q.rank == 2, k.shape == q.shape, v.shape == q.shape else {
            throw TensorError.shapeMismatch(operation: "attention: query, key and value", expected: q.shape, actual: k.shape == q.shape ? v.shape : k.shape)
        }
        let (rows, width) = q.rowsAndColumns
        guard batch > 0, rows % batch == 0, heads > 0, width % heads == 0 else {
            throw GraphError.invalidArgument("attention: \(rows) rows × \(width) columns do not split into batch \(batch) × heads \(heads)")
        }
        let sequence = rows / batch
        if let additiveMask { try additiveMask.expectShape([batch, sequence], "attention mask") }
        let mask = additiveMask?.contiguous()
        let shape = AttentionShape(batch: batch, sequence: sequence, heads: heads, headDimension: width / heads,
                                   inputStride: width, outputStride: width)
        // NEZHA: [2K + 1, head dimension], no gradient (see `RelativePositions`).
        let relativeTable = relativePositions?.contiguous()
        if let relativeTable {
            guard relativeTable.rank == 2, relativeTable.shape[1] == width / heads, relativeTable.shape[0] % 2 == 1 else {
                throw TensorError.shapeMismatch(operation: "attention: relative position table [2K + 1, head dimension]",
                                                expected: [relativeTable.shape[0] | 1, width / heads], actual: relativeTable.shape)
            }
        }
        let relative = relativeTable.map { RelativePositions(table: UnsafePointer($0.data), maxDistance: $0.shape[0] / 2) }
        let dropout = isTraining ? p : 0
        let y = Tensor(uninitializedShape: [rows, width])
        let (seed, counter) = dropout > 0 ? reserveRandom(batch * heads * sequence * sequence) : (0, 0)
        // bf16 graphs run attention's products in bf16 (as autocast does; float32 scores and softmax): Q, K and V are
        // rounded once, and a backward step keeps those copies, not the float32 tensors.
        let halves = precision == .bf16 && relative == nil ? [q, k, v].map(transientBFloat16) : nil
        let operands: AttentionOperands = halves.map { .bfloat16(q: $0[0].pointer, k: $0[1].pointer, v: $0[2].pointer) }
            ?? .float32(q: q.data, k: k.data, v: v.data)
        attentionForward(out: y.data, operands, mask: mask?.data, shape: shape, dropout: dropout, seed: seed,
                         counter: counter, relative: relative)
        guard needsGradient(q, k, v) || relativeTable.map({ needsGradient($0) }) == true else { return y }
        let slots = [q.slot, k.slot, v.slot], ySlot = y.slot
        // The operands point into these: the bf16 copies, or the float32 tensors themselves.
        let float32Operands = halves == nil ? [q, k, v] : []
        record(y) { [unowned self] in
            // The kernel writes all three gradients; scratch stands in for inputs that need none.
            let gradients = slots.map { $0.requiresGrad ? self.gradient(of: $0) : Tensor(shape: $0.shape) }
            var relative = relative
            if let relativeTable, relativeTable.requiresGrad { relative?.tableGradient = self.gradient(of: relativeTable).data }
            attentionBackward(dq: gradients[0].data, dk: gradients[1].data, dv: gradients[2].data,
                              dout: self.gradient(of: ySlot).data, operands, mask: mask?.data, shape: shape,
                              dropout: dropout, seed: seed, counter: counter, relative: relative)
            withExtendedLifetime((halves, float32Operands, relativeTable)) {}
        }
        return y
    }

    /// The additive mask for `attention` from a 0/1 attention mask [batch, seq]: 0 where 1, `maskValue` where 0.
    /// HF uses the dtype's lowest finite value; the softmax turns it into an exact 0 either way.
    public static func additiveMask(from attentionMask: [Int32], batch: Int, sequence: Int,
                                    maskValue: Float = -Float.greatestFiniteMagnitude) throws -> Tensor {
        guard attentionMask.count == batch * sequence else {
            throw TensorError.shapeMismatch(operation: "attention mask", expected: [batch, sequence], actual: [attentionMask.count])
        }
        return try Tensor(shape: [batch, sequence], values: attentionMask.map { $0 == 0 ? maskValue : 0 })
    }
}
