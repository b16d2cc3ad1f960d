import ErnieModels

/// Features collated into one padded batch: every row padded (right, `[PAD]`, attention 0) to the longest row.
public struct FeatureBatch {
    public var features: [EncodedFeature]
    public var inputs: BertInputs
    /// Rows per feature (1, or the choice count for multiple choice).
    public var rowsPerFeature: Int

    public init(_ features: [EncodedFeature], padId: Int32) {
        precondition(!features.isEmpty, "an empty batch")
        self.features = features
        let rowsPerFeature = features[0].rows.count
        self.rowsPerFeature = rowsPerFeature
        precondition(features.allSatisfy { $0.rows.count == rowsPerFeature }, "features with different row counts in one batch")
        let rows = features.flatMap(\.rows)
        let length = rows.map(\.inputIds.count).max() ?? 1
        var ids = [Int32](repeating: padId, count: rows.count * length)
        var types = [Int32](repeating: 0, count: rows.count * length)
        var mask = [Int32](repeating: 0, count: rows.count * length)
        for (index, row) in rows.enumerated() {
            for position in row.inputIds.indices {
                ids[index * length + position] = row.inputIds[position]
                types[index * length + position] = row.tokenTypeIds[position]
                mask[index * length + position] = 1
            }
        }
        inputs = BertInputs(batch: rows.count, sequence: length, inputIds: ids, tokenTypeIds: types, attentionMask: mask)
    }

    public var sequence: Int { inputs.sequence }

    /// Real (unpadded) tokens in the batch.
    public var tokenCount: Int { features.reduce(0) { $0 + $1.rows.reduce(0) { $0 + $1.inputIds.count } } }

    /// Token classification: each feature's label per padded position (−100 on padding).
    public var paddedTokenLabels: [Int32] {
        var labels = [Int32](repeating: -100, count: features.count * sequence)
        for (index, feature) in features.enumerated() {
            for (position, label) in (feature.tokenLabels ?? []).enumerated() { labels[index * sequence + position] = label }
        }
        return labels
    }

    /// Token classification: flat positions (row · sequence + token) of every word's first token, with the lengths
    /// per feature (the CRF's sequences).
    public var wordPositions: (positions: [Int32], lengths: [Int]) {
        var positions: [Int32] = [], lengths: [Int] = []
        for (index, feature) in features.enumerated() {
            let words = (feature.wordIndices ?? []).enumerated().filter { $0.element != nil }.map { Int32(index * sequence + $0.offset) }
            positions += words
            lengths.append(words.count)
        }
        return (positions, lengths)
    }
}
