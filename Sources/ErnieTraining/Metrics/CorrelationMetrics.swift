// Correlation metrics with SciPy's semantics (scipy.stats.pearsonr, scipy.stats.spearmanr, scipy.stats.rankdata).

/// Pearson's r (scipy `pearsonr(x, y).statistic`): centred vectors, each divided by its norm, then their dot product,
/// clipped to [-1, 1]. NaN when either input is constant or has fewer than 2 values (SciPy warns or raises there).
public func pearsonCorrelation(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "pearsonCorrelation: \(x.count) vs \(y.count) values")
    guard x.count >= 2 else { return .nan }
    let meanX = x.reduce(0, +) / Double(x.count), meanY = y.reduce(0, +) / Double(y.count)
    let centredX = x.map { $0 - meanX }, centredY = y.map { $0 - meanY }
    // SciPy scales by the largest magnitude before taking the norm so huge values do not overflow.
    func norm(_ v: [Double]) -> Double {
        let largest = v.reduce(0) { max($0, abs($1)) }
        guard largest > 0 else { return 0 }
        return largest * v.reduce(0) { $0 + ($1 / largest) * ($1 / largest) }.squareRoot()
    }
    let normX = norm(centredX), normY = norm(centredY)
    guard normX > 0, normY > 0 else { return .nan }
    let r = zip(centredX, centredY).reduce(0) { $0 + ($1.0 / normX) * ($1.1 / normY) }
    return min(1, max(-1, r))
}

/// Spearman's ρ (scipy `spearmanr(x, y).statistic`): Pearson's r of the average ranks, so ties share the mean of the
/// ranks they span. NaN when either input is constant.
public func spearmanCorrelation(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "spearmanCorrelation: \(x.count) vs \(y.count) values")
    return pearsonCorrelation(averageRanks(x), averageRanks(y))
}

/// 1-based ranks with ties given the mean of their ranks (scipy `rankdata(values, method="average")`).
/// NaN values are not supported (SciPy propagates them); the caller must remove them.
public func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
        var end = start + 1
        while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
        // Positions start..<end (0-based) hold ranks start+1 ... end; their mean is (start + 1 + end) / 2.
        let rank = Double(start + 1 + end) / 2
        for k in start..<end { ranks[order[k]] = rank }
        start = end
    }
    return ranks
}
