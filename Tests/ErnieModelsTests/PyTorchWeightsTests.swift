import ErnieBasics
import ErnieEngine
import Foundation
import Testing
@testable import ErnieModels

/// `pytorch_model.bin` (tools/torch_format_fixture.py: tiny_bert's weights in torch.save's format, with a strided view,
/// a tied storage, a parameter and an int64 buffer) and the restricted unpickler under hostile input.
@Suite struct PyTorchWeightsTests {
    static let folder = TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_bert_torch")
    static let file = folder.appendingPathComponent(PyTorchWeights.fileName)

    @Test func readsTheSafetensorsValuesExactly() throws {
        let torch = try PyTorchWeights(file: Self.file)
        let safetensors = try SafetensorsCheckpoint(directory: TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_bert"))
        for (name, shape) in safetensors.shapes {
            #expect(torch.shapes[name] == shape, "\(name)")
            #expect(try torch.floats(named: name) == safetensors.floats(named: name), "\(name)")
        }
        // The int64 buffer is listed, not read as floats (and not a parameter).
        #expect(torch.shapes["bert.embeddings.position_ids"] == [1, safetensors.shapes["bert.embeddings.position_embeddings.weight"]![0]])
        #expect(throws: SafetensorsError.self) { try torch.floats(named: "bert.embeddings.position_ids") }
        // The tied view: the word embeddings from their second row on.
        let word = try safetensors.floats(named: "bert.embeddings.word_embeddings.weight")
        let width = safetensors.shapes["bert.embeddings.word_embeddings.weight"]![1]
        #expect(try torch.floats(named: "tied.word_embeddings.tail") == Array(word[width...]))
    }

    /// torch's legacy (pre-1.6) format, written by torch 2.13 itself (`tools/torch_format_fixture.py --legacy`):
    /// every tensor equals the safetensors original, the strided view and the int64 buffer included.
    @Test func readsTheLegacyFormatExactly() throws {
        let legacy = try PyTorchWeights(file: TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_bert_torch_legacy/pytorch_model.bin"))
        let safetensors = try SafetensorsCheckpoint(directory: TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_bert"))
        for (name, shape) in safetensors.shapes {
            #expect(legacy.shapes[name] == shape, "\(name)")
            #expect(try legacy.floats(named: name) == safetensors.floats(named: name), "\(name)")
        }
        #expect(legacy.shapes["bert.embeddings.position_ids"] == [1, safetensors.shapes["bert.embeddings.position_embeddings.weight"]![0]])
    }

    /// A legacy file cut short or with a storage claiming more elements than the file holds is refused with the
    /// byte offset; seeded mutations of its bytes load or throw, never crash.
    @Test func damagedLegacyFilesAreRefused() throws {
        let original = try Data(contentsOf: TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_bert_torch_legacy/pytorch_model.bin"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pytorch_model.bin")
        try original.prefix(original.count - 100).write(to: file)
        #expect { try PyTorchWeights(file: file) } throws: { "\($0)".contains("past the end of the file") && "\($0)".contains("at byte") }
        try original.prefix(40).write(to: file)
        #expect(throws: (any Error).self) { try PyTorchWeights(file: file) }
        var random = RandomGenerator(seed: 11)
        var refused = 0
        for _ in 0..<60 {
            var bytes = [UInt8](original)
            for _ in 0..<3 {
                let position = Int(random.uniform() * Double(min(bytes.count, 4096)))
                bytes[position] = UInt8(truncatingIfNeeded: Int(random.uniform() * 256))
            }
            try Data(bytes).write(to: file)
            do { _ = try PyTorchWeights(file: file) } catch { refused += 1 }
        }
        #expect(refused > 0)
    }

    /// A folder holding only pytorch_model.bin loads like its safetensors twin.
    @Test func aFolderWithOnlyTheBinLoads() throws {
        let (model, _, report) = try PretrainedWeights.loadBaseModel(from: Self.folder)
        let (reference, _, _) = try PretrainedWeights.loadBaseModel(from: TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_bert"))
        #expect(report.uninitializedParameters.isEmpty)
        for (name, tensor) in model.store.ordered { #expect(tensor.values == reference.store[name]!.values, "\(name)") }
    }

    /// `pytorch_model.bin.index.json`: tensors from the shards its weight map names.
    @Test func shardedBinFolders() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-sharded-bin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for shard in ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"] {
            try FileManager.default.copyItem(at: Self.file, to: directory.appendingPathComponent(shard))
        }
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("config.json"), to: directory.appendingPathComponent("config.json"))
        let whole = try PyTorchWeights(file: Self.file)
        let names = whole.shapes.keys.sorted()
        let map = names.enumerated().map { "\"\($0.element)\": \"pytorch_model-0000\($0.offset % 2 + 1)-of-00002.bin\"" }
        try Data("{\"metadata\": {}, \"weight_map\": {\(map.joined(separator: ", "))}}".utf8)
            .write(to: directory.appendingPathComponent(PyTorchWeights.indexFileName))
        let sharded = try ModelCheckpoint.openWeights(directory: directory)
        #expect(sharded.shapes == whole.shapes)
        for name in names where name != "bert.embeddings.position_ids" { #expect(try sharded.floats(named: name) == whole.floats(named: name)) }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("pytorch_model-00002-of-00002.bin"))
        #expect { try ModelCheckpoint.openWeights(directory: directory) } throws: { String(describing: $0).contains("does not exist") }
    }

    /// Reads a pickle given as opcodes.
    static func load(_ bytes: [UInt8], allowed: Set<PickleGlobal> = PyTorchWeights.allowed) throws -> PickleValue {
        try bytes.withUnsafeBytes { try PickleMachine.load($0, allowed: allowed, source: "test.pkl") }
    }

    @Test func otherGlobalsAreRefusedByName() throws {
        // The classic payload: os.system('echo owned') through GLOBAL + REDUCE.
        let payload: [UInt8] = [0x80, 0x02] + Array("cos\nsystem\n".utf8) + [0x8C, 10] + Array("echo owned".utf8) + [0x85, 0x52, 0x2E]
        #expect { try Self.load(payload) } throws: { String(describing: $0).contains("refused global os.system") }
        // The same through STACK_GLOBAL.
        let stacked: [UInt8] = [0x80, 0x04, 0x8C, 8] + Array("builtins".utf8) + [0x8C, 4] + Array("eval".utf8) + [0x93, 0x2E]
        #expect { try Self.load(stacked) } throws: { String(describing: $0).contains("refused global builtins.eval") }
        // Opcodes outside a state dict are refused by name.
        #expect { try Self.load([0x80, 0x02, 0x28, 0x69] + Array("os\nsystem\n".utf8)) } throws: { String(describing: $0).contains("INST") }
    }

    @Test func nestingIsBounded() throws {
        // 10,000 nested one-element tuples: refused at depth 64 instead of a tree too deep to free.
        let deep: [UInt8] = [0x80, 0x02, 0x4E] + [UInt8](repeating: 0x85, count: 10_000) + [0x2E]
        #expect { try Self.load(deep) } throws: { String(describing: $0).contains("nested deeper") }
    }

    /// Random mutations of the fixture's pickle: each loads or throws; none crashes or reads outside the buffer.
    @Test func mutatedPicklesNeverCrash() throws {
        let archive = try Data(contentsOf: Self.file)
        // The pickle is the first member: its bytes follow the 30-byte local header and the name.
        let nameLength = Int(archive[26]) | Int(archive[27]) << 8
        let start = 30 + nameLength + (Int(archive[28]) | Int(archive[29]) << 8)
        let size = Int(archive[22]) | Int(archive[23]) << 8 | Int(archive[24]) << 16 | Int(archive[25]) << 24
        let pickle = [UInt8](archive[start..<(start + size)])
        #expect(try Self.load(pickle).items?.count ?? 0 > 10)
        var random = RandomGenerator(seed: 7)
        var loaded = 0, refused = 0
        for _ in 0..<3000 {
            var mutated = pickle
            for _ in 0..<(1 + Int(random.uniform() * 4)) {
                let position = Int(random.uniform() * Double(mutated.count))
                switch Int(random.uniform() * 3) {
                case 0: mutated[position] = UInt8(truncatingIfNeeded: Int(random.uniform() * 256))
                case 1: mutated.removeSubrange(position..<min(mutated.count, position + 1 + Int(random.uniform() * 8)))
                default: mutated.insert(UInt8(truncatingIfNeeded: Int(random.uniform() * 256)), at: position)
                }
                if mutated.isEmpty { mutated = [0x2E] }
            }
            do { _ = try Self.load(mutated); loaded += 1 } catch is PickleError { refused += 1 }
        }
        #expect(loaded + refused == 3000 && refused > 0)
    }
}

/// `.pdparams` written by paddle.save (tools/paddle_format_fixture.py: tiny_ernie under PaddleNLP's names and
/// [in, out] Linear layout, protocol 4; a Linear with protocol 2).
@Suite struct PaddleWeightsTests {
    static let folder = TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_ernie_paddle")

    @Test func namesAndLayoutMapToTransformers() throws {
        let paddle = try PaddleWeights(file: Self.folder.appendingPathComponent(PaddleWeights.fileName))
        let safetensors = try SafetensorsCheckpoint(directory: TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_ernie"))
        for (name, shape) in safetensors.shapes where !name.hasSuffix("position_ids") {
            #expect(paddle.shapes[name] == shape, "\(name)")
            #expect(try paddle.floats(named: name) == safetensors.floats(named: name), "\(name)")
        }
        #expect(Set(paddle.shapes.keys) == Set(safetensors.shapes.keys.filter { !$0.hasSuffix("position_ids") }))
    }

    @Test func aPaddleNLPFolderLoads() throws {
        let (model, _, report) = try PretrainedWeights.loadBaseModel(from: Self.folder)
        let (reference, _, _) = try PretrainedWeights.loadBaseModel(from: TinyModelGoldenTests.fixtures.appendingPathComponent("tiny_ernie"))
        #expect(report.uninitializedParameters.isEmpty)
        for (name, tensor) in model.store.ordered { #expect(tensor.values == reference.store[name]!.values, "\(name)") }
    }

    @Test func protocolTwoBytesAsLatin1Text() throws {
        let paddle = try PaddleWeights(file: Self.folder.appendingPathComponent("linear_protocol2.pdparams"))
        let expected = try JSONParser.parse(try Data(contentsOf: Self.folder.appendingPathComponent("linear_protocol2.json")))
        // Paddle's weight [in 3, out 2] reads as transformers' [out 2, in 3].
        let rows = expected.objectValue!["weight"]!.arrayValue!.map { $0.arrayValue!.map { Float($0.doubleValue!) } }
        #expect(paddle.shapes["weight"] == [2, 3])
        #expect(try paddle.floats(named: "weight") == (0..<2).flatMap { out in (0..<3).map { rows[$0][out] } })
        #expect(try paddle.floats(named: "bias") == expected.objectValue!["bias"]!.arrayValue!.map { Float($0.doubleValue!) })
    }

    /// Arrays paddle.save (protocol 2/3) split into `name@@.i` slices come back whole, in the shape
    /// `UnpackBigParamInfor@@` gives (tools/paddle_split_fixture.py), a Linear weight still read transposed.
    @Test func splitParametersAreJoined() throws {
        let paddle = try PaddleWeights(file: Self.folder.appendingPathComponent("split_protocol2.pdparams"))
        let expected = try JSONParser.parse(try Data(contentsOf: Self.folder.appendingPathComponent("split_protocol2.json"))).objectValue!
        func rows(_ name: String) -> [[Float]] { expected[name]!.arrayValue!.map { $0.arrayValue!.map { Float($0.doubleValue!) } } }
        let weight = rows("ernie.encoder.layers.0.linear1.weight")  // [in 5, out 3]
        #expect(paddle.shapes["ernie.encoder.layer.0.intermediate.dense.weight"] == [3, 5])
        #expect(try paddle.floats(named: "ernie.encoder.layer.0.intermediate.dense.weight") == (0..<3).flatMap { out in (0..<5).map { weight[$0][out] } })
        #expect(paddle.shapes["ernie.embeddings.word_embeddings.weight"] == [7, 3])
        #expect(try paddle.floats(named: "ernie.embeddings.word_embeddings.weight") == rows("ernie.embeddings.word_embeddings.weight").flatMap { $0 })
        #expect(paddle.shapes.count == 3)
    }

    @Test func paddleNamesFollowPaddleNLP() {
        #expect(PaddleNames.huggingFace("ernie.encoder.layers.3.self_attn.q_proj.weight") == ("ernie.encoder.layer.3.attention.self.query.weight", true))
        #expect(PaddleNames.huggingFace("ernie.encoder.layers.0.norm2.bias") == ("ernie.encoder.layer.0.output.LayerNorm.bias", false))
        #expect(PaddleNames.huggingFace("ernie.embeddings.word_embeddings.weight") == ("ernie.embeddings.word_embeddings.weight", false))
        #expect(PaddleNames.huggingFace("cls.predictions.decoder_weight") == ("cls.predictions.decoder.weight", false))
        #expect(PaddleNames.huggingFace("cls.predictions.transform.weight") == ("cls.predictions.transform.dense.weight", true))
        #expect(PaddleNames.huggingFace("classifier.weight") == ("classifier.weight", true))
    }
}
