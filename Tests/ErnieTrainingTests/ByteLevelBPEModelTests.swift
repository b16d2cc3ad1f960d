@testable import ErnieData
import ErnieModels
import ErnieText
import Foundation
import Testing
@testable import ErnieTraining

/// A RoBERTa folder with a byte-level BPE tokenizer (vocab.json + merges.txt, no vocab.txt) through fine-tuning,
/// saving, prediction, masking and the distillation vocabulary check. (Against transformers: tools/bpe_model_check.py.)
@Suite(.serialized) struct ByteLevelBPEModelTests {
    /// A two-class task a tiny model learns in a few steps: the label is in the words (English and Chinese).
    static func examples(count: Int) -> [(text: String, label: String)] {
        let good = ["great", "good", "好", "很好", "excellent"], bad = ["awful", "bad", "差", "很差", "terrible"]
        let filler = ["the hotel was", "物流", "service", "这家店", "really", "总的来说"]
        return (0..<count).map { index in
            let positive = index % 2 == 0
            let word = (positive ? good : bad)[(index / 2) % good.count]
            return ("\(filler[index % filler.count]) \(word)，\(filler[(index / 3) % filler.count])", positive ? "positive" : "negative")
        }
    }

    static func tokenizer(texts: [String]) throws -> ByteLevelBPETokenizer {
        var options = ByteLevelBPETrainer.Options()
        options.vocabSize = 320
        options.minFrequency = 2
        var trainer = ByteLevelBPETrainer(options: options)
        for text in texts {
            let scalars = text.unicodeScalars.map(\.value) + [0x0A]
            scalars.withUnsafeBufferPointer { trainer.add($0) }
        }
        let (tokens, merges) = trainer.train()
        return try ByteLevelBPETokenizer(vocabulary: Vocabulary(tokens: tokens, requireSpecialTokens: false), merges: merges)
    }

    /// config.json (tiny RoBERTa, `pad_token_id` the tokenizer's) and the BPE files.
    static func modelFolder(_ tokenizer: ByteLevelBPETokenizer) throws -> URL {
        let directory = try FineTuningTestSupport.temporaryDirectory("roberta-bpe")
        var config = BertConfig(vocabularySize: tokenizer.vocabularySize, hiddenSize: 32, layerCount: 2, attentionHeadCount: 4,
                                intermediateSize: 64, hiddenDropoutProbability: 0.1, attentionDropoutProbability: 0.1,
                                maxPositionEmbeddings: 64).converted(to: .roberta)
        config.setPadTokenId(tokenizer.paddingTokenId)
        try config.write(to: directory.appendingPathComponent("config.json"))
        try ByteLevelBPEFiles(tokenizer: tokenizer, modelMaxLength: 64).write(to: directory)
        return directory
    }

    static func writeJSONLines(_ rows: [(text: String, label: String)], to url: URL) throws {
        let lines = try rows.map { row -> String in
            String(decoding: try JSONSerialization.data(withJSONObject: ["sentence": row.text, "label": row.label], options: [.sortedKeys]), as: UTF8.self)
        }
        try FineTuningTestSupport.write(lines, to: url)
    }

    @Test func fineTunesSavesAndPredictsWithTheBPEFolder() throws {
        let train = Self.examples(count: 96), dev = Array(Self.examples(count: 120).suffix(24))
        let tokenizer = try Self.tokenizer(texts: train.map(\.text))
        let model = try Self.modelFolder(tokenizer)
        let data = try FineTuningTestSupport.temporaryDirectory("roberta-bpe-data")
        try Self.writeJSONLines(train, to: data.appendingPathComponent("train.json"))
        try Self.writeJSONLines(dev, to: data.appendingPathComponent("dev.json"))
        let output = try FineTuningTestSupport.temporaryDirectory("roberta-bpe-out")
        var c = FineTuningEndToEndTests.configuration(
            .sequenceClassification, model: model, output: output, train: data.appendingPathComponent("train.json"),
            dev: data.appendingPathComponent("dev.json"), test: data.appendingPathComponent("dev.json"))
        c.numTrainEpochs = 12
        c.maxSeqLength = 32
        let tuner = try FineTuner(c, logger: RunLogger(outputDirectory: output, title: "test", quiet: true))
        #expect(tuner.tokenizer.kind == .byteLevelBPE)
        let result = try #require(try tuner.run())
        // Measured: 1.0 after 72 steps (0.92 after 36); the words decide the label, so anything learning gets there.
        #expect(result.metric("accuracy")! >= 0.9)

        // The saved folder is a RoBERTa folder: the BPE files, no vocab.txt, the same tokenizer.
        for name in ByteLevelBPEFiles.fileNames + ["model.safetensors", "config.json"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name) missing")
        }
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("vocab.txt").path))
        let saved = try TokenizerLoader.load(output)
        #expect(saved.kind == .byteLevelBPE)
        for example in dev { #expect(saved.pieces(of: example.text) == tokenizer.pieces(of: example.text)) }

        // `ernie predict`'s path reads the BPE folder and agrees with the fine-tuner's own evaluation.
        var p = FineTuningConfiguration(taskName: .sequenceClassification, modelNameOrPath: output.path, outputDir: output.path)
        p.maxSeqLength = 32
        let predictor = try Predictor(p)
        #expect(predictor.tokenizer.kind == .byteLevelBPE)
        let predicted = try predictor.predict(input: data.appendingPathComponent("dev.json").path, issues: DataIssues())
        #expect(predicted.metric("accuracy") == result.metric("accuracy"))
    }

    /// RoBERTa's whole-word masking units come from `Ġ`, and the special ids from the tokenizer's own tokens.
    @Test func maskingVocabularyFollowsTheTokenizerKind() throws {
        let tokenizer = try Self.tokenizer(texts: Self.examples(count: 40).map(\.text))
        let masking = try MaskingVocabulary(tokenizer: tokenizer as any TextTokenizer)
        #expect(masking.clsId == Int32(tokenizer.classifierTokenId) && masking.maskId == Int32(tokenizer.maskTokenId!))
        #expect(masking.padId == Int32(tokenizer.paddingTokenId) && masking.endsWithLetter != nil)
        let wordPiece = try BertTokenizer(vocabulary: Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##b"]))
        let pieceMasking = try MaskingVocabulary(tokenizer: wordPiece as any TextTokenizer)
        #expect(pieceMasking.clsId == 2 && pieceMasking.endsWithLetter == nil && pieceMasking.isContinuation == [false, false, false, false, false, false, true])
    }

    /// A teacher whose vocab.json differs from the student's tokenizer is refused naming the file and the id.
    @Test func distillationNamesTheDifferingVocabJSONEntry() throws {
        let tokenizer = try Self.tokenizer(texts: Self.examples(count: 40).map(\.text))
        let teacher = try Self.modelFolder(tokenizer)
        let config = try ModelCheckpoint.loadConfig(directory: teacher)
        var studentTokens = tokenizer.vocabulary.tokens
        studentTokens[300] = "Ġsomething"
        do {
            try DistillationCompatibility.check(teacher: config, teacherDirectory: teacher, student: config, studentSource: "student",
                                                studentTokens: studentTokens, cosine: false)
            Issue.record("a different vocabulary was accepted")
        } catch {
            #expect("\(error)".contains("vocab.json id 300"), "\(error)")
        }
        try DistillationCompatibility.check(teacher: config, teacherDirectory: teacher, student: config, studentSource: "student",
                                            studentTokens: tokenizer.vocabulary.tokens, cosine: false)
    }
}
