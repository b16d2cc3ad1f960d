import Foundation
import Testing

@testable import ErnieModels

@Suite struct ModelCheckpointTests {
    /// Loading the tiny transformers checkpoints (saved by BertForPreTraining / ErnieForPreTraining) gives every
    /// parameter, values equal to the file's.
    @Test(arguments: [ModelType.bert, .ernie])
    func loadsTransformersCheckpoint(modelType: ModelType) throws {
        let directory = TestSupport.fixture("tiny_\(modelType.rawValue)")
        let config = try ModelCheckpoint.loadConfig(directory: directory)
        #expect(config.architectures == [ModelHead.pretraining.architectureName(for: modelType)])
        #expect(config == {
            var expected = TestSupport.tinyConfig(modelType)
            expected.architectures = config.architectures
            expected.transformersVersion = config.transformersVersion
            expected.extraFields = config.extraFields
            return expected
        }())
        let checkpoint = try SafetensorsCheckpoint(directory: directory)
        let table = ParameterTable(config: config, head: .pretraining)
        let (tensors, report) = try ModelCheckpoint.loadFloats(checkpoint, table: table, options: StateDictLoadOptions(strict: true))
        #expect(tensors.count == table.parameters.count)
        for spec in table.parameters { #expect(tensors[spec.name]?.count == spec.elementCount, "\(spec.name)") }
        #expect(report.uninitializedParameters.isEmpty)
        // A classification head starts from the pretraining checkpoint: the head is missing, cls.* unexpected.
        var classification = config
        classification.setLabelCount(3)
        let headTable = ParameterTable(config: classification, head: .sequenceClassification)
        let (headTensors, headReport) = try ModelCheckpoint.loadFloats(checkpoint, table: headTable)
        #expect(headReport.uninitializedParameters == ["classifier.weight", "classifier.bias"])
        #expect(headTensors["\(modelType.rawValue).pooler.dense.weight"] == tensors["\(modelType.rawValue).pooler.dense.weight"])
    }

    /// ernie's save writes the same key set as transformers' `save_pretrained` for every head, config.json
    /// included, and loads back unchanged.
    @Test(arguments: ModelHead.allCases)
    func saveWritesTransformersKeySet(head: ModelHead) throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = TestSupport.tinyConfig(.ernie, head: head)
        let table = ParameterTable(config: config, head: head)
        var values = [String: [Float]]()
        for (index, spec) in table.parameters.enumerated() {
            values[spec.name] = (0..<spec.elementCount).map { Float(index) + Float($0) * 1e-3 }
        }
        try ModelCheckpoint.save(directory: directory, table: table, tensors: values, durable: false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["config.json", "model.safetensors"])
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent("model.safetensors"))
        let golden = try #require(TestSupport.goldens["key_sets"]?["ernie.\(head.rawValue)"])
        #expect(file.names == golden["saved"]!.strings)
        #expect(file.metadata == ["format": "pt"])
        let savedConfig = try ModelCheckpoint.loadConfig(directory: directory)
        #expect(savedConfig.architectures == [head.architectureName(for: .ernie)])
        #expect(savedConfig.extraFields["dtype"] == .string("float32"))
        let (loaded, report) = try ModelCheckpoint.loadFloats(
            SafetensorsCheckpoint(directory: directory), table: ParameterTable(config: savedConfig, head: head),
            options: StateDictLoadOptions(strict: true))
        #expect(report.uninitializedParameters.isEmpty)
        #expect(loaded == values)
    }

    @Test func saveRejectsMissingOrMisshapenTensors() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = ParameterTable(config: TestSupport.tinyConfig(.bert), head: .base)
        #expect { try ModelCheckpoint.save(directory: directory, table: table, tensors: [:]) } throws: { error in
            String(describing: error).contains("\"embeddings.word_embeddings.weight\": no values given")
        }
        #expect {
            try ModelCheckpoint.save(directory: directory, table: table) { _ in .float32([1, 2, 3]) }
        } throws: { error in
            String(describing: error).contains("shape [200, 64] of F32 needs 51200 bytes, got 12")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
