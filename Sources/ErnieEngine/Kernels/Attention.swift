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

/// Forward. probs: [batch, heads, seq, seq] receives P (before dropout), for the backward pass.
/// mask: [batch, seq] additive (0 keep, large negative drop) or nil. Dropout draws index ((b·heads + h)·seq + i)·seq + j.
public func attentionForward(
    out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    mask: UnsafePointer<Float>?, shape: AttentionShape,
    dropout p: Float = 0, seed: UInt64 = 0, counter: UInt64 = 0, relative: RelativePositions? = nil, bf16: Bool = false
) {
    let s = shape.sequence, d = shape.headDimension, ld = shape.inputStride
    let pairs = shape.batch * shape.heads
    let scratch = p > 0 ? Tensor(uninitializedShape: [Threads.count, shape.squares]) : nil
    let relativeScratch = relative.map { Tensor(uninitializedShape: [Threads.count, s * $0.width]) }
    // bf16 products (as autocast runs them; not with relative positions): per-thread bf16 copies of the head's Q, K, V
    // and of P'.
    let halves = bf16 && relative == nil ? BFloat16Buffer(count: Threads.count * (3 * s * d + shape.squares)) : nil
    parallelChunks(pairs) { chunk, range in
        let dropped = scratch.map { $0.data + chunk * shape.squares }
        let q16 = halves.map { $0.pointer + chunk * (3 * s * d + shape.squares) }
        for pair in range {
            let b = pair / shape.heads, h = pair % shape.heads
            let qh = q + b * s * ld + h * d, kh = k + b * s * ld + h * d, vh = v + b * s * ld + h * d
            let scores = probs + pair * shape.squares
            if let q16 {
                roundHeads([qh, kh, vh], rows: s, width: d, stride: ld, into: q16)
                gemmBF16(transposeA: false, transposeB: true, m: s, n: s, k: d, alpha: shape.scale,
                         a: q16, lda: d, b: q16 + s * d, ldb: d, c: scores, ldc: s)
            } else {
                gemm(transposeA: false, transposeB: true, m: s, n: s, k: d, alpha: shape.scale,
                     a: qh, lda: ld, b: kh, ldb: ld, c: scores, ldc: s)
            }
            if let relative, let dots = relativeScratch.map({ $0.data + chunk * s * relative.width }) {
                // S += scale · q_i · r(i, j)
                gemm(transposeA: false, transposeB: true, m: s, n: relative.width, k: d,
                     a: qh, lda: ld, b: relative.table, ldb: d, c: dots, ldc: relative.width)
                relative.addGathered(dots, to: scores, sequence: s, scale: shape.scale)
            }
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
            if let q16 {
                let p16 = q16 + 3 * s * d
                ernie_f32_to_bf16(weights, p16, Int64(shape.squares))
                gemmBF16(transposeA: false, transposeB: false, m: s, n: d, k: s, a: p16, lda: s, b: q16 + 2 * s * d, ldb: d,
                         c: out + b * s * shape.outputStride + h * d, ldc: shape.outputStride)
            } else {
                gemm(transposeA: false, transposeB: false, m: s, n: d, k: s,
                     a: weights, lda: s, b: vh, ldb: ld, c: out + b * s * shape.outputStride + h * d, ldc: shape.outputStride)
            }
            if let relative, let buckets = relativeScratch.map({ $0.data + chunk * s * relative.width }) {
                // out_i += Σ_j P'_ij r(i, j)
                relative.sumIntoBuckets(weights, buckets, sequence: s)
                gemm(transposeA: false, transposeB: false, m: s, n: d, k: relative.width, a: buckets, lda: relative.width,
                     b: relative.table, ldb: d, beta: 1, c: out + b * s * shape.outputStride + h * d, ldc: shape.outputStride)
            }
        }
    }
}

