import CShims

/// Fused scaled dot-product attention over packed heads, with an additive key mask and attention-probability dropout.
///
/// Layout: q, k, v and out are [batch · seq, ld] row-major, head h in columns [h·d, (h+1)·d) (as a Linear layer
/// produces them, no transposes). For each (batch, head) the kernel runs
///   S = scale · Q Kᵀ + mask   P = softmax(S)   P' = dropout(P)   out = P' V
/// with GEMMs reading the heads in place through leading dimensions, one (batch, head) pair per thread.
///
/// With `RelativePositions` (NEZHA) the table row r(i, j) = table[clamp(j − i, −K, K) + K] joins both products:
///   S = scale · (Q Kᵀ + [qᵢ · r(i, j)]) + mask   out = P' V + [Σⱼ P'ᵢⱼ r(i, j)]
/// computed through the 2K + 1 distinct rows: Q tableᵀ [seq, 2K+1] gathered into S, and P' summed into buckets by
/// distance [seq, 2K+1] times the table.
///
/// Nothing of size [batch, heads, seq, seq] is kept: P lives in per-thread scratch, and the backward pass computes it
/// again from Q, K and the mask (one more Q Kᵀ product, as FlashAttention's backward does) with the same code, so it
/// sees the forward's probabilities bit for bit; the dropout mask is drawn again from its counter.
///
/// bf16 (`AttentionOperands.bfloat16`, as autocast runs attention; not with relative positions): every product takes
/// bf16 operands (Q, K, V and dOut rounded once, P' and dS per head) and accumulates in float32; scores and softmax
/// stay float32.

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

    public var scale: Float { 1 / Float(headDimension).squareRoot() }
    /// Elements of one (batch, head) probability matrix.
    var squares: Int { sequence * sequence }
}

/// NEZHA's relative positions: a [2K + 1, headDimension] table shared by every head, K = `maxDistance`: a function
/// of the distance (transformers), or learned (MindSpore, `tableGradient`).
public struct RelativePositions: @unchecked Sendable {
    public var table: UnsafePointer<Float>
    public var maxDistance: Int
    /// A learned table's gradient [2K + 1, headDimension], accumulated by the backward pass (MindSpore's NEZHA); nil
    /// for a functional table.
    public var tableGradient: UnsafeMutablePointer<Float>?

    public init(table: UnsafePointer<Float>, maxDistance: Int, tableGradient: UnsafeMutablePointer<Float>? = nil) {
        self.table = table
        self.maxDistance = maxDistance
        self.tableGradient = tableGradient
    }

    var width: Int { 2 * maxDistance + 1 }

    /// The table row of query i and key j.
    @inline(__always) func bucket(_ i: Int, _ j: Int) -> Int { min(max(j - i, -maxDistance), maxDistance) + maxDistance }

    /// rows[i, ·] += scale · dots[i, bucket(i, j)] for every j.   rows: [s, s]; dots: [s, 2K+1]
    func addGathered(_ dots: UnsafePointer<Float>, to rows: UnsafeMutablePointer<Float>, sequence s: Int, scale: Float) {
        for i in 0..<s {
            for j in 0..<s { rows[i * s + j] += scale * dots[i * width + bucket(i, j)] }
        }
    }

    /// buckets[i, m] = Σ_{j: bucket(i, j) = m} weights[i, j].   weights: [s, s]; buckets: [s, 2K+1]
    func sumIntoBuckets(_ weights: UnsafePointer<Float>, _ buckets: UnsafeMutablePointer<Float>, sequence s: Int) {
        buckets.update(repeating: 0, count: s * width)
        for i in 0..<s {
            for j in 0..<s { buckets[i * width + bucket(i, j)] += weights[i * s + j] }
        }
    }
}

/// The operands of the attention kernels: Q, K and V, [batch · seq, inputStride] each, in float32 (float32 products)
/// or rounded to bfloat16 (bf16 products, the rounding autocast applies).
public enum AttentionOperands: @unchecked Sendable {
    case float32(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>)
    case bfloat16(q: UnsafePointer<UInt16>, k: UnsafePointer<UInt16>, v: UnsafePointer<UInt16>)

