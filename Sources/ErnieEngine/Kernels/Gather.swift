/// Row gathers (embedding lookup, masked-position gathers) and their scatter-add backward.

/// out[i] = table[indices[i]].  out: [count, columns]; table: [tableRows, columns]
public func gatherRowsForward(
    _ out: UnsafeMutablePointer<Float>, table: UnsafePointer<Float>, indices: UnsafePointer<Int32>,
    count: Int, columns: Int
) {
    parallelFor(count, grain: max(1, 4096 / max(1, columns))) { range in
        for i in range { (out + i * columns).update(from: table + Int(indices[i]) * columns, count: columns) }
    }
}

/// dtable[indices[i]] += dout[i], except where indices[i] == skipped. Threads split the columns, not the rows, so repeated indices never race.
public func gatherRowsBackward(
    dtable: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, indices: UnsafePointer<Int32>,
    count: Int, columns: Int, skipping skipped: Int32 = -1
) {
    parallelFor((columns + 15) / 16, grain: max(1, 64 / max(1, count / 64 + 1))) { blocks in
        let first = blocks.lowerBound * 16
        let width = min(columns, blocks.upperBound * 16) - first
        for i in 0..<count where indices[i] != skipped {
            let source = dout + i * columns + first
            let destination = dtable + Int(indices[i]) * columns + first
            var j = 0
            while j < width {
                let available = width - j
                storeLanes(loadLanes(destination + j, available) + loadLanes(source + j, available), destination + j, available)
                j += 16
            }
        }
    }
}
