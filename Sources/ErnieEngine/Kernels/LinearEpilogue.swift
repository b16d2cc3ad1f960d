import CShims

/// The element-wise work around a Linear layer's product, fused into one pass over its output: the bias and the
/// activation after the product, and before the backward products the activation's derivative, the bias gradient and
/// the bf16 rounding of the gradient the products read. Each pass reads and writes every element once, where separate
/// ops would stream the [rows, columns] matrix through memory three or four times.

/// Forward epilogue: pre = y + bias, y = f(pre), in place, row by row.  y: [rows, columns]; bias: [columns] or nil.
/// The pre-activation is kept for the backward pass in float32 (`pre`) or rounded to bf16 (`pre16`), or not at all.
public func linearEpilogueForward(
    _ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, columns: Int, activation: Activation,
    pre: UnsafeMutablePointer<Float>?, pre16: UnsafeMutablePointer<UInt16>?
) {
    func run<Lanes: ActivationLanes>(_: Lanes.Type) {
        parallelFor(rows, grain: max(1, 8192 / max(1, columns))) { range in
            for row in range {
                let line = y + row * columns
                if let bias {
                    var j = 0
                    while j < columns {
                        storeLanes(loadLanes(line + j, columns - j) + loadLanes(bias + j, columns - j), line + j, columns - j)
                        j += 16
                    }
                }
                if let pre { (pre + row * columns).update(from: line, count: columns) }
                if let pre16 { ernie_f32_to_bf16(line, pre16 + row * columns, Int64(columns)) }
                var j = 0
                while j < columns {
                    storeLanes(Lanes.values(loadLanes(line + j, columns - j)), line + j, columns - j)
                    j += 16
                }
            }
        }
    }
    switch activation {
    case .gelu: run(GELULanes.self)
    case .geluNew: run(GELUTanhLanes.self)
    case .relu: run(ReLULanes.self)
    case .tanh: run(TanhLanes.self)
    }
}

/// Backward epilogue: g = dy · f′(pre) (dy itself without an activation), written in float32 (`gradient`) and/or
/// rounded to bf16 (`gradient16`, what bf16 products read), and dbias += Σ_rows g.
/// dy: [rows, columns]; pre (float32) or pre16 (bf16): the forward's pre-activation, needed with an activation.
///
/// The bias sum runs over fixed blocks of rows, then over the blocks in order: the same bits whatever the thread count.
public func linearEpilogueBackward(
    dy: UnsafePointer<Float>, rows: Int, columns: Int, activation: Activation?,
    pre: UnsafePointer<Float>?, pre16: UnsafePointer<UInt16>?,
    gradient: UnsafeMutablePointer<Float>?, gradient16: UnsafeMutablePointer<UInt16>?, dbias: UnsafeMutablePointer<Float>?
) {
    precondition(activation == nil || pre != nil || pre16 != nil, "an activation's derivative needs its input")
    let blockRows = 64
    let blocks = (rows + blockRows - 1) / blockRows
    let partials = dbias.map { _ in Tensor(uninitializedShape: [max(1, blocks), columns]) }
    // Per block: one row of widened pre-activations and one of g when g is not kept in float32.
    let scratch = Tensor(uninitializedShape: [max(1, blocks), 2 * columns])
    func run<Lanes: ActivationLanes>(_: Lanes.Type) {
        parallelFor(blocks, grain: 1) { range in
            for block in range {
                let sums = partials.map { $0.data + block * columns }
                sums?.update(repeating: 0, count: columns)
                let widened = scratch.data + block * 2 * columns, rowScratch = widened + columns
                for row in (block * blockRows)..<min(rows, (block + 1) * blockRows) {
                    let at = row * columns
                    let g = gradient.map { $0 + at } ?? rowScratch
                    let x: UnsafePointer<Float> = pre.map { $0 + at } ?? UnsafePointer(widened)
                    if pre == nil, let pre16 { ernie_bf16_to_f32(pre16 + at, widened, Int64(columns)) }
                    var j = 0
                    while j < columns {
                        let available = columns - j
                        let lanes = Lanes.gradient(loadLanes(dy + at + j, available), at: loadLanes(x + j, available))
                        storeLanes(lanes, g + j, available)
                        if let sums { storeLanes(loadLanes(sums + j, available) + lanes, sums + j, available) }
                        j += 16
                    }
                    if let gradient16 { ernie_f32_to_bf16(g, gradient16 + at, Int64(columns)) }
                }
            }
        }
    }
    switch activation {
    case nil: run(IdentityLanes.self)
    case .gelu: run(GELULanes.self)
    case .geluNew: run(GELUTanhLanes.self)
    case .relu: run(ReLULanes.self)
    case .tanh: run(TanhLanes.self)
    }
    if let dbias, let partials {
        parallelFor((columns + 15) / 16, grain: 4) { chunks in
            for chunk in chunks {
                let j = chunk * 16, available = min(16, columns - j)
                var total = loadLanes(dbias + j, available)
                for block in 0..<blocks { total += loadLanes(partials.data + block * columns + j, available) }
                storeLanes(total, dbias + j, available)
            }
        }
    }
}