    var isBFloat16: Bool { if case .bfloat16 = self { true } else { false } }
}

/// Forward.  out: [batch · seq, outputStride]
/// mask: [batch, seq] additive (0 keep, large negative drop) or nil. Dropout draws index ((b·heads + h)·seq + i)·seq + j.
public func attentionForward(
    out: UnsafeMutablePointer<Float>, _ operands: AttentionOperands, mask: UnsafePointer<Float>?, shape: AttentionShape,
    dropout p: Float = 0, seed: UInt64 = 0, counter: UInt64 = 0, relative: RelativePositions? = nil
) {
    precondition(relative == nil || !operands.isBFloat16, "relative positions take float32 operands")
    let s = shape.sequence, d = shape.headDimension, ld = shape.inputStride
    let scratch = HeadScratch(shape: shape, squares: 1, relative: relative, bf16: operands.isBFloat16)
    parallelChunks(shape.batch * shape.heads) { chunk, range in
        let probs = scratch.squares(chunk), dots = scratch.relativeRows(chunk)
        for pair in range {
            let b = pair / shape.heads, h = pair % shape.heads
            let offset = b * s * ld + h * d
            let outh = out + b * s * shape.outputStride + h * d
            headProbabilities(probs, operands, offset: offset, mask: mask.map { $0 + b * s }, relative: relative,
                              dots: dots, shape: shape)
            if p > 0 {
                // P' in place: P itself is not needed again here.
                dropoutForward(probs, probs, count: shape.squares, probability: p, seed: seed,
                               counter: counter &+ UInt64(pair * shape.squares))
            }
            switch operands {
            case .bfloat16(_, _, let v):
                let p16 = scratch.square16(chunk)!
                ernie_f32_to_bf16(probs, p16, Int64(shape.squares))
                gemmBF16(transposeA: false, transposeB: false, m: s, n: d, k: s, a: p16, lda: s, b: v + offset, ldb: ld,
                         c: outh, ldc: shape.outputStride)
            case .float32(_, _, let v):
                gemm(transposeA: false, transposeB: false, m: s, n: d, k: s,
                     a: probs, lda: s, b: v + offset, ldb: ld, c: outh, ldc: shape.outputStride)
            }
            if let relative, let dots {
                // out_i += Σ_j P'_ij r(i, j)
                relative.sumIntoBuckets(probs, dots, sequence: s)
                gemm(transposeA: false, transposeB: false, m: s, n: d, k: relative.width, a: dots, lda: relative.width,
                     b: relative.table, ldb: d, beta: 1, c: outh, ldc: shape.outputStride)
            }
        }
    }
}

