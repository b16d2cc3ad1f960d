/// One pretraining example, unpadded: `[CLS] A [SEP] B [SEP]` after masking.
public struct PretrainingSample: Sendable, Equatable {
    /// Model input ids (masked positions replaced). Length ≤ max_seq_len.
    public var inputIds: [Int32]
    /// 0 for [CLS], A and the first [SEP]; 1 for B and the last [SEP]. Same length as `inputIds`.
    public var tokenTypeIds: [Int32]
    /// Positions in `inputIds` to predict, ascending.
    public var maskedPositions: [Int32]
    /// Original ids at `maskedPositions` (`##<CJK>` pieces mapped to the bare character).
    public var maskedLabels: [Int32]
    /// SOP: 1 when A and B were swapped. NSP: 1 when B comes from another document. 0 otherwise / without a pair head.
    public var sentenceOrderLabel: Int32

    public init(inputIds: [Int32], tokenTypeIds: [Int32], maskedPositions: [Int32], maskedLabels: [Int32], sentenceOrderLabel: Int32) {
        self.inputIds = inputIds
        self.tokenTypeIds = tokenTypeIds
        self.maskedPositions = maskedPositions
        self.maskedLabels = maskedLabels
        self.sentenceOrderLabel = sentenceOrderLabel
    }
}

/// The sentence-pair objective trained next to MLM (`--binary_head`).
public enum PairObjective: String, Sendable {
    /// ERNIE/ALBERT sentence-order prediction (PaddleNLP's default): A and B are consecutive parts of one document,
    /// swapped half the time (label 1 = swapped).
    case sentenceOrder
    /// BERT next-sentence prediction: half the time B is replaced by sentences from another document of the same split
    /// (label 1 = random). Not in PaddleNLP's ERNIE pipeline; see `MaskedSampleBuilder` for the exact draws.
    case nextSentence
    /// MLM only (`--binary_head false`): all sentences form segment A; documents of one sentence are usable.
    case none
}

/// Masking and pairing settings (PaddleNLP flags in parentheses).
public struct MaskingSettings: Sendable, Equatable {
    /// Padded length (`--max_seq_len`); samples hold at most `maxSeqLen − 3` corpus tokens.
    public var maxSeqLen: Int
    public var maskedLMProb: Double = 0.15
    public var maxNgrams: Int = 3
    public var favorLongerNgram: Bool = false
    public var pairObjective: PairObjective = .sentenceOrder

    public init(maxSeqLen: Int, maskedLMProb: Double = 0.15, maxNgrams: Int = 3, favorLongerNgram: Bool = false,
                pairObjective: PairObjective = .sentenceOrder) {
        self.maxSeqLen = maxSeqLen
        self.maskedLMProb = maskedLMProb
        self.maxNgrams = maxNgrams
        self.favorLongerNgram = favorLongerNgram
        self.pairObjective = pairObjective
    }
}
