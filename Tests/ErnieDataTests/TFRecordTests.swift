import ErnieBasics
import Foundation
import Testing
@testable import ErnieData

/// TFRecord pretraining data: records written by a TensorFlow-free Python writer (tools/tfrecord_fixture.py) read back
/// sample-exact; ernie's writer round-trips; damaged files are refused with file and offset, never a crash.
@Suite struct TFRecordTests {
    static let fixtures = TestPaths.repositoryRoot.appendingPathComponent("Tests/ErnieDataTests/Fixtures/tfrecord")
    static let recordPath = fixtures.appendingPathComponent("pretrain.tfrecord").path

    /// expected.json: the samples the fixture's records hold once padding is dropped.
    static func expectedSamples() throws -> [PretrainingSample] {
        let json = try JSONParser.parse(Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
        return json.arrayValue!.map { item in
            let object = item.objectValue!
            func ints(_ key: String) -> [Int32] { object[key]!.arrayValue!.map { Int32($0.intValue!) } }
            return PretrainingSample(inputIds: ints("input_ids"), tokenTypeIds: ints("token_type_ids"), maskedPositions: ints("masked_lm_positions"),
                                     maskedLabels: ints("masked_lm_labels"), sentenceOrderLabel: Int32(object["sentence_order_label"]!.intValue!))
        }
    }

    @Test func pythonWrittenRecordsReadBackSampleExact() throws {
        let expected = try Self.expectedSamples()
        let schema = try TFRecordSchema(contentsOf: Self.fixtures.appendingPathComponent("schema.json").path)
        #expect(schema.rowCount == 7 && schema.columns.count == 7)
        let data = try TFRecordPretrainingData(paths: [Self.recordPath], idCount: 60, maxSeqLen: 16, samples: 10, schema: schema)
        #expect(data.recordCount == 7 && data.count == 10 && data.sequenceLength == 16)
        #expect(data.warnings.count == 1)  // 7 records for 10 samples: read twice
        for index in 0..<10 { #expect(try data.sample(at: index) == expected[index % 7]) }
    }

    @Test func writerRoundTripsAndWritesTheSchema() throws {
        let folder = TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try TFRecordPretrainingData(paths: [Self.recordPath], idCount: 60, maxSeqLen: 16, samples: 7)
        let path = folder.appendingPathComponent("copy.tfrecord").path, schemaPath = folder.appendingPathComponent("copy_schema.json").path
        try TFRecordPretrainingWriter.write(source, count: 7, sequenceLength: 16, maxPredictions: 4, to: path, schemaPath: schemaPath)
        let schema = try TFRecordSchema(contentsOf: schemaPath)
        #expect(schema == TFRecordSchema.pretraining(sequenceLength: 16, maxPredictions: 4, rowCount: 7))
        let copy = try TFRecordPretrainingData(paths: [path], idCount: 60, maxSeqLen: 16, samples: 7, schema: schema)
        let expected = try Self.expectedSamples()
        for index in 0..<7 { #expect(try copy.sample(at: index) == expected[index]) }
        // A sample with more masked tokens than the column holds is refused, naming the flag.
        #expect(throws: DataError.self) {
            try TFRecordPretrainingWriter.write(source, count: 7, sequenceLength: 16, maxPredictions: 1, to: path, schemaPath: schemaPath)
        }
        #expect(try TFRecordPretrainingData(paths: [path], idCount: 60, maxSeqLen: 16, samples: 7).recordCount == 7)  // the old file stays
    }

    @Test func exampleEncodingMatchesItsParse() throws {
        let example = TFExample(features: [
            "a": .int64([0, -1, Int64.max, Int64.min, 300]), "b": .float([1.5, -0.0, .infinity]), "c": .bytes([[], [0, 255], Array("文".utf8)]),
        ])
        let bytes = example.serialized()
        #expect(try bytes.withUnsafeBytes { try TFExample(parsing: $0) } == example)
    }

    @Test func damagedFilesAreRefusedWithFileAndOffset() throws {
        let folder = TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try fileBytes(Self.recordPath)
        let firstLength = Int(original[0]) | Int(original[1]) << 8
        let secondRecord = firstLength + 16
        func open(_ bytes: [UInt8]) throws -> TFRecordPretrainingData {
            let path = folder.appendingPathComponent("damaged.tfrecord").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let data = try TFRecordPretrainingData(paths: [path], idCount: 60, maxSeqLen: 16, samples: 7)
            for index in 0..<data.count { _ = try data.sample(at: index) }
            return data
        }
        func expectRefusal(_ bytes: [UInt8], mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                _ = try open(bytes)
                Issue.record("accepted", sourceLocation: sourceLocation)
            } catch let error as DataError {
                #expect(error.description.contains("damaged.tfrecord"), sourceLocation: sourceLocation)
                #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
            } catch {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
            }
        }
        var flipped = original
        flipped[secondRecord + 20] ^= 1
        expectRefusal(flipped, mentioning: "record at byte \(secondRecord): data checksum mismatch")
        var badLength = original
        badLength[secondRecord] ^= 0x40
        expectRefusal(badLength, mentioning: "record at byte \(secondRecord): length checksum")
        expectRefusal(Array(original.dropLast(3)), mentioning: "past the end")
        expectRefusal(Array(original.prefix(secondRecord + 5)), mentioning: "header cut short")
        expectRefusal(Array("not a tfrecord file at all".utf8), mentioning: "record at byte 0")
        // A valid frame around bytes that are not an Example; an id outside the vocabulary.
        expectRefusal(TFRecord.frame([0x0A, 0x05, 0x01]), mentioning: "not a tf.train.Example")
        let outside = TFExample(features: ["input_ids": .int64([2, 99, 3]), "masked_lm_positions": .int64([1]), "masked_lm_ids": .int64([7])])
        expectRefusal(TFRecord.frame(outside.serialized()), mentioning: "outside the vocabulary")
        let noMask = TFExample(features: ["input_ids": .int64([2, 9, 3])])
        expectRefusal(TFRecord.frame(noMask.serialized()), mentioning: "no masked_lm_positions")
    }

    /// Seeded random mutations of the fixture (bit flips, byte overwrites, truncations, splices): every one is read or
    /// refused with a `DataError`; none crashes. The tools/fuzz_readers.sh script runs the same for longer.
    @Test func mutatedRecordsNeverCrash() throws {
        let folder = TestPaths.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try fileBytes(Self.recordPath)
        var random = SplitMix64(seed: 20_261_203)
        let path = folder.appendingPathComponent("mutant.tfrecord").path
        var refused = 0
        for _ in 0..<300 {
            let mutant = ByteMutator.mutate(original, random: &random)
            try Data(mutant).write(to: URL(fileURLWithPath: path))
            do {
                let data = try TFRecordPretrainingData(paths: [path], idCount: 60, maxSeqLen: 16, samples: 1)
                for index in 0..<data.recordCount { _ = try data.sample(at: index) }
            } catch is DataError {
                refused += 1
            }
        }
        #expect(refused > 0)
    }
}
