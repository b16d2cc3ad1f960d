/// Floating-point sums in numpy's order, so normalised weights match PaddleNLP bit for bit.
enum NumpyArithmetic {
    /// `np.sum` of a contiguous float64 array: pairwise summation (8-way unrolled blocks of ≤ 128, split recursively).
    static func pairwiseSum(_ values: ArraySlice<Double>) -> Double {
        let n = values.count
        let start = values.startIndex
        if n < 8 {
            var result = -0.0
            for value in values { result += value }
            return n == 0 ? 0 : result
        }
        if n <= 128 {
            var r = (0..<8).map { values[start + $0] }
            var i = 8
            while i < n - (n % 8) {
                for k in 0..<8 { r[k] += values[start + i + k] }
                i += 8
            }
            var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                result += values[start + i]
                i += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSum(values[start..<(start + half)]) + pairwiseSum(values[(start + half)...])
    }
}