/// Backward: dq, dk, dv += …, from the forward's operands (P is computed again, see the type comment).
/// dout: [batch · seq, outputStride]; dq/dk/dv use `inputStride`.
public func attentionBackward(
    dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, _ operands: AttentionOperands, mask: UnsafePointer<Float>?,
    shape: AttentionShape, dropout p: Float = 0, seed: UInt64 = 0, counter: UInt64 = 0, relative: RelativePositions? = nil
) {
    precondition(relative == nil || !operands.isBFloat16, "relative positions take float32 operands")
    let s = shape.sequence, d = shape.headDimension, ld = shape.inputStride, ldo = shape.outputStride
    let scratch = HeadScratch(shape: shape, squares: 3, relative: relative, bf16: operands.isBFloat16)
    // bf16: dOut rounded once for the two products that read it.
    let dout16 = operands.isBFloat16 ? BFloat16Buffer(count: shape.batch * s * ldo) : nil
    dout16?.update(from: dout)
    // Per-thread table gradients, summed at the end (threads own disjoint pairs, not disjoint table rows).
    let tableGradients = relative?.tableGradient != nil ? Tensor(shape: [Threads.count, relative!.width * d]) : nil
    parallelChunks(shape.batch * shape.heads) { chunk, range in
        let probs = scratch.squares(chunk), dropped = probs + shape.squares, dprobs = dropped + shape.squares
        let buckets = scratch.relativeRows(chunk), square16 = scratch.square16(chunk)
        let dtable = tableGradients.map { $0.data + chunk * relative!.width * d }
        for pair in range {
            let b = pair / shape.heads, h = pair % shape.heads
            let offset = b * s * ld + h * d, outputOffset = b * s * ldo + h * d
            let doh = dout + outputOffset
            let pairCounter = counter &+ UInt64(pair * shape.squares)
            headProbabilities(probs, operands, offset: offset, mask: mask.map { $0 + b * s }, relative: relative,
                              dots: buckets, shape: shape)
            var weights = UnsafePointer(probs)
            if p > 0 {
                dropoutForward(dropped, probs, count: shape.squares, probability: p, seed: seed, counter: pairCounter)
                weights = UnsafePointer(dropped)
            }
            // dV += P'ᵀ dOut;  dP' = dOut Vᵀ
            switch operands {
            case .bfloat16(_, _, let v):
                let do16 = dout16!.pointer + outputOffset
                ernie_f32_to_bf16(weights, square16!, Int64(shape.squares))
                gemmBF16(transposeA: true, transposeB: false, m: s, n: d, k: s,
                         a: square16!, lda: s, b: do16, ldb: ldo, beta: 1, c: dv + offset, ldc: ld)
                gemmBF16(transposeA: false, transposeB: true, m: s, n: s, k: d,
                         a: do16, lda: ldo, b: v + offset, ldb: ld, c: dprobs, ldc: s)
            case .float32(_, _, let v):
                gemm(transposeA: true, transposeB: false, m: s, n: d, k: s,
                     a: weights, lda: s, b: doh, ldb: ldo, beta: 1, c: dv + offset, ldc: ld)
                if let relative, let buckets, let dtable {
                    // dTable[m] += Σ_{i,j: bucket m} P'_ij dOut_i
                    relative.sumIntoBuckets(weights, buckets, sequence: s)
                    gemm(transposeA: true, transposeB: false, m: relative.width, n: d, k: s,
                         a: buckets, lda: relative.width, b: doh, ldb: ldo, beta: 1, c: dtable, ldc: d)
                }
                gemm(transposeA: false, transposeB: true, m: s, n: s, k: d,
                     a: doh, lda: ldo, b: v + offset, ldb: ld, c: dprobs, ldc: s)
            }
            if let relative, let buckets {
                // dP'_ij += dOut_i · r(i, j)
                gemm(transposeA: false, transposeB: true, m: s, n: relative.width, k: d,
                     a: doh, lda: ldo, b: relative.table, ldb: d, c: buckets, ldc: relative.width)
                relative.addGathered(buckets, to: dprobs, sequence: s, scale: 1)
            }
            if p > 0 {
                // dP = dP' · keep / (1 − p): the forward mask applied to dP' in place.
                dropoutForward(dprobs, dprobs, count: shape.squares, probability: p, seed: seed, counter: pairCounter)
            }
            // dS = P ⊙ (dP − rowsum(dP ⊙ P)) · scale, in place
            for i in 0..<s {
                softmaxRowBackward(dprobs + i * s, dprobs + i * s, probs + i * s, s, scale: shape.scale, accumulate: false)
            }
            // dQ += dS K;  dK += dSᵀ Q
            switch operands {
            case .bfloat16(let q, let k, _):
                ernie_f32_to_bf16(dprobs, square16!, Int64(shape.squares))
                gemmBF16(transposeA: false, transposeB: false, m: s, n: d, k: s,
                         a: square16!, lda: s, b: k + offset, ldb: ld, beta: 1, c: dq + offset, ldc: ld)
                gemmBF16(transposeA: true, transposeB: false, m: s, n: d, k: s,
                         a: square16!, lda: s, b: q + offset, ldb: ld, beta: 1, c: dk + offset, ldc: ld)
            case .float32(let q, let k, _):
                gemm(transposeA: false, transposeB: false, m: s, n: d, k: s,
                     a: dprobs, lda: s, b: k + offset, ldb: ld, beta: 1, c: dq + offset, ldc: ld)
                gemm(transposeA: true, transposeB: false, m: s, n: d, k: s,
                     a: dprobs, lda: s, b: q + offset, ldb: ld, beta: 1, c: dk + offset, ldc: ld)
                if let relative, let buckets {
                    // dQ_i += Σ_j dS_ij r(i, j)
                    relative.sumIntoBuckets(dprobs, buckets, sequence: s)
                    gemm(transposeA: false, transposeB: false, m: s, n: d, k: relative.width, a: buckets, lda: relative.width,
                         b: relative.table, ldb: d, beta: 1, c: dq + offset, ldc: ld)
                    if let dtable {
                        // dTable[m] += Σ_{i,j: bucket m} dS_ij q_i
                        gemm(transposeA: true, transposeB: false, m: relative.width, n: d, k: s,
                             a: buckets, lda: relative.width, b: q + offset, ldb: ld, beta: 1, c: dtable, ldc: d)
                    }
                }
            }
        }
    }
    if let tableGradients, let target = relative?.tableGradient {
        let count = relative!.width * d
        for thread in 0..<Threads.count { accumulate(target, tableGradients.data + thread * count, count: count) }
    }
}

