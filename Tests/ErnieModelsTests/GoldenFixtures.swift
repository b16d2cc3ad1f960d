import ErnieBasics
import Foundation
import Testing

@testable import ErnieModels

/// One tiny golden case of tools/model_goldens.py, for model tests: the HF checkpoint it starts from, the
/// inputs, PyTorch's outputs, loss, every parameter gradient and the losses of 10 AdamW steps.
///
/// Weights: load `checkpoint` into `table` with `ModelCheckpoint.loadFloats`, then (classification heads)
/// overwrite `classifier.*` with `initialParameters`. Gradients are keyed by `table` names.
struct TinyGolden {
    let modelType: ModelType
    let head: ModelHead
    let table: ParameterTable
    let checkpoint: SafetensorsCheckpoint
    let file: SafetensorsFile
    /// goldens.json `tiny.heads["<type>.<head>"]`: loss, (mlm_loss, nsp_loss), adamw_losses, parameters, ….
    let scalars: JSONValue

    /// Heads with golden files.
    static let heads: [ModelHead] = [.pretraining, .sequenceClassification, .tokenClassification]

    init(_ modelType: ModelType, _ head: ModelHead) throws {
        self.modelType = modelType
        self.head = head
        let directory = TestSupport.fixture("tiny_\(modelType.rawValue)")
        var config = try ModelCheckpoint.loadConfig(directory: directory)
        if head == .sequenceClassification { config.setLabelCount(3) }
        if head == .tokenClassification { config.setLabelCount(5) }
        table = ParameterTable(config: config, head: head)
        checkpoint = try SafetensorsCheckpoint(directory: directory)
        file = try SafetensorsFile(contentsOf: TestSupport.fixture("tiny_\(modelType.rawValue)_\(head.rawValue).safetensors"))
        scalars = TestSupport.goldens["tiny"]!["heads"]!["\(modelType.rawValue).\(head.rawValue)"]!
    }

    /// Initial weights by parameter name.
    func initialParameters() throws -> [String: [Float]] {
        var (tensors, _) = try ModelCheckpoint.loadFloats(checkpoint, table: table)
        for info in file.tensors where info.name.hasPrefix("param.") {
            tensors[String(info.name.dropFirst("param.".count))] = try file.floats(named: info.name)
        }
        return tensors
    }

    /// An int64 input (`input_ids`, `attention_mask`, `token_type_ids`, `task_type_ids`, `labels`, …) and its shape.
    func integers(_ name: String) throws -> (values: [Int64], shape: [Int]) {
        (try file.integers(named: name), try file.requireInfo(named: name).shape)
    }

    /// A float output (`prediction_logits`, `seq_relationship_logits`, `logits`, `loss`, `grad.<name>`, …).
    func floats(_ name: String) throws -> (values: [Float], shape: [Int]) {
        (try file.floats(named: name), try file.requireInfo(named: name).shape)
    }
}

@Suite struct GoldenFixtureTests {
    static let cases: [(ModelType, ModelHead)] = [ModelType.bert, .ernie].flatMap { type in TinyGolden.heads.map { (type, $0) } }

    /// The fixtures are complete and consistent with the parameter table the engine binds to.
    @Test(arguments: 0..<cases.count)
    func tinyGoldenIsComplete(index: Int) throws {
        let (modelType, head) = Self.cases[index]
        let golden = try TinyGolden(modelType, head)
        let weights = try golden.initialParameters()
        #expect(Set(weights.keys) == Set(golden.table.names))
        for spec in golden.table.parameters {
            #expect(weights[spec.name]?.count == spec.elementCount, "\(spec.name)")
            let gradient = try golden.floats("grad." + spec.name)
            #expect(gradient.shape == spec.shape, "grad.\(spec.name)")
            #expect(gradient.values.allSatisfy { $0.isFinite })
        }
        #expect(golden.scalars["parameters"]!.strings == golden.table.names)
        // transformers' Trainer also lists the tied alias cls.predictions.decoder.weight; named_parameters() has it once.
        let decay = Set(golden.scalars["decay_parameters"]!.strings).intersection(golden.table.names)
        #expect(decay == Set(golden.table.parameters.filter(\.weightDecay).map(\.name)))
        let ids = try golden.integers("input_ids")
        #expect(ids.shape == [3, 16])
        #expect(try golden.integers("attention_mask").values.reduce(0, +) == 16 + 11 + 7)
        #expect((golden.file.info(named: "task_type_ids") != nil) == (modelType == .ernie))
        let loss = try golden.floats("loss").values[0]
        #expect(Double(loss) == golden.scalars["loss"]!.doubleValue!)
        let adamw = golden.scalars["adamw_losses"]!.arrayValue!.map { $0.doubleValue! }
        #expect(adamw.count == 10 && adamw[0] == Double(loss) && adamw[9] < adamw[0])
        // The padding row of the word embeddings gets no gradient from the lookup (padding_idx = pad_token_id = 0);
        // with the MLM head the tied decoder still gives it one.
        let wordGradient = try golden.floats("grad.\(modelType.rawValue).embeddings.word_embeddings.weight").values
        #expect(wordGradient.prefix(64).allSatisfy { $0 == 0 } == !head.hasMaskedLMHead)
        switch head {
        case .pretraining:
            #expect(try golden.floats("prediction_logits").shape == [3, 16, 200])
            #expect(try golden.floats("seq_relationship_logits").shape == [3, 2])
            #expect(try golden.integers("next_sentence_label").values == [0, 1, 0])
        case .sequenceClassification:
            #expect(try golden.floats("logits").shape == [3, 3])
        default:
            #expect(try golden.floats("logits").shape == [3, 16, 5])
        }
    }

    @Test func otherActivationsAreRecorded() throws {
        let golden = try TinyGolden(.bert, .pretraining)
        #expect(try golden.floats("relu.prediction_logits").shape == [3, 16, 200])
        #expect(try golden.floats("gelu_new.seq_relationship_logits").shape == [3, 2])
        #expect(golden.scalars["relu_loss"]!.doubleValue! != golden.scalars["loss"]!.doubleValue!)
    }

    @Test func miniLMOutputsAreComplete() throws {
        let file = try SafetensorsFile(contentsOf: TestSupport.fixture("minilm_outputs.safetensors"))
        for (index, length) in [1, 7, 33, 64].enumerated() {
            #expect(file.info(named: "single.\(index).input_ids")?.shape == [1, length])
            #expect(file.info(named: "single.\(index).last_hidden_state")?.shape == [1, length, 384])
            #expect(file.info(named: "single.\(index).pooler_output")?.shape == [1, 384])
        }
        #expect(file.info(named: "batch.last_hidden_state")?.shape == [4, 16, 384])
        #expect(try file.integers(named: "batch.attention_mask").reduce(0, +) == 2 + 5 + 9 + 16)
    }
}
