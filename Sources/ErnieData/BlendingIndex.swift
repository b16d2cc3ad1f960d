/// PaddleNLP's `build_blending_indices`: sample i of the blend comes from the dataset whose share lags most
/// (`argmax_d w_d × max(i, 1) − taken_d`, first on ties), at that dataset's next unused sample.
public struct BlendingIndex: Sendable {
    /// Dataset of each blended sample (PaddleNLP stores uint8, hence ≤ 254 datasets).
    public let datasetIndex: [UInt8]
    /// Sample within that dataset.
    public let sampleIndex: [Int64]

    /// - Parameters:
    ///   - weights: normalised weights (normalised again with numpy's summation order, as `BlendableDataset` does).
    ///   - count: total samples (PaddleNLP: the sum of the datasets' lengths).
    public init(weights: [Double], count: Int) throws {
        guard !weights.isEmpty, weights.count < 255 else {
            throw DataError.invalidArgument(name: "--input_dir", reason: "\(weights.count) datasets; blending supports 1…254")
        }
        let total = NumpyArithmetic.pairwiseSum(weights[...])
        guard total > 0 else { throw DataError.invalidArgument(name: "--input_dir", reason: "weights add up to 0") }
        let normalised = weights.map { $0 / total }
        var datasetIndex = [UInt8](repeating: 0, count: count)
        var sampleIndex = [Int64](repeating: 0, count: count)
        var taken = [Int64](repeating: 0, count: weights.count)
        for sample in 0..<count {
            let position = max(Double(sample), 1.0)
            var best = 0
            var bestError = normalised[0] * position - Double(taken[0])
            for dataset in 1..<normalised.count {
                let error = normalised[dataset] * position - Double(taken[dataset])
                if error > bestError {
                    bestError = error
                    best = dataset
                }
            }
            datasetIndex[sample] = UInt8(best)
            sampleIndex[sample] = taken[best]
            taken[best] += 1
        }
        self.datasetIndex = datasetIndex
        self.sampleIndex = sampleIndex
    }
}
