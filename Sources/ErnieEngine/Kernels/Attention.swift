/// Fused scaled dot-product attention over packed heads, with an additive key mask and attention-probability dropout.
///
/// Layout: q, k, v and out are [batch · seq, ld] row-major, head h in columns [h·d, (h+1)·d) (as a Linear layer
/// produces them, no transposes). For each (batch, head) the kernel runs
///   S = scale · Q Kᵀ + mask   P = softmax(S)   P' = dropout(P)   out = P' V
/// with GEMMs reading the heads in place through leading dimensions, one (batch, head) pair per thread.

public struct AttentionShape: Sendable {
    public var batch: Int, sequence: Int, heads: Int, headDimension: Int
    /// Row strides of q/k/v and of out (≥ heads · headDimension).
    public var inputStride: Int, outputStride: Int

    public init(batch: Int, sequence: Int, heads: Int, headDimension: Int, inputStride: Int, outputStride: Int) {
        self.batch = batch
        self.sequence = sequence
        self.heads = heads
        self.headDimension = headDimension
        self.inputStride = inputStride
        self.outputStride = outputStride
    }

    var scale: Float { 1 / Float(headDimension).squareRoot() }
    /// Elements of one (batch, head) probability matrix.
    var squares: Int { sequence * sequence }
}

/// Forward. probs: [batch, heads, seq, seq] receives P (before dropout), for the backward pass.
/// mask: [batch, seq] additive (0 keep, large negative drop) or nil. Dropout draws index ((b·heads + h)·seq + i)·seq + j.
public func attentionForward(
    out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    mask: UnsafePointer<Float>?, shape: AttentionShape,
    dropout p: Float = 0, seed: UInt64 = 0, counter: UInt64 = 0
) {
    let s = shape.sequence, d = shape.headDimension, ld = shape.inputStride
    let pairs = shape.batch * shape.heads
    let scratch = p > 0 ? Tensor(uninitializedShape: [Threads.count, shape.squares]) : nil
    parallelChunks(pairs) { chunk, range in
        let dropped = scratch.map { $0.data + chunk * shape.squares }
        for pair in range {
            let b = pair / shape.heads, h = pair % shape.heads
            let qh = q + b * s * ld + h * d, kh = k + b * s * ld + h * d, vh = v + b * s * ld + h * d
            let scores = probs + pair * shape.squares
            gemm(transposeA: false, transposeB: true, m: s, n: s, k: d, alpha: shape.scale,
                 a: qh, lda: ld, b: kh, ldb: ld, c: scores, ldc: s)
            for i in 0..<s {
                let row = scores + i * s
                if let mask { accumulateRow(row, mask + b * s, s) }
                softmaxRowInPlace(row, s)
            }
            var weights = UnsafePointer(scores)
            if let dropped {
                dropoutForward(dropped, scores, count: shape.squares, probability: p, seed: seed,
                               counter: counter &+ UInt64(pair * shape.squares))
                weights = UnsafePointer(dropped)
            }
            gemm(transposeA: false, transposeB: false, m: s, n: d, k: s,
                 a: weights, lda: s, b: vh, ldb: ld, c: out + b * s * shape.outputStride + h * d, ldc: shape.outputStride)
        }
    }
}

/// Backward: dq, dk, dv += …; dout: [batch · seq, outputStride]; dq/dk/dv use `inputStride`.
public func attentionBackward(
    dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, probs: UnsafePointer<Float>,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    shape: AttentionShape, dropout p: Float = 0, seed: UInt64 = 0, counter: UInt64 = 0
) {
    let s = shape.sequence, d = shape.headDimension, ld = shape.inputStride, ldo = shape.outputStride
    let pairs = shape.batch * shape.heads
    let scratch = Tensor(uninitializedShape: [Threads.count, 2 * shape.squares])
    parallelChunks(pairs) { chunk, range in
        let dprobs = scratch.data + chunk * 2 * shape.squares
        let dropped = dprobs + shape.squares
        for pair in range {
            let b = pair / shape.heads, h = pair % shape.heads
            let offset = b * s * ld + h * d
            let doh = dout + b * s * ldo + h * d
            let ph = probs + pair * shape.squares
            let pairCounter = counter &+ UInt64(pair * shape.squares)
            var weights = ph
            if p > 0 {
                dropoutForward(dropped, ph, count: shape.squares, probability: p, seed: seed, counter: pairCounter)
                weights = UnsafePointer(dropped)
            }
            // dV += P'ᵀ dOut;  dP' = dOut Vᵀ
            gemm(transposeA: true, transposeB: false, m: s, n: d, k: s,
                 a: weights, lda: s, b: doh, ldb: ldo, beta: 1, c: dv + offset, ldc: ld)
            gemm(transposeA: false, transposeB: true, m: s, n: s, k: d,
                 a: doh, lda: ldo, b: v + offset, ldb: ld, c: dprobs, ldc: s)
            if p > 0 {
                // dP = dP' · keep / (1 − p): reuse `dropped` as the zeroed target of the dropout backward.
                dropped.update(repeating: 0, count: shape.squares)
                dropoutBackward(dropped, dprobs, count: shape.squares, probability: p, seed: seed, counter: pairCounter)
                dprobs.update(from: dropped, count: shape.squares)
            }
            // dS = P ⊙ (dP − rowsum(dP ⊙ P)) · scale, in place
            for i in 0..<s {
                softmaxRowBackward(dprobs + i * s, dprobs + i * s, ph + i * s, s, scale: shape.scale, accumulate: false)
            }
            // dQ += dS K;  dK += dSᵀ Q
            gemm(transposeA: false, transposeB: false, m: s, n: d, k: s,
                 a: dprobs, lda: s, b: k + offset, ldb: ld, beta: 1, c: dq + offset, ldc: ld)
            gemm(transposeA: true, transposeB: false, m: s, n: d, k: s,
                 a: dprobs, lda: s, b: q + offset, ldb: ld, beta: 1, c: dk + offset, ldc: ld)
        }
    }
}

@inline(__always)
private func accumulateRow(_ row: UnsafeMutablePointer<Float>, _ mask: UnsafePointer<Float>, _ count: Int) {
    var i = 0
    while i < count {
        let available = count - i
        storeLanes(loadLanes(row + i, available) + loadLanes(mask + i, available), row + i, available)
        i += 16
    }
}

/// Splits [0, count) into one chunk per thread and passes the chunk number (for per-thread scratch).
func parallelChunks(_ count: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
    let chunks = max(1, min(Threads.count, count))
    parallelFor(chunks) { chunkRange in
        for chunk in chunkRange { body(chunk, (count * chunk / chunks)..<(count * (chunk + 1) / chunks)) }
    }
}
