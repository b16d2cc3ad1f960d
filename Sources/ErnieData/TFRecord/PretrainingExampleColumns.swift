/// The columns of Google BERT's `create_pretraining_data.py` output, which MindSpore's BERT reads too: per sample
/// `input_ids`, `input_mask`, `segment_ids` [seq]; `masked_lm_positions`, `masked_lm_ids` (int64) and
/// `masked_lm_weights` (float, 1 for a real prediction, 0 for padding) [max_predictions_per_seq];
/// `next_sentence_labels` [1] (1: B is not A's continuation).
public enum PretrainingExampleColumns {
    public static let inputIds = "input_ids"
    public static let inputMask = "input_mask"
    public static let segmentIds = "segment_ids"
    public static let maskedPositions = "masked_lm_positions"
    public static let maskedIds = "masked_lm_ids"
    public static let maskedWeights = "masked_lm_weights"
    public static let nextSentenceLabels = "next_sentence_labels"

    /// Every column, in the order MindSpore's dataset reads them.
    public static let all = [inputIds, inputMask, segmentIds, nextSentenceLabels, maskedPositions, maskedIds, maskedWeights]

    /// `sample` as an Example padded to `sequenceLength` tokens and `maxPredictions` masked positions (PAD id 0, as
    /// Google's writer pads). - Throws: `DataError.invalidArgument` when the sample does not fit.
    public static func example(_ sample: PretrainingSample, sequenceLength: Int, maxPredictions: Int) throws -> TFExample {
        guard sample.inputIds.count <= sequenceLength else {
            throw DataError.invalidArgument(name: "--max_seq_len", reason: "a sample of \(sample.inputIds.count) tokens does not fit \(sequenceLength)")
        }
        guard sample.maskedPositions.count <= maxPredictions else {
            throw DataError.invalidArgument(
                name: "--max_predictions_per_seq", reason: "a sample has \(sample.maskedPositions.count) masked tokens, more than \(maxPredictions)")
        }
        func padded(_ values: [Int32], to length: Int) -> [Int64] {
            values.map(Int64.init) + [Int64](repeating: 0, count: length - values.count)
        }
        let real = sample.inputIds.count, predictions = sample.maskedPositions.count
        return TFExample(features: [
            inputIds: .int64(padded(sample.inputIds, to: sequenceLength)),
            inputMask: .int64([Int64](repeating: 1, count: real) + [Int64](repeating: 0, count: sequenceLength - real)),
            segmentIds: .int64(padded(sample.tokenTypeIds, to: sequenceLength)),
            maskedPositions: .int64(padded(sample.maskedPositions, to: maxPredictions)),
            maskedIds: .int64(padded(sample.maskedLabels, to: maxPredictions)),
            maskedWeights: .float([Float](repeating: 1, count: predictions) + [Float](repeating: 0, count: maxPredictions - predictions)),
            nextSentenceLabels: .int64([Int64(sample.sentenceOrderLabel)]),
        ])
    }

    /// The sample an Example holds: padding dropped (tokens past `input_mask`'s ones, predictions of weight 0).
    /// - Throws: a reason string for the caller to place (file and offset): a missing or mistyped column, lengths that
    ///   disagree, a mask that is not ones then zeros, a position outside the tokens, an id outside `0..<idCount`.
    public static func sample(_ example: TFExample, idCount: Int) throws(ColumnError) -> PretrainingSample {
        func integers(_ name: String, required: Bool = true) throws(ColumnError) -> [Int64]? {
            switch example.features[name] {
            case .int64(let values): return values
            case nil where !required: return nil
            case nil: throw ColumnError("has no \(name) column (has \(example.features.keys.sorted().joined(separator: ", ")))")
            default: throw ColumnError("column \(name) is not an int64 list")
            }
        }
        let ids = try integers(inputIds)!
        let mask = try integers(inputMask, required: false) ?? [Int64](repeating: 1, count: ids.count)
        let segments = try integers(segmentIds, required: false) ?? [Int64](repeating: 0, count: ids.count)
        guard mask.count == ids.count, segments.count == ids.count else {
            throw ColumnError("\(inputIds), \(inputMask), \(segmentIds) have \(ids.count), \(mask.count), \(segments.count) values")
        }
        let real = mask.firstIndex(of: 0) ?? mask.count
        guard mask[..<real].allSatisfy({ $0 == 1 }), mask[real...].allSatisfy({ $0 == 0 }) else {
            throw ColumnError("\(inputMask) is not ones followed by zeros")
        }
        guard real > 0 else { throw ColumnError("the sample has no tokens (\(inputMask) is all zeros)") }
        func token(_ value: Int64, _ column: String) throws(ColumnError) -> Int32 {
            guard value >= 0, value < Int64(idCount) else { throw ColumnError("\(column) holds id \(value), outside the vocabulary's \(idCount)") }
            return Int32(value)
        }
        var sample = PretrainingSample(inputIds: [], tokenTypeIds: [], maskedPositions: [], maskedLabels: [], sentenceOrderLabel: 0)
        for index in 0..<real {
            sample.inputIds.append(try token(ids[index], inputIds))
            guard segments[index] == 0 || segments[index] == 1 else { throw ColumnError("\(segmentIds) holds \(segments[index]), not 0 or 1") }
            sample.tokenTypeIds.append(Int32(segments[index]))
        }
        let positions = try integers(maskedPositions)!
        let labels = try integers(maskedIds)!
        var weights: [Float]? = nil
        switch example.features[maskedWeights] {
        case .float(let values): weights = values
        case nil: break
        default: throw ColumnError("column \(maskedWeights) is not a float list")
        }
        guard labels.count == positions.count, weights.map({ $0.count == positions.count }) ?? true else {
            throw ColumnError("\(maskedPositions), \(maskedIds), \(maskedWeights) have \(positions.count), \(labels.count), \(weights?.count ?? positions.count) values")
        }
        for index in positions.indices {
            // Without weights, position 0 ([CLS], never masked) marks padding, as Google's writer pads.
            guard weights.map({ $0[index] != 0 }) ?? (positions[index] != 0) else { continue }
            guard positions[index] > 0, positions[index] < Int64(real) else {
                throw ColumnError("\(maskedPositions) holds \(positions[index]), outside the sample's \(real) tokens")
            }
            sample.maskedPositions.append(Int32(positions[index]))
            sample.maskedLabels.append(try token(labels[index], maskedIds))
        }
        if let next = try integers(nextSentenceLabels, required: false) {
            guard next.count == 1, next[0] == 0 || next[0] == 1 else { throw ColumnError("\(nextSentenceLabels) is \(next), not [0] or [1]") }
            sample.sentenceOrderLabel = Int32(next[0])
        }
        return sample
    }

    /// Why an Example does not hold a pretraining sample.
    public struct ColumnError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
