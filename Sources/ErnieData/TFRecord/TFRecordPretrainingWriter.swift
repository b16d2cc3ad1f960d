import ErnieBasics
import Foundation

/// Writes pretraining samples as Google BERT's `create_pretraining_data.py` does (TFRecord of tf.train.Example with
/// `PretrainingExampleColumns`), plus the MindSpore schema.json describing them, so TensorFlow and MindSpore users can
/// train on ernie's data.
public enum TFRecordPretrainingWriter {
    /// Writes samples `0..<count` of `source` to `path` and the schema to `schemaPath`, each atomically.
    /// - Throws: `DataError` for a sample that does not fit `sequenceLength` / `maxPredictions`, or a write failure.
    public static func write(_ source: some PretrainingSampleSource, count: Int, sequenceLength: Int, maxPredictions: Int,
                             to path: String, schemaPath: String) throws {
        do {
            try AtomicFile.write(to: URL(fileURLWithPath: path)) { sink in
                var buffer: [UInt8] = []
                for index in 0..<count {
                    let example = try PretrainingExampleColumns.example(
                        try source.sample(at: index), sequenceLength: sequenceLength, maxPredictions: maxPredictions)
                    buffer += TFRecord.frame(example.serialized())
                    if buffer.count >= 1 << 20 || index == count - 1 {
                        try buffer.withUnsafeBytes { try sink($0) }
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
            }
            let schema = TFRecordSchema.pretraining(sequenceLength: sequenceLength, maxPredictions: maxPredictions, rowCount: count)
            try AtomicFile.write(to: URL(fileURLWithPath: schemaPath)) { sink in
                try Array(schema.json().utf8).withUnsafeBytes { try sink($0) }
            }
        } catch let error as FileWriteError {
            throw DataError.io(path: error.path, reason: error.reason)
        }
    }
}

extension TFRecordPretrainingWriter {
    /// Writes the samples of a prepared corpus (`prefix_ids.npy` / `_idx.npz`) as TFRecord: every document (no
    /// held-out split), masked and paired as `ernie pretrain` would build them, `dupeFactor` passes over the corpus with
    /// different masks (Google's `--dupe_factor`), in the index map's shuffled order.
    /// - Returns: the number of samples written.
    /// - Throws: `DataError` naming the corpus or the flag (no usable document, a sample over `maxPredictions`).
    public static func write(corpusPrefix: String, vocabulary: MaskingVocabulary, masking: MaskingSettings, shortSeqProb: Double,
                             seed: Int32, dupeFactor: Int, maxPredictions: Int, to path: String, schemaPath: String) throws -> Int {
        guard dupeFactor > 0 else { throw DataError.invalidArgument(name: "--dupe_factor", reason: "\(dupeFactor) is not positive") }
        var settings = PretrainingDataSettings(masking: masking)
        settings.shortSeqProb = shortSeqProb
        settings.seed = seed
        settings.split = "1,0,0"
        settings.useIndexCache = false
        let data = try PretrainingData(inputs: .single(prefix: corpusPrefix), vocabulary: vocabulary, settings: settings)
        // One pass first, to learn how many samples a pass gives; then the index map for dupe_factor passes.
        guard let onePass = try data.dataset(.train, samples: 1) else {
            throw DataError.unusableData(reason: "\(corpusPrefix) has no document", fix: "check the corpus given to --input_path")
        }
        guard let count = CheckedSize.product(onePass.count, dupeFactor),
              let dataset = dupeFactor == 1 ? onePass : try data.dataset(.train, samples: count) else {
            throw DataError.invalidArgument(name: "--dupe_factor", reason: "\(dupeFactor) passes of \(onePass.count) samples overflow")
        }
        try write(dataset, count: count, sequenceLength: masking.maxSeqLen, maxPredictions: maxPredictions, to: path, schemaPath: schemaPath)
        return count
    }
}
