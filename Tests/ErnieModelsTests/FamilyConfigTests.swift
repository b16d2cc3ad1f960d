import ErnieBasics
import Foundation
import Testing

@testable import ErnieModels

/// Reading and writing the families' config.json as transformers does, and the bad inputs the families add.
@Suite struct FamilyConfigTests {
    static func familyDirectory(_ family: String) -> URL { TestSupport.fixture("families/\(family)/model") }

    /// Each family's config.json (written by transformers 5.24; NEZHA's by 4.40) reads back to its shape and writes back the fields
    /// transformers wrote, in its names (DistilBERT's `dim`, `n_layers`, …; ALBERT's `embedding_size`, …).
    @Test(arguments: ["roberta", "albert", "distilbert", "nezha"])
    func configRoundTrip(family: String) throws {
        let file = Self.familyDirectory(family).appendingPathComponent("config.json")
        let config = try BertConfig(contentsOf: file)
        #expect(config.modelType.rawValue == family)
        #expect(config.hiddenSize == 64 && config.vocabularySize == 200)
        let original = try JSONParser.parse(Data(contentsOf: file)).objectValue!
        let written = config.jsonValue().objectValue!
        for key in original.keys where !["transformers_version", "dtype"].contains(key) {
            #expect(written[key] == original[key], "\(family) \(key): \(String(describing: written[key])) vs \(String(describing: original[key]))")
        }
        #expect(try BertConfig(jsonData: Data(config.jsonString().utf8)) == config)
        switch family {
        case "albert": #expect(config.embeddingSize == 32 && config.hiddenGroupCount == 2 && config.innerGroupCount == 2)
        case "distilbert": #expect(config.layerCount == 2 && config.intermediateSize == 128 && !config.usesTokenTypes)
        case "nezha": #expect(config.maxRelativePosition == 3 && config.usesTokenTypes && config.maxSequenceLength == 32)
        default: #expect(config.maxSequenceLength == 16 && !config.usesTokenTypes)
        }
    }

    /// `--model_type roberta` over a preset keeps the preset's 512 positions whatever the tokenizer's [PAD] id.
    @Test func robertaOverAPresetKeepsItsCoverage() throws {
        var config = try BertConfig.preset(named: "bert-base-chinese").converted(to: .roberta)
        #expect(config.maxSequenceLength == 512 && config.typeVocabularySize == 1 && config.padTokenId == 0)
        config.setPadTokenId(3)
        #expect(config.padTokenId == 3 && config.maxPositionEmbeddings == 516 && config.maxSequenceLength == 512)
        try BertArchitecture(config).validate()
    }

    /// ALBERT groups must divide the layers; the error names the field and the file.
    @Test func albertGroupsThatDoNotDivideTheLayers() throws {
        let json = #"{"model_type": "albert", "num_hidden_layers": 12, "num_hidden_groups": 5, "hidden_size": 64, "num_attention_heads": 4}"#
        #expect { try BertConfig(jsonData: Data(json.utf8), source: "albert/config.json") } throws: { error in
            let text = String(describing: error)
            return text.contains("albert/config.json") && text.contains("num_hidden_groups") && text.contains("12")
        }
    }

    /// A config.json whose model_type disagrees with the weights beside it: the error names both families.
    @Test func modelTypeThatDisagreesWithTheTensors() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: Self.familyDirectory("distilbert").appendingPathComponent("model.safetensors"),
                                         to: directory.appendingPathComponent("model.safetensors"))
        let albert = try BertConfig(contentsOf: Self.familyDirectory("albert").appendingPathComponent("config.json"))
        try albert.write(to: directory.appendingPathComponent("config.json"))
        #expect { try ModelCheckpoint.checkFits(directory: directory, table: ParameterTable(config: albert, head: .maskedLM)) } throws: { error in
            let text = String(describing: error)
            return text.contains("model_type albert") && text.contains("distilbert model's")
        }
    }
}
