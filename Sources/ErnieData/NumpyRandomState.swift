/// numpy's legacy `np.random.RandomState(seed)` for the calls PaddleNLP's sample builder makes, draw for draw:
/// `random()`, `randint(low, high)`, `shuffle(list)` and `choice(a, p=…)`.
public struct NumpyRandomState: Sendable {
    private var generator: MersenneTwister32

    /// `RandomState(seed)` for an integer seed in 0 ..< 2³².
    public init(seed: UInt32) { generator = MersenneTwister32(seed: seed) }

    /// `random_sample()`: 53 random bits from two draws, in [0, 1).
    public mutating func random() -> Double {
        let a = generator.next() >> 5, b = generator.next() >> 6
        return (Double(a) * 67_108_864.0 + Double(b)) / 9_007_199_254_740_992.0
    }

    /// A value in `0 ... maximum` by masked rejection sampling (numpy's legacy bounded integers).
    public mutating func interval(_ maximum: UInt64) -> UInt64 {
        if maximum == 0 { return 0 }
        var mask = maximum
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4
        mask |= mask >> 8; mask |= mask >> 16; mask |= mask >> 32
        if maximum <= 0xFFFF_FFFF {
            if maximum == 0xFFFF_FFFF { return UInt64(generator.next()) }
            let mask32 = UInt32(mask)
            while true {
                let value = generator.next() & mask32
                if UInt64(value) <= maximum { return UInt64(value) }
            }
        }
        while true {
            let value = ((UInt64(generator.next()) << 32) | UInt64(generator.next())) & mask
            if value <= maximum { return value }
        }
    }

    /// `randint(low, high)`: uniform in `low ..< high`. - Precondition: `low < high`.
    public mutating func randint(_ low: Int, _ high: Int) -> Int {
        precondition(low < high, "randint needs low < high")
        return low + Int(interval(UInt64(high - 1 - low)))
    }

    /// `shuffle(x)` for a Python list: Fisher–Yates from the end with `j = interval(i)`.
    public mutating func shuffle<T>(_ elements: inout [T]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, through: 1, by: -1) {
            let j = Int(interval(UInt64(i)))
            elements.swapAt(i, j)
        }
    }

    /// `choice(len(cdf), p=…)` given the normalised cumulative distribution numpy computes
    /// (`cdf = cumsum(p); cdf /= cdf[-1]`): one `random()` and a right-sided search.
    public mutating func choice(cumulative cdf: [Double]) -> Int {
        let u = random()
        var index = 0
        while index < cdf.count && cdf[index] <= u { index += 1 }
        return min(index, cdf.count - 1)
    }
}
