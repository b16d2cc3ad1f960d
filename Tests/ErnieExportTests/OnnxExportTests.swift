import ErnieBasics
import ErnieEngine
import ErnieModels
import ErnieText
import ErnieTraining
import Foundation
import Testing
@testable import ErnieExport

/// Exported graphs run by the float64 reference interpreter (`OnnxReference`) against ernie's own forward pass on
/// the same padded batch, for every head; and the exporter's refusals.
@Suite struct OnnxExportTests {
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + (0..<40).map { "t\($0)" }

    /// A folder of `task`'s head with seeded random weights (and ERNIE 3.0's task-type table when `ernie`).
    static func folder(_ task: FineTuningTask?, ernie: Bool = false, activation: HiddenActivation = .gelu,
                       family: ModelType? = nil) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (vocabulary.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        var config = BertConfig(modelType: family ?? (ernie ? .ernie : .bert), vocabularySize: vocabulary.count, hiddenSize: 16, layerCount: 2,
                                attentionHeadCount: 4, intermediateSize: 32, hiddenActivation: activation, maxPositionEmbeddings: 32,
                                labelsById: [0: "O", 1: "B-X", 2: "I-X"])
        if ernie { config.useTaskId = true; config.taskTypeVocabularySize = 3 }
        if let task {
            let model = try FineTuningModel(task: task, config: config, seed: 3)
            try model.save(to: directory, tokenizer: TokenizerFiles(tokenizer: try BertTokenizer(directory: directory), modelMaxLength: 32))
        } else {
            let model = BertModel(try BertArchitecture(config), seed: 3)
            try ModelCheckpoint.save(directory: directory, table: ParameterTable(config: config, head: .base)) { spec in
                let tensor = model.store[spec.name]!
                return .borrowed(.float32, UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * 4))
            }
        }
        return directory
    }

    /// Three rows of lengths 7, 4 and 2, right-padded: ids, mask, token types (the second segment of row 0 is type 1).
    static let rows: [[Int32]] = [[2, 7, 8, 9, 3, 10, 3], [2, 11, 12, 3], [2, 3]]

    static func feeds(_ rows: [[Int32]], choices: Int? = nil) -> [String: OnnxReference.Array] {
        let length = rows.map(\.count).max()!
        var ids: [Double] = [], mask: [Double] = [], types: [Double] = []
        for row in rows {
            ids += row.map(Double.init) + Array(repeating: 0, count: length - row.count)
            mask += Array(repeating: 1, count: row.count) + Array(repeating: 0, count: length - row.count)
            types += row.indices.map { $0 >= 5 ? 1 : 0 } + Array(repeating: 0, count: length - row.count)
        }
        let shape = choices.map { [rows.count / $0, $0, length] } ?? [rows.count, length]
        return ["input_ids": .init(shape: shape, values: ids), "attention_mask": .init(shape: shape, values: mask),
                "token_type_ids": .init(shape: shape, values: types)]
    }

    static func batch(_ rows: [[Int32]]) -> FeatureBatch {
        FeatureBatch(rows.enumerated().map { index, row in
            EncodedFeature(rows: [TokenRow(inputIds: row, tokenTypeIds: row.indices.map { $0 >= 5 ? 1 : 0 })], exampleIndex: index)
        }, padId: 0)
    }

    static func maxDifference(_ a: [Double], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "\(a.count) vs \(b.count)")
        return zip(a, b).map { abs($0 - Double($1)) }.max() ?? 0
    }

    // Measured: ≤ 4.5e-7 between the float32 forward and the float64 interpreter; the bar is about 10× that.
    static let tolerance = 5e-6

    @Test(arguments: [FineTuningTask.sequenceClassification, .tokenClassification, .questionAnswering])
    func headsMatchTheForwardPass(_ task: FineTuningTask) throws {
        let directory = try Self.folder(task)
        let (bytes, _, exported) = try BertOnnxExport.export(directory: directory, task: nil, opset: 18)
        let graph = OnnxReference(bytes)
        #expect(graph.opset == 18 && graph.irVersion == 8)
        #expect(graph.inputs == ["input_ids", "attention_mask", "token_type_ids"])
        let outputs = graph.run(Self.feeds(Self.rows))
        let model = try FineTuningModel(task: task, config: try ModelCheckpoint.loadConfig(directory: directory), seed: 0)
        try model.load(from: directory)
        let out = try model(Self.batch(Self.rows), graph: .inference(), withLoss: false)
        switch exported {
        case .textClassification:
            #expect(graph.outputs == ["logits"] && outputs["logits"]!.shape == [3, 3])
            #expect(Self.maxDifference(outputs["logits"]!.values, out.logits.values) < Self.tolerance)
        case .tokenClassification:
            #expect(outputs["logits"]!.shape == [3, 7, 3])
            // Padded positions differ by design (ernie's padded rows are not compared): real tokens only.
            for (row, tokens) in Self.rows.enumerated() {
                let expected = Array(out.logits.values[(row * 7 * 3)..<((row * 7 + tokens.count) * 3)])
                let got = Array(outputs["logits"]!.values[(row * 7 * 3)..<((row * 7 + tokens.count) * 3)])
                #expect(Self.maxDifference(got, expected) < Self.tolerance)
            }
        case .questionAnswering:
            #expect(graph.outputs == ["start_logits", "end_logits"] && outputs["start_logits"]!.shape == [3, 7])
            for (row, tokens) in Self.rows.enumerated() {
                let range = (row * 7)..<(row * 7 + tokens.count)
                #expect(Self.maxDifference(Array(outputs["start_logits"]!.values[range]), Array(out.logits.values[range])) < Self.tolerance)
                #expect(Self.maxDifference(Array(outputs["end_logits"]!.values[range]), Array(out.endLogits!.values[range])) < Self.tolerance)
            }
        default:
            Issue.record("unexpected task \(exported)")
        }
    }

    @Test(arguments: [(false, HiddenActivation.gelu), (true, .geluNew), (false, .relu)])
    func encoderMatchesTheForwardPass(_ ernie: Bool, _ activation: HiddenActivation) throws {
        let directory = try Self.folder(nil, ernie: ernie, activation: activation)
        let (bytes, _, task) = try BertOnnxExport.export(directory: directory, task: nil, opset: 17)
        #expect(task == .featureExtraction)
        let graph = OnnxReference(bytes)
        #expect(graph.outputs == ["last_hidden_state", "pooler_output"])
        let outputs = graph.run(Self.feeds(Self.rows))
        let (model, _, _) = try PretrainedWeights.loadBaseModel(from: directory)
        let (sequence, pooled) = try model(Self.batch(Self.rows).inputs, graph: .inference())
        for (row, tokens) in Self.rows.enumerated() {
            let range = (row * 7 * 16)..<((row * 7 + tokens.count) * 16)
            #expect(Self.maxDifference(Array(outputs["last_hidden_state"]!.values[range]), Array(sequence.values[range])) < Self.tolerance)
        }
        #expect(Self.maxDifference(outputs["pooler_output"]!.values, pooled!.values) < Self.tolerance)
    }

    /// ERNIE-M: no token types (two inputs), positions from 2, its tensor names; every head against the forward pass.
    @Test(arguments: [nil, FineTuningTask.sequenceClassification, .tokenClassification, .questionAnswering])
    func ernieMMatchesTheForwardPass(_ task: FineTuningTask?) throws {
        let directory = try Self.folder(task, family: .ernieM)
        let (bytes, _, exported) = try BertOnnxExport.export(directory: directory, task: nil, opset: 18)
        let graph = OnnxReference(bytes)
        #expect(graph.inputs == ["input_ids", "attention_mask"])
        #expect(graph.initializers.keys.contains("ernie_m.encoder.layers.1.self_attn.self_attn.q_proj.weight.T") || task == nil)
        var feeds = Self.feeds(Self.rows)
        feeds["token_type_ids"] = nil
        let outputs = graph.run(feeds)
        let batch = FeatureBatch(Self.rows.enumerated().map { index, row in
            EncodedFeature(rows: [TokenRow(inputIds: row, tokenTypeIds: row.map { _ in 0 })], exampleIndex: index)
        }, padId: 0)
        guard let task else {
            #expect(exported == .featureExtraction)
            let (model, _, _) = try PretrainedWeights.loadBaseModel(from: directory)
            let (sequence, _) = try model(batch.inputs, graph: .inference())
            for (row, tokens) in Self.rows.enumerated() {
                let range = (row * 7 * 16)..<((row * 7 + tokens.count) * 16)
                #expect(Self.maxDifference(Array(outputs["last_hidden_state"]!.values[range]), Array(sequence.values[range])) < Self.tolerance)
            }
            return
        }
        let model = try FineTuningModel(task: task, config: try ModelCheckpoint.loadConfig(directory: directory), seed: 0)
        try model.load(from: directory)
        let out = try model(batch, graph: .inference(), withLoss: false)
        let name = task == .questionAnswering ? "start_logits" : "logits"
        let width = task == .sequenceClassification ? 3 * 3 : 0
        if width > 0 {
            #expect(Self.maxDifference(outputs[name]!.values, out.logits.values) < Self.tolerance)
        } else {
            let perToken = task == .tokenClassification ? 3 : 1
            for (row, tokens) in Self.rows.enumerated() {
                let range = (row * 7 * perToken)..<((row * 7 + tokens.count) * perToken)
                #expect(Self.maxDifference(Array(outputs[name]!.values[range]), Array(out.logits.values[range])) < Self.tolerance)
            }
        }
    }

    /// The int8 graph computes what ernie's int8 layers compute: against `--dtype int8`'s forward pass far closer than
    /// either is to fp32 (the interpreter rounds in float64, so an activation at a level boundary may land on the
    /// neighbouring level: the bar leaves room for that, not for another quantisation).
    @Test(arguments: [17, 18])
    func int8GraphMatchesTheInt8ForwardPass(_ opset: Int) throws {
        let directory = try Self.folder(.sequenceClassification)
        let (bytes, _, _) = try BertOnnxExport.export(directory: directory, task: nil, opset: opset, quantized: true)
        let graph = OnnxReference(bytes)
        #expect(graph.nodes.filter { $0.opType == "MatMulInteger" }.count == 2 * 6 + 2)   // 6 per layer, pooler, classifier
        #expect(!graph.nodes.contains { $0.opType == "MatMul" && graph.initializers[$0.inputs[1]] != nil })
        let outputs = graph.run(Self.feeds(Self.rows))
        let model = try FineTuningModel(task: .sequenceClassification, config: try ModelCheckpoint.loadConfig(directory: directory), seed: 0)
        try model.load(from: directory)
        let int8 = try model(Self.batch(Self.rows), graph: .inference(precision: .int8, weightCache: WeightCache()), withLoss: false)
        let fp32 = try model(Self.batch(Self.rows), graph: .inference(), withLoss: false)
        let quantisationError = Self.maxDifference(int8.logits.values.map(Double.init), fp32.logits.values)
        let difference = Self.maxDifference(outputs["logits"]!.values, int8.logits.values)
        // Measured: int8 − fp32 1.8e-4; graph − int8 forward 6.7e-10, or 7.2e-8 when a float64-vs-float32 difference
        // moved one activation across a rounding boundary. The bar: 100× closer to the int8 forward than int8 is to fp32.
        #expect(quantisationError > 5e-5)
        #expect(difference < quantisationError / 100)
    }

    /// An exported folder loads back as a model folder: the weights read from model.onnx (transposed Linear weights
    /// undone, int8 weights dequantised) are the checkpoint's.
    @Test func exportedWeightsReadBack() throws {
        let directory = try Self.folder(.sequenceClassification, ernie: true)
        let original = try ModelCheckpoint.openWeights(directory: directory)
        for quantized in [false, true] {
            let (bytes, _, _) = try BertOnnxExport.export(directory: directory, task: nil, opset: 18, quantized: quantized)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-onnx-\(UUID().uuidString).onnx")
            try Data(bytes).write(to: file)
            let weights = try OnnxWeights(file: file)
            #expect(weights.shapes == original.shapes)
            for (name, shape) in original.shapes {
                let expected = try original.floats(named: name), got = try weights.floats(named: name)
                if quantized && shape.count == 2 && !name.contains("embeddings") {
                    // value · scale with |value| ≤ 127: within half a level of the weight's largest magnitude / 127.
                    let rows = shape[0], columns = shape[1]
                    for row in 0..<rows {
                        let level = expected[(row * columns)..<((row + 1) * columns)].map(abs).max()! / 127
                        for column in 0..<columns { #expect(abs(got[row * columns + column] - expected[row * columns + column]) <= level * 0.5001) }
                    }
                } else {
                    #expect(got == expected, "\(name)")
                }
            }
        }
    }

    @Test func multipleChoiceTakesChoicesAsAnAxis() throws {
        let directory = try Self.folder(.multipleChoice)
        let (bytes, _, _) = try BertOnnxExport.export(directory: directory, task: nil, opset: 18)
        let rows: [[Int32]] = [[2, 7, 3, 9, 3], [2, 8, 3], [2, 10, 11, 3], [2, 12, 3, 13, 14]]
        let outputs = OnnxReference(bytes).run(Self.feeds(rows, choices: 2))
        #expect(outputs["logits"]!.shape == [2, 2])
        let model = try FineTuningModel(task: .multipleChoice, config: try ModelCheckpoint.loadConfig(directory: directory), seed: 0)
        try model.load(from: directory)
        let features = [0, 1].map { example in
            EncodedFeature(rows: rows[(example * 2)..<(example * 2 + 2)].map { TokenRow(inputIds: $0, tokenTypeIds: $0.indices.map { $0 >= 5 ? 1 : 0 }) },
                           exampleIndex: example)
        }
        let out = try model(FeatureBatch(features, padId: 0), graph: .inference(), withLoss: false)
        #expect(Self.maxDifference(outputs["logits"]!.values, out.logits.values) < Self.tolerance)
    }

    @Test func refusals() throws {
        let directory = try Self.folder(.sequenceClassification)
        #expect(throws: ExportError.self) { try BertOnnxExport.export(directory: directory, task: nil, opset: 16) }
        #expect(throws: ExportError.self) { try BertOnnxExport.export(directory: directory, task: .questionAnswering, opset: 18) }
        // A classifier folder exports its encoder too.
        #expect(try BertOnnxExport.export(directory: directory, task: .featureExtraction, opset: 18).task == .featureExtraction)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-export-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: (any Error).self) { try BertOnnxExport.export(directory: empty, task: nil, opset: 18) }
    }

    @Test func externalDataKeepsTheBytesOutOfTheGraph() throws {
        let directory = try Self.folder(.sequenceClassification)
        let inline = try BertOnnxExport.export(directory: directory, task: nil, opset: 18)
        let external = try BertOnnxExport.export(directory: directory, task: nil, opset: 18, externalData: ("model.onnx_data", 0))
        // Below the threshold the weights stay inside.
        #expect(try BertOnnxExport.export(directory: directory, task: nil, opset: 18, externalData: ("model.onnx_data", 1 << 30)).externalData == nil)
        #expect(external.model.count < inline.model.count)
        #expect(external.externalData!.count >= inline.model.count - external.model.count)
    }
}
