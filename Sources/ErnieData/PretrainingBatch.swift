/// A micro-batch in the flat layout the engine takes (PaddleNLP's `_collate_data`), all Int32.
public struct PretrainingBatch: Sendable, Equatable {
    public var batchSize: Int
    /// Padded length L of every row.
    public var sequenceLength: Int
    /// `[B × L]`, padded with [PAD].
    public var inputIds: [Int32]
    /// `[B × L]`, padded with 0.
    public var tokenTypeIds: [Int32]
    /// `[B × L]`: 1 for real tokens, 0 for padding.
    public var attentionMask: [Int32]
    /// `[M]`: flat positions `b × L + position` of the masked tokens, M padded up to a multiple of 8 with 0.
    public var maskedPositions: [Int32]
    /// `[M]`: the ids to predict, −1 in the padding rows (ignored by the loss).
    public var maskedLabels: [Int32]
    /// Masked tokens before padding (≤ M).
    public var maskedCount: Int
    /// `[B]`: SOP/NSP labels.
    public var sentenceOrderLabels: [Int32]

    /// Pads and flattens samples. - Parameter sequenceLength: L; nil pads to the longest sample (PaddleNLP always
    /// pads to max_seq_len: pass it for identical batches).
    public init(samples: [PretrainingSample], sequenceLength: Int? = nil, padId: Int32 = 0) {
        let length = sequenceLength ?? samples.map(\.inputIds.count).max() ?? 0
        batchSize = samples.count
        self.sequenceLength = length
        inputIds = [Int32](repeating: padId, count: samples.count * length)
        tokenTypeIds = [Int32](repeating: 0, count: samples.count * length)
        attentionMask = [Int32](repeating: 0, count: samples.count * length)
        let masked = samples.reduce(0) { $0 + $1.maskedPositions.count }
        maskedCount = masked
        let padded = (masked + 7) / 8 * 8
        maskedPositions = [Int32](repeating: 0, count: padded)
        maskedLabels = [Int32](repeating: -1, count: padded)
        sentenceOrderLabels = samples.map(\.sentenceOrderLabel)
        var next = 0
        for (row, sample) in samples.enumerated() {
            precondition(sample.inputIds.count <= length, "sample of \(sample.inputIds.count) tokens does not fit length \(length)")
            let base = row * length
            for (position, id) in sample.inputIds.enumerated() {
                inputIds[base + position] = id
                tokenTypeIds[base + position] = sample.tokenTypeIds[position]
                attentionMask[base + position] = 1
            }
            for (position, label) in zip(sample.maskedPositions, sample.maskedLabels) {
                maskedPositions[next] = Int32(base) + position
                maskedLabels[next] = label
                next += 1
            }
        }
    }
}

/// Which samples each data-parallel rank reads, PaddleNLP's `DistributedBatchSampler` (shuffle off, drop_last on):
/// from `consumedSamples` on, consecutive blocks of `microBatchSize × dataParallelSize` samples; rank r takes
/// `[r × micro, (r + 1) × micro)` of each block. Resuming at step s means `consumedSamples = global_batch × s`.
public struct BatchSampler: Sendable, Sequence {
    public let sampleCount: Int
    public let consumedSamples: Int
    public let microBatchSize: Int
    public let dataParallelRank: Int
    public let dataParallelSize: Int

    public init(sampleCount: Int, consumedSamples: Int, microBatchSize: Int, dataParallelRank: Int, dataParallelSize: Int) throws {
        guard microBatchSize > 0, dataParallelSize > 0, (0..<dataParallelSize).contains(dataParallelRank) else {
            throw DataError.invalidArgument(name: "batch sampler", reason: "micro batch \(microBatchSize), rank \(dataParallelRank) of \(dataParallelSize)")
        }
        guard consumedSamples >= 0, consumedSamples % dataParallelSize == 0 else {
            throw DataError.invalidArgument(
                name: "consumed samples", reason: "\(consumedSamples) is not a multiple of the data-parallel size \(dataParallelSize)")
        }
        self.sampleCount = sampleCount
        self.consumedSamples = consumedSamples
        self.microBatchSize = microBatchSize
        self.dataParallelRank = dataParallelRank
        self.dataParallelSize = dataParallelSize
    }

    /// Micro-batches left for this rank (only whole blocks inside the dataset).
    public var count: Int { Swift.max(0, sampleCount - consumedSamples) / (microBatchSize * dataParallelSize) }

    /// Sample indices of this rank's `batch`-th micro-batch after `consumedSamples`.
    public func indices(ofBatch batch: Int) -> Range<Int> {
        let start = consumedSamples + batch * microBatchSize * dataParallelSize + dataParallelRank * microBatchSize
        return start..<(start + microBatchSize)
    }

    public func makeIterator() -> AnyIterator<Range<Int>> {
        var batch = 0
        let total = count
        return AnyIterator {
            guard batch < total else { return nil }
            defer { batch += 1 }
            return indices(ofBatch: batch)
        }
    }
}