/// Backward: dq, dk, dv += …; dout: [batch · seq, outputStride]; dq/dk/dv use `inputStride`.
public func attentionBackward(
    dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, probs: UnsafePointer<Float>,
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    shape: AttentionShape, dropout p: Float = 0, seed: UInt64 = 0, counter: UInt64 = 0, relative: RelativePositions? = nil,
    bf16: Bool = false
) {
    let s = shape.sequence, d = shape.headDimension, ld = shape.inputStride, ldo = shape.outputStride
    let pairs = shape.batch * shape.heads
    let scratch = Tensor(uninitializedShape: [Threads.count, 2 * shape.squares])
    // bf16 products as in the forward pass: per-thread bf16 copies of Q, K, V, dOut, and of P' then dS.
    let halves = bf16 && relative == nil ? BFloat16Buffer(count: Threads.count * (4 * s * d + shape.squares)) : nil
    let relativeScratch = relative.map { Tensor(uninitializedShape: [Threads.count, s * $0.width]) }
    // Per-thread table gradients, summed at the end (threads own disjoint pairs, not disjoint table rows).
    let tableGradients = relative?.tableGradient != nil ? Tensor(shape: [Threads.count, relative!.width * d]) : nil
    parallelChunks(pairs) { chunk, range in
        let dprobs = scratch.data + chunk * 2 * shape.squares
        let dtable = tableGradients.map { $0.data + chunk * relative!.width * d }
        let dropped = dprobs + shape.squares
        let buckets = relative.flatMap { relative in relativeScratch.map { $0.data + chunk * s * relative.width } }
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
            let q16 = halves.map { $0.pointer + chunk * (4 * s * d + shape.squares) }
            if let q16 {
                let k16 = q16 + s * d, v16 = k16 + s * d, do16 = v16 + s * d, square16 = do16 + s * d
                roundHeads([q + offset, k + offset, v + offset], rows: s, width: d, stride: ld, into: q16)
                roundHeads([doh], rows: s, width: d, stride: ldo, into: do16)
                ernie_f32_to_bf16(weights, square16, Int64(shape.squares))
                gemmBF16(transposeA: true, transposeB: false, m: s, n: d, k: s,
                         a: square16, lda: s, b: do16, ldb: d, beta: 1, c: dv + offset, ldc: ld)
                gemmBF16(transposeA: false, transposeB: true, m: s, n: s, k: d,
                         a: do16, lda: d, b: v16, ldb: d, c: dprobs, ldc: s)
            } else {
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
                softmaxRowBackward(dprobs + i * s, dprobs + i * s, ph + i * s, s, scale: shape.scale, accumulate: false)
            }
            // dQ += dS K;  dK += dSᵀ Q
            if let q16 {
                let k16 = q16 + s * d, square16 = q16 + 4 * s * d
                ernie_f32_to_bf16(dprobs, square16, Int64(shape.squares))
                gemmBF16(transposeA: false, transposeB: false, m: s, n: d, k: s,
                         a: square16, lda: s, b: k16, ldb: d, beta: 1, c: dq + offset, ldc: ld)
                gemmBF16(transposeA: true, transposeB: false, m: s, n: d, k: s,
                         a: square16, lda: s, b: q16, ldb: d, beta: 1, c: dk + offset, ldc: ld)
            } else {
                gemm(transposeA: false, transposeB: false, m: s, n: d, k: s,
                     a: dprobs, lda: s, b: k + offset, ldb: ld, beta: 1, c: dq + offset, ldc: ld)
                gemm(transposeA: true, transposeB: false, m: s, n: d, k: s,
                     a: dprobs, lda: s, b: q + offset, ldb: ld, beta: 1, c: dk + offset, ldc: ld)
            }
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
    if let tableGradients, let target = relative?.tableGradient {
        let count = relative!.width * d
        for thread in 0..<Threads.count { accumulate(target, tableGradients.data + thread * count, count: count) }
    }
}

/// Rounds `sources.count` heads, each `rows` × `width` with row stride `stride`, into consecutive contiguous bf16
/// blocks at `destination`.
@inline(__always)
private func roundHeads(_ sources: [UnsafePointer<Float>], rows: Int, width: Int, stride: Int,
                        into destination: UnsafeMutablePointer<UInt16>) {
    for (index, source) in sources.enumerated() {
        let block = destination + index * rows * width
        for row in 0..<rows { ernie_f32_to_bf16(source + row * stride, block + row * width, Int64(width)) }
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

/// Inference attention with bf16 products, as autocast runs them: per (batch, head) Q, K and V rounded to bfloat16,
/// S = scale · Q Kᵀ + mask and its softmax in float32, P rounded to bfloat16 for P V (float32 accumulation). The scores
/// live in per-thread scratch [seq, seq]: nothing of size [batch, heads, seq, seq] is kept. No dropout, no relative
/// positions, no backward (`Graph.attention` takes this path for bf16 graphs that record no gradients).
public func attentionForwardBF16(
    out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    mask: UnsafePointer<Float>?, shape: AttentionShape
) {
    let s = shape.sequence, d = shape.headDimension, ld = shape.inputStride
    let threads = Threads.count
    let scores = Tensor(uninitializedShape: [threads, shape.squares])
    let perThread = 3 * s * d + shape.squares
    let halves = BFloat16Buffer(count: threads * perThread)
    parallelChunks(shape.batch * shape.heads) { chunk, range in
        let scratch = scores.data + chunk * shape.squares
        let q16 = halves.pointer + chunk * perThread, k16 = q16 + s * d, v16 = k16 + s * d, p16 = v16 + s * d
        for pair in range {
            let b = pair / shape.heads, h = pair % shape.heads
            let offset = b * s * ld + h * d
            roundHeads([q + offset, k + offset, v + offset], rows: s, width: d, stride: ld, into: q16)
            gemmBF16(transposeA: false, transposeB: true, m: s, n: s, k: d, alpha: shape.scale,
                     a: q16, lda: d, b: k16, ldb: d, c: scratch, ldc: s)
            for i in 0..<s {
                let row = scratch + i * s
                if let mask { accumulateRow(row, mask + b * s, s) }
                softmaxRowInPlace(row, s)
            }
            ernie_f32_to_bf16(scratch, p16, Int64(shape.squares))
            gemmBF16(transposeA: false, transposeB: false, m: s, n: d, k: s, a: p16, lda: s, b: v16, ldb: d,
                     c: out + b * s * shape.outputStride + h * d, ldc: shape.outputStride)
        }
    }
}
