/// Embedding lookups, row gathers, concatenation and splitting.
extension Graph {
    /// Rows of `table` picked by `indices` (embedding lookup, or the hidden states at masked positions).
    /// table: [N, C]; indices: count values in [0, N) → [count, C]. Gradients scatter-add into the table.
    /// `skipping`: a row that gets no gradient (an embedding's `padding_idx`); −1 for none.
    public func gatherRows(_ table: Tensor, indices: [Int32], operation: String = "gatherRows", skipping: Int32 = -1) throws -> Tensor {
        let table = table.contiguous()
        let (rows, columns) = table.rowsAndColumns
        for (position, index) in indices.enumerated() where index < 0 || Int(index) >= rows {
            throw GraphError.indexOutOfRange(operation: operation, index: Int(index), position: position, limit: rows)
        }
        let y = Tensor(uninitializedShape: [indices.count, columns])
        indices.withUnsafeBufferPointer {
            gatherRowsForward(y.data, table: table.data, indices: $0.baseAddress!, count: indices.count, columns: columns)
        }
        guard needsGradient(table) else { return y }
        let tableSlot = table.slot, ySlot = y.slot
        record(y) { [unowned self] in
            indices.withUnsafeBufferPointer {
                gatherRowsBackward(dtable: self.gradient(of: tableSlot).data, dout: self.gradient(of: ySlot).data,
                                   indices: $0.baseAddress!, count: indices.count, columns: columns, skipping: skipping)
            }
        }
        return y
    }

    /// Embedding lookup: `gatherRows` with the error naming the table. As `nn.Embedding(padding_idx:)`, the
    /// `paddingRow` gets no gradient from the lookup (a tied decoder may still give it one).
    public func embedding(_ table: Tensor, ids: [Int32], name: String = "embedding", paddingRow: Int? = nil) throws -> Tensor {
        try gatherRows(table, indices: ids, operation: name, skipping: paddingRow.map { Int32(truncatingIfNeeded: $0) } ?? -1)
    }

    /// Concatenation along the last axis.  parts: [..., Cᵢ] with equal leading shapes → [..., ΣCᵢ]
    public func concatenateColumns(_ parts: [Tensor]) throws -> Tensor {
        guard let first = parts.first else { throw GraphError.invalidArgument("concatenate needs at least one tensor") }
        let leading = Array(first.shape.dropLast())
        for part in parts where Array(part.shape.dropLast()) != leading {
            throw TensorError.shapeMismatch(operation: "concatenate (leading axes)", expected: first.shape, actual: part.shape)
        }
        let parts = parts.map { $0.contiguous() }
        let widths = parts.map { $0.shape.last ?? 1 }
        let total = widths.reduce(0, +)
        let rows = first.count / max(1, widths[0])
        let y = Tensor(uninitializedShape: leading + [total])
        var column = 0
        for (part, width) in zip(parts, widths) {
            copyColumns(from: part.data, sourceStride: width, to: y.data + column, destinationStride: total, rows: rows, width: width)
            column += width
        }
        guard needsGradient(parts) else { return y }
        let partSlots = parts.map(\.slot), ySlot = y.slot
        record(y) { [unowned self] in
            let dy = self.gradient(of: ySlot).data
            var column = 0
            for (part, width) in zip(partSlots, widths) {
                if part.requiresGrad {
                    let dp = self.gradient(of: part).data
                    for row in 0..<rows { accumulate(dp + row * width, dy + row * total + column, count: width) }
                }
                column += width
            }
        }
        return y
    }

    /// Splits the last axis into pieces of the given widths (the inverse of `concatenateColumns`).
    public func splitColumns(_ x: Tensor, widths: [Int]) throws -> [Tensor] {
        let x = x.contiguous()
        let (rows, total) = x.rowsAndColumns
        guard widths.reduce(0, +) == total, widths.allSatisfy({ $0 > 0 }) else {
            throw TensorError.shapeMismatch(operation: "split widths \(widths)", expected: [total], actual: x.shape)
        }
        let leading = Array(x.shape.dropLast())
        var outputs: [Tensor] = []
        var column = 0
        for width in widths {
            let part = Tensor(uninitializedShape: leading + [width])
            copyColumns(from: x.data + column, sourceStride: total, to: part.data, destinationStride: width, rows: rows, width: width)
            if needsGradient(x) {
                let start = column, xSlot = x.slot, partSlot = part.slot
                record(part) { [unowned self] in
                    let dx = self.gradient(of: xSlot).data, dp = self.gradient(of: partSlot).data
                    for row in 0..<rows { accumulate(dx + row * total + start, dp + row * width, count: width) }
                }
            }
            outputs.append(part)
            column += width
        }
        return outputs
    }

    func needsGradient(_ inputs: [Tensor]) -> Bool {
        recordsGradients && inputs.contains { $0.requiresGrad }
    }
}

private func copyColumns(
    from source: UnsafePointer<Float>, sourceStride: Int, to destination: UnsafeMutablePointer<Float>,
    destinationStride: Int, rows: Int, width: Int
) {
    parallelFor(rows, grain: max(1, 4096 / max(1, width))) { range in
        for row in range { (destination + row * destinationStride).update(from: source + row * sourceStride, count: width) }
    }
}
