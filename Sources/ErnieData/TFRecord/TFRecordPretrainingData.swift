import ErnieBasics

/// Pretraining samples stored whole in TFRecord files (Google BERT's and MindSpore's `create_pretraining_data.py`
/// output): masks are static, as stored; the pair label is NSP's. Sample i is record `i mod records`, so a run longer
/// than the data goes round it again in the same order (MindSpore repeats its dataset per epoch the same way).
public final class TFRecordPretrainingData: PretrainingSampleSource {
    public let records: TFRecordFiles
    /// Records read: all, or the schema's `numRows` first ones (as MindSpore reads them).
    public let recordCount: Int
    public let count: Int
    public let warnings: [String]
    /// Tokens the vocabulary covers (ids at or above are refused).
    let idCount: Int
    /// Padded length of the stored samples, from the first record.
    public let sequenceLength: Int

    /// Opens the files and checks the first record against the vocabulary and `maxSeqLen`.
    /// - Parameter samples: how many samples the run reads (the data is repeated to reach it).
    /// - Throws: `DataError` naming the file: not TFRecord, no record, missing columns, samples longer than `maxSeqLen`.
    public init(paths: [String], idCount: Int, maxSeqLen: Int, samples: Int, schema: TFRecordSchema? = nil) throws {
        records = try TFRecordFiles(paths: paths)
        guard records.count > 0 else { throw DataError.unusableData(reason: "\(paths.joined(separator: ", ")) holds no record", fix: "point --input_dir at TFRecord pretraining data") }
        self.idCount = idCount
        recordCount = min(records.count, schema?.rowCount ?? records.count)
        count = max(recordCount, samples)
        let length = try records.record(0) { bytes, path, offset in
            let example = try Self.example(bytes, path: path, offset: offset)
            guard case .int64(let ids) = example.features[PretrainingExampleColumns.inputIds] else {
                throw DataError.malformed(path: path, reason: "record at byte \(offset) has no int64 \(PretrainingExampleColumns.inputIds) column")
            }
            if let schema { try schema.check(example, path: path, offset: offset) }
            return ids.count
        }
        guard length <= maxSeqLen else {
            throw DataError.unusableData(reason: "\(paths[0]) holds samples of \(length) tokens", fix: "pass --max_seq_len \(length) or more")
        }
        sequenceLength = length
        warnings = samples > recordCount
            ? ["\(recordCount) TFRecord samples for \(samples): the data is read \((samples + recordCount - 1) / recordCount) times"] : []
        _ = try sample(at: 0)
    }

    public func sample(at index: Int) throws -> PretrainingSample {
        guard index >= 0, index < count else {
            throw DataError.invalidArgument(name: "sample index", reason: "\(index) outside 0..<\(count) of the TFRecord data")
        }
        return try records.record(index % recordCount) { bytes, path, offset in
            do {
                return try PretrainingExampleColumns.sample(try Self.example(bytes, path: path, offset: offset), idCount: idCount)
            } catch let error as PretrainingExampleColumns.ColumnError {
                throw DataError.malformed(path: path, reason: "record at byte \(offset): \(error.description)")
            }
        }
    }

    static func example(_ bytes: UnsafeRawBufferPointer, path: String, offset: Int) throws -> TFExample {
        do {
            return try TFExample(parsing: bytes)
        } catch let error as ProtobufReader.DecodingError {
            throw DataError.malformed(path: path, reason: "record at byte \(offset) is not a tf.train.Example: \(error.description)")
        }
    }
}
