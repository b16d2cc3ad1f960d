import ErnieBasics
import Foundation
import Testing
@testable import ErnieModels

/// MindSpore `.ckpt` (tools/mindspore_format_fixture.py: tiny_bert under MindSpore model-zoo names, saved by
/// `mindspore.save_checkpoint` 2.10 with Adam moments, global_step and loss_scale beside the weights).
@Suite struct MindSporeWeightsTests {
    static let folder = TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_bert_mindspore")
    static let file = folder.appendingPathComponent("bert.ckpt")

    @Test func readsTheSafetensorsValuesExactly() throws {
        let mindspore = try MindSporeWeights(file: Self.file)
        let safetensors = try SafetensorsCheckpoint(directory: TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_bert"))
        for (name, shape) in safetensors.shapes {  // the MLM decoder is tied (in neither file)
            #expect(mindspore.shapes[name] == shape, "\(name)")
            #expect(try mindspore.floats(named: name) == safetensors.floats(named: name), "\(name)")
        }
        // Optimizer state and bookkeeping are not model tensors.
        #expect(mindspore.shapes.keys.allSatisfy { !$0.hasPrefix("adam_") && $0 != "global_step" && $0 != "loss_scale" })
        #expect(Set(mindspore.shapes.keys) == Set(safetensors.shapes.keys))
    }

    /// A folder with config.json and only the .ckpt loads like its safetensors twin (the decoder tied as transformers ties it).
    @Test func aFolderWithOnlyTheCheckpointLoads() throws {
        let (model, _, report) = try PretrainedWeights.loadBaseModel(from: Self.folder)
        let (reference, _, _) = try PretrainedWeights.loadBaseModel(from: TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_bert"))
        #expect(report.uninitializedParameters.isEmpty)
        for (name, tensor) in model.store.ordered { #expect(tensor.values == reference.store[name]!.values, "\(name)") }
        // The file itself, named directly.
        #expect(try ModelCheckpoint.openWeights(file: Self.file).shapes == MindSporeWeights(file: Self.file).shapes)
    }

    /// A tensor the writer sliced (several values with one tag, full dims each) reads as the joined contents; old-style
    /// embedding names map too.
    static func checkpoint(_ values: [(tag: String, dims: [Int], type: String, content: [UInt8])]) -> [UInt8] {
        var file = ProtobufWriter()
        for value in values {
            var tensor = ProtobufWriter()
            for dim in value.dims { tensor.appendInt64(field: 1, Int64(dim)) }
            tensor.appendString(field: 2, value.type)
            tensor.appendLengthDelimited(field: 3, value.content)
            var entry = ProtobufWriter()
            entry.appendString(field: 1, value.tag)
            entry.appendLengthDelimited(field: 2, tensor.bytes)
            file.appendLengthDelimited(field: 1, entry.bytes)
        }
        return file.bytes
    }

    static func floats(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

    static func write(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-ms-\(UUID().uuidString).ckpt")
        try Data(bytes).write(to: url)
        return url
    }

    @Test func slicesJoinAndOldNamesMap() throws {
        let url = try Self.write(Self.checkpoint([
            ("bert.bert.bert_embedding_postprocessor.embedding_table", [2, 3], "Float32", Self.floats([1, 2, 3, 4])),
            ("bert.bert.bert_embedding_postprocessor.embedding_table", [2, 3], "Float32", Self.floats([5, 6])),
            ("bert.bert.bert_embedding_postprocessor.full_position_embeddings", [1, 2], "Float16", [0x00, 0x3C, 0x00, 0xC0]),
            ("bert.cls1.layernorm.gamma", [2], "Float32", Self.floats([7, 8])),
        ]))
        defer { try? FileManager.default.removeItem(at: url) }
        let weights = try MindSporeWeights(file: url)
        #expect(try weights.floats(named: "bert.embeddings.token_type_embeddings.weight") == [1, 2, 3, 4, 5, 6])
        #expect(try weights.floats(named: "bert.embeddings.position_embeddings.weight") == [1, -2])
        #expect(try weights.floats(named: "cls.predictions.transform.LayerNorm.weight") == [7, 8])
    }

    @Test func damagedCheckpointsAreRefusedNamingTheFile() throws {
        func refusal(_ bytes: [UInt8]) throws -> String? {
            let url = try Self.write(bytes)
            defer { try? FileManager.default.removeItem(at: url) }
            do {
                let weights = try MindSporeWeights(file: url)
                for name in weights.shapes.keys { _ = try? weights.floats(named: name) }
                return nil
            } catch {
                #expect(String(describing: error).contains(url.path))
                return String(describing: error)
            }
        }
        // Contents shorter than dims say; an unknown type; a wrong wire type; a length past the end; not protobuf at all.
        #expect(try refusal(Self.checkpoint([("bert.cls1.output_bias", [4], "Float32", Self.floats([1, 2, 3]))]))?.contains("bert.cls1.output_bias") == true)
        #expect(try refusal(Self.checkpoint([("x", [1], "Complex64", Self.floats([1]))]))?.contains("Complex64") == true)
        #expect(try refusal([0x08, 0x01]) != nil)
        #expect(try refusal([0x0A, 0x7F, 0x0A]) != nil)
        #expect(try refusal(Array("PK\u{3}\u{4} this is a zip, not a checkpoint".utf8)) != nil)
        // A sliced tensor whose slices disagree on dims.
        #expect(try refusal(Self.checkpoint([("a", [2], "Float32", Self.floats([1])), ("a", [3], "Float32", Self.floats([2]))])) != nil)
    }

    /// Seeded random mutations of the fixture's bytes: each reads or is refused; none crashes.
    @Test func mutatedCheckpointsNeverCrash() throws {
        let original = [UInt8](try Data(contentsOf: Self.file).prefix(20_000))
        var random = SplitMix64(seed: 99)
        for _ in 0..<300 {
            let url = try Self.write(ByteMutator.mutate(original, random: &random))
            defer { try? FileManager.default.removeItem(at: url) }
            if let weights = try? MindSporeWeights(file: url) {
                for name in weights.shapes.keys { _ = try? weights.floats(named: name) }
            }
        }
    }
}
