/// Where pretraining reads its samples: PaddleNLP's token files through index maps (`PretrainingDataset`), or samples
/// stored whole, as Google BERT's and MindSpore's TFRecord files hold them (`TFRecordPretrainingData`).
/// `Sendable`: prefetch threads call `sample(at:)` concurrently.
public protocol PretrainingSampleSource: Sendable {
    /// Samples addressable by `sample(at:)`.
    var count: Int { get }
    /// Problems worth telling the user before training.
    var warnings: [String] { get }
    /// Sample `index`. - Throws: `DataError` naming the file for damaged data or ids outside the vocabulary.
    func sample(at index: Int) throws -> PretrainingSample
}

extension PretrainingDataset: PretrainingSampleSource {}
