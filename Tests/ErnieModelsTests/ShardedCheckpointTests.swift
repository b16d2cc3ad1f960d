import ErnieBasics
import Foundation
import Testing

@testable import ErnieModels

@Suite struct ShardedCheckpointTests {
    /// A micro BertModel saved by transformers with `max_shard_size="1KB"` (4 shards + index).
    @Test func readsTransformersShards() throws {
        let directory = TestSupport.fixture("sharded_micro")
        let checkpoint = try SafetensorsCheckpoint(directory: directory)
        #expect(checkpoint.files.count == 4)
        #expect(checkpoint.source.hasSuffix("model.safetensors.index.json"))
        let sums = TestSupport.goldens["sharded_micro"]!["parameter_sums"]!.objectValue!
        #expect(checkpoint.tensorNames == sums.keys.sorted(by: JSONObject.codePointOrder))
        for (name, sum) in sums {
            let values = try checkpoint.floats(named: name)
            let total = values.reduce(0.0) { $0 + Double($1) }
            // Measured: 0 (the same float64 sums); bar 1e-12 allows another summation order.
            #expect(abs(total - sum.doubleValue!) < 1e-12, "\(name): \(total) vs \(sum)")
        }
        let config = try ModelCheckpoint.loadConfig(directory: directory)
        let table = ParameterTable(config: config, head: .base)
        let (tensors, report) = try ModelCheckpoint.loadFloats(checkpoint, table: table, options: StateDictLoadOptions(strict: true))
        #expect(tensors.count == table.parameters.count)
        #expect(report.missingKeys.isEmpty && report.unexpectedKeys.isEmpty)
    }

    /// Copies the micro checkpoint into a scratch directory, applies `edit` to its index JSON text, and returns the
    /// error message of opening it.
    func openingEditedIndex(_ edit: (inout String, URL) throws -> Void) throws -> String? {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = TestSupport.fixture("sharded_micro")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let index = directory.appendingPathComponent(SafetensorsCheckpoint.indexFileName)
        var text = try String(contentsOf: index, encoding: .utf8)
        try edit(&text, directory)
        try text.write(to: index, atomically: true, encoding: .utf8)
        do {
            _ = try SafetensorsCheckpoint(directory: directory)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    @Test func badIndexesThrowNamedErrors() throws {
        let missingShard = try openingEditedIndex { _, directory in
            try FileManager.default.removeItem(at: directory.appendingPathComponent("model-00002-of-00004.safetensors"))
        }
        #expect(missingShard?.contains("shard model-00002-of-00004.safetensors") == true)
        #expect(missingShard?.contains("does not exist") == true)

        let wrongShard = try openingEditedIndex { text, _ in
            text = text.replacingOccurrences(
                of: #""embeddings.word_embeddings.weight": "model-00001-of-00004.safetensors""#,
                with: #""embeddings.word_embeddings.weight": "model-00004-of-00004.safetensors""#)
        }
        #expect(wrongShard?.contains("puts \"embeddings.word_embeddings.weight\" in model-00004-of-00004.safetensors, which has no such tensor") == true)

        let escaping = try openingEditedIndex { text, _ in
            text = text.replacingOccurrences(of: #""model-00001-of-00004.safetensors""#, with: #""../model-00001-of-00004.safetensors""#)
        }
        #expect(escaping?.contains("must be a file name in the index's directory") == true)

        let noMap = try openingEditedIndex { text, _ in text = #"{"metadata": {}}"# }
        #expect(noMap?.contains("needs a \"weight_map\" object") == true)

        let notJSON = try openingEditedIndex { text, _ in text = "{" }
        #expect(notJSON?.contains("model.safetensors.index.json: invalid JSON") == true)

        let truncatedShard = try openingEditedIndex { _, directory in
            let url = directory.appendingPathComponent("model-00003-of-00004.safetensors")
            let data = try Data(contentsOf: url)
            try data.prefix(data.count - 3).write(to: url)
        }
        #expect(truncatedShard?.contains("model-00003-of-00004.safetensors: tensor") == true)
    }

    @Test func directoryWithoutWeights() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect { try SafetensorsCheckpoint(directory: directory) } throws: { error in
            String(describing: error).contains("holds neither model.safetensors nor model.safetensors.index.json")
        }
    }
}
