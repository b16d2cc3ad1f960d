import Foundation

/// Train/validation/test split by documents, PaddleNLP's `get_train_valid_test_split_` to the last bit:
/// weights from `"949,50,1"` (or `/`-separated) normalised, `idx[k+1] = idx[k] + round_half_even(w_k × documents)`,
/// then the overshoot `idx[3] − documents` subtracted from `idx[1…3]`.
public struct DocumentSplit: Sendable, Equatable {
    /// Split k covers documents `boundaries[k] ..< boundaries[k + 1]`. Four entries, the last = document count.
    public let boundaries: [Int]

    public static let names = ["train", "valid", "test"]

    public init(_ specification: String, documentCount: Int) throws {
        let separator: Character = specification.contains(",") ? "," : (specification.contains("/") ? "/" : " ")
        var weights: [Double] = []
        for part in specification.split(separator: separator, omittingEmptySubsequences: false) {
            guard let weight = Double(part.trimmingCharacters(in: .whitespaces)), weight >= 0, weight.isFinite else {
                throw DataError.invalidArgument(name: "--split", reason: "'\(specification)' is not like 949,50,1")
            }
            weights.append(weight)
        }
        while weights.count < 3 { weights.append(0) }
        weights = Array(weights.prefix(3))
        var sum = 0.0
        for weight in weights { sum += weight }
        guard sum > 0 else { throw DataError.invalidArgument(name: "--split", reason: "weights add up to 0") }
        var boundaries = [0]
        for weight in weights {
            let share = (weight / sum * Double(documentCount)).rounded(.toNearestOrEven)
            boundaries.append(boundaries.last! + Int(share))
        }
        let overshoot = boundaries[3] - documentCount
        for k in 1...3 { boundaries[k] -= overshoot }
        self.boundaries = boundaries
    }

    /// Documents of split `index` (0 train, 1 valid, 2 test).
    public func documents(ofSplit index: Int) -> Range<Int> { boundaries[index]..<max(boundaries[index], boundaries[index + 1]) }
}
