import ErnieBasics
import Foundation
import Testing

@testable import ErnieModels

@Suite struct StateDictMappingTests {
    static let cases: [JSONValue] = TestSupport.goldens["loading"]!["cases"]!.arrayValue!

    static func shapes(of checkpoint: String) -> [String: [Int]] {
        let object = TestSupport.goldens["loading"]!["checkpoints"]![checkpoint]!.objectValue!
        return object.reduce(into: [:]) { result, member in result[member.key] = member.value.arrayValue!.map { $0.intValue! } }
    }

    /// For every (checkpoint saved by transformers, model class) pair — all heads of both families into each
    /// other, legacy gamma/beta + position_ids + decoder-alias files, files with a missing and an extra key,
    /// cross-family files — missing and unexpected keys equal `from_pretrained(output_loading_info=True)`, and
    /// the pairs transformers refuses (size mismatch, "corrupted" state dict) throw.
    @Test(arguments: 0..<cases.count)
    func matchesTransformersLoadingInfo(index: Int) throws {
        let golden = Self.cases[index]
        let checkpoint = golden["checkpoint"]!.stringValue!
        let modelType = try #require(ModelType(rawValue: golden["family"]!.stringValue!))
        let head = try #require(ModelHead(rawValue: golden["head"]!.stringValue!))
        // transformers builds the model from the checkpoint's config.json: task ids only when it came from ERNIE.
        var config = TestSupport.tinyConfig(modelType, head: head)
        config.useTaskId = modelType == .ernie && checkpoint.hasPrefix("ernie.")
        let table = ParameterTable(config: config, head: head)
        let label = "\(checkpoint) → \(modelType.classPrefix)\(head.classSuffix)"
        if let error = golden["error"]?.stringValue {
            #expect(throws: StateDictError.self, "\(label): transformers says \(error)") {
                try StateDictMapping.resolve(table: table, checkpointShapes: Self.shapes(of: checkpoint))
            }
            if error.contains("size mismatch") {
                // transformers' ignore_mismatched_sizes path: the mismatched head is left to initialize.
                let report = try StateDictMapping.resolve(
                    table: table, checkpointShapes: Self.shapes(of: checkpoint), options: StateDictLoadOptions(ignoreMismatchedSizes: true))
                #expect(report.mismatchedKeys.map(\.name).sorted() == ["classifier.bias", "classifier.weight"], "\(label)")
                let missingParameters = Set(report.missingKeys).intersection(table.names)
                #expect(Set(report.uninitializedParameters) == missingParameters.union(["classifier.bias", "classifier.weight"]), "\(label)")
            }
            return
        }
        let report = try StateDictMapping.resolve(table: table, checkpointShapes: Self.shapes(of: checkpoint))
        #expect(report.missingKeys == golden["missing"]!.strings, "\(label) missing")
        #expect(report.unexpectedKeys == golden["unexpected"]!.strings, "\(label) unexpected")
        // Every parameter is either filled from the checkpoint or reported missing (directly or as an alias).
        for parameter in table.parameters where report.sources[parameter.name] == nil {
            #expect(report.missingKeys.contains(parameter.name), "\(label): \(parameter.name) neither loaded nor missing")
        }
        #expect(report.uninitializedParameters == table.names.filter { report.sources[$0] == nil })
    }

    @Test func coversTheInterestingCases() {
        #expect(Self.cases.count >= 150)
        #expect(Self.cases.contains { $0["error"]?.stringValue?.contains("corrupted") == true })
        #expect(Self.cases.contains { $0["error"]?.stringValue?.contains("size mismatch") == true })
    }

    @Test func legacyNamesAreRenamedAndBuffersIgnored() throws {
        let table = ParameterTable(config: TestSupport.tinyConfig(.bert), head: .pretraining)
        let report = try StateDictMapping.resolve(
            table: table, checkpointShapes: Self.shapes(of: "bert.pretraining.legacy"), options: StateDictLoadOptions(strict: true))
        #expect(report.renamedKeys["bert.embeddings.LayerNorm.gamma"] == "bert.embeddings.LayerNorm.weight")
        #expect(report.renamedKeys["cls.predictions.transform.LayerNorm.beta"] == "cls.predictions.transform.LayerNorm.bias")
        #expect(report.sources["bert.encoder.layer.1.output.LayerNorm.weight"] == "bert.encoder.layer.1.output.LayerNorm.gamma")
        // The real parameters win over the tied aliases the legacy file also holds.
        #expect(report.sources["bert.embeddings.word_embeddings.weight"] == "bert.embeddings.word_embeddings.weight")
        #expect(report.sources["cls.predictions.bias"] == "cls.predictions.bias")
        #expect(report.uninitializedParameters.isEmpty)
    }

    @Test func aliasFillsItsParameterWhenAlone() throws {
        let table = ParameterTable(config: TestSupport.tinyConfig(.bert), head: .maskedLM)
        var shapes = Self.shapes(of: "bert.masked_lm")
        shapes["cls.predictions.decoder.bias"] = shapes.removeValue(forKey: "cls.predictions.bias")
        let report = try StateDictMapping.resolve(table: table, checkpointShapes: shapes)
        #expect(report.sources["cls.predictions.bias"] == "cls.predictions.decoder.bias")
        #expect(report.missingKeys.isEmpty && report.unexpectedKeys.isEmpty)
    }

    @Test func strictTurnsReportsIntoErrors() throws {
        let table = ParameterTable(config: TestSupport.tinyConfig(.bert, head: .sequenceClassification), head: .sequenceClassification)
        let shapes = Self.shapes(of: "bert.pretraining")
        #expect(throws: Never.self) { try StateDictMapping.resolve(table: table, checkpointShapes: shapes) }
        #expect {
            try StateDictMapping.resolve(table: table, checkpointShapes: shapes, source: "dir", options: StateDictLoadOptions(strict: true))
        } throws: { error in
            let message = String(describing: error)
            return message.hasPrefix("dir: strict loading failed") && message.contains("classifier.weight")
                && message.contains("cls.seq_relationship.weight")
        }
    }

    @Test func shapeMismatchNamesTheTensors() {
        var config = TestSupport.tinyConfig(.bert)
        config.vocabularySize = 300
        let table = ParameterTable(config: config, head: .pretraining)
        #expect {
            try StateDictMapping.resolve(table: table, checkpointShapes: Self.shapes(of: "bert.pretraining"), source: "tiny")
        } throws: { error in
            let message = String(describing: error)
            return message.contains("bert.embeddings.word_embeddings.weight: checkpoint [200, 64], model [300, 64]")
                && message.contains("cls.predictions.bias: checkpoint [200], model [300]")
        }
    }

    @Test func conflictingLegacyAndModernNames() {
        let table = ParameterTable(config: TestSupport.tinyConfig(.bert), head: .base)
        var shapes = Self.shapes(of: "bert.base")
        shapes["embeddings.LayerNorm.gamma"] = [64]
        #expect { try StateDictMapping.resolve(table: table, checkpointShapes: shapes) } throws: { error in
            String(describing: error).contains("load into \"embeddings.LayerNorm.weight\"")
        }
    }
}