/// One (batch, head)'s P = softmax(scale · Q Kᵀ [+ relative] + mask) → probs [s, s]. The forward pass and the backward's
/// recomputation both run this, so they get the same bits. offset: the head's first element in Q and K; mask: the
/// batch row's [s]; dots: [s, 2K + 1] scratch with `relative`.
@inline(__always)
private func headProbabilities(
    _ probs: UnsafeMutablePointer<Float>, _ operands: AttentionOperands, offset: Int, mask: UnsafePointer<Float>?,
    relative: RelativePositions?, dots: UnsafeMutablePointer<Float>?, shape: AttentionShape
) {
    let s = shape.sequence, d = shape.headDimension, ld = shape.inputStride
    switch operands {
    case .bfloat16(let q, let k, _):
        gemmBF16(transposeA: false, transposeB: true, m: s, n: s, k: d, alpha: shape.scale,
                 a: q + offset, lda: ld, b: k + offset, ldb: ld, c: probs, ldc: s)
    case .float32(let q, let k, _):
        gemm(transposeA: false, transposeB: true, m: s, n: s, k: d, alpha: shape.scale,
             a: q + offset, lda: ld, b: k + offset, ldb: ld, c: probs, ldc: s)
        if let relative, let dots {
            // S += scale · q_i · r(i, j)
            gemm(transposeA: false, transposeB: true, m: s, n: relative.width, k: d,
                 a: q + offset, lda: ld, b: relative.table, ldb: d, c: dots, ldc: relative.width)
            relative.addGathered(dots, to: probs, sequence: s, scale: shape.scale)
        }
    }
    for i in 0..<s {
        let row = probs + i * s
        if let mask { accumulateRow(row, mask, s) }
        softmaxRowInPlace(row, s)
    }
}

/// Per-thread scratch of the attention kernels: `squares` [seq, seq] float32 matrices, a [seq, 2K + 1] block with
/// relative positions, and for bf16 products one [seq, seq] matrix in bf16 (P', then dS).
private struct HeadScratch {
    let floats: Tensor
    let relativeFloats: Tensor?
    let bfloat16: BFloat16Buffer?
    let floatsPerThread: Int, relativePerThread: Int, squares16PerThread: Int

    init(shape: AttentionShape, squares: Int, relative: RelativePositions?, bf16: Bool) {
        let threads = Threads.count
        floatsPerThread = squares * shape.squares
        relativePerThread = relative.map { shape.sequence * $0.width } ?? 0
        squares16PerThread = bf16 ? shape.squares : 0
        floats = Tensor(uninitializedShape: [threads, floatsPerThread])
        relativeFloats = relative == nil ? nil : Tensor(uninitializedShape: [threads, relativePerThread])
        bfloat16 = bf16 ? BFloat16Buffer(count: threads * squares16PerThread) : nil
    }

    func squares(_ chunk: Int) -> UnsafeMutablePointer<Float> { floats.data + chunk * floatsPerThread }
    func relativeRows(_ chunk: Int) -> UnsafeMutablePointer<Float>? { relativeFloats.map { $0.data + chunk * relativePerThread } }
    func square16(_ chunk: Int) -> UnsafeMutablePointer<UInt16>? { bfloat16.map { $0.pointer + chunk * squares16PerThread } }
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

