import ErnieBasics
import Foundation

extension ErnieMTokenizer {
    /// The SentencePiece file of an ERNIE-M folder (PaddleNLP's and transformers' name, though it may hold a
    /// unigram model).
    public static let modelFileName = "sentencepiece.bpe.model"

    /// Loads an ERNIE-M folder as `ErnieMTokenizer.from_pretrained` does: `sentencepiece.bpe.model` (or
    /// `modelFile`), `vocab.txt` when present (else the pieces), `do_lower_case` from `tokenizer_config.json`.
    /// - Throws: `SentencePieceError` for a bad model, `VocabularyError` for a bad vocab.txt,
    ///   `TokenizerError` for a bad config or a vocabulary without the special tokens.
    public convenience init(directory: URL, modelFile: URL? = nil) throws {
        let model = try SentencePieceModel(contentsOf: modelFile ?? directory.appendingPathComponent(Self.modelFileName))
        let vocabFile = directory.appendingPathComponent("vocab.txt")
        let vocabulary = FileManager.default.fileExists(atPath: vocabFile.path)
            ? try Vocabulary(contentsOf: vocabFile, requireSpecialTokens: false) : nil
        var lowercase = false
        let configFile = directory.appendingPathComponent("tokenizer_config.json")
        if let data = FileManager.default.contents(atPath: configFile.path) {
            guard let config = (try? JSONParser.parse(data))?.objectValue else {
                throw TokenizerError.invalidConfiguration(path: configFile.path, reason: "not a JSON object")
            }
            lowercase = config["do_lower_case"]?.boolValue ?? false
        }
        try self.init(sentencePiece: model, vocabulary: vocabulary, lowercase: lowercase, vocabularySource: vocabFile.path)
    }
}

/// The tokenizer half of an ERNIE-M model folder, as transformers 4.x `ErnieMTokenizer.save_pretrained` writes it:
/// `sentencepiece.bpe.model` (the model's bytes), `vocab.txt`, `tokenizer_config.json`, `special_tokens_map.json`.
public struct ErnieMFiles: Sendable {
    public static let fileNames = [ErnieMTokenizer.modelFileName, "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"]

    public let tokenizer: ErnieMTokenizer
    public let modelMaxLength: Int

    public init(tokenizer: ErnieMTokenizer, modelMaxLength: Int) {
        self.tokenizer = tokenizer
        self.modelMaxLength = modelMaxLength
    }

    public func write(to directory: URL, durable: Bool = false) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let t = tokenizer
        var special = JSONObject()
        special["cls_token"] = .string(t.classifierToken)
        special["mask_token"] = .string(t.maskToken)
        special["pad_token"] = .string(t.paddingToken)
        special["sep_token"] = .string(t.separatorToken)
        special["unk_token"] = .string(t.unknownToken)
        var decoder = JSONObject()
        for token in t.addedTokens.sorted(by: { $0.id < $1.id }) {
            decoder[String(token.id)] = ["content": .string(token.content), "lstrip": false, "normalized": false,
                                         "rstrip": false, "single_word": false, "special": true]
        }
        var config = special
        config["added_tokens_decoder"] = .object(decoder)
        config["clean_up_tokenization_spaces"] = true
        config["do_lower_case"] = .bool(t.lowercase)
        config["encoding"] = "utf8"
        config["model_max_length"] = .integer(modelMaxLength)
        config["sp_model_kwargs"] = .object(JSONObject())
        config["tokenizer_class"] = "ErnieMTokenizer"
        let files: [(String, [UInt8])] = [
            (ErnieMTokenizer.modelFileName, t.sentencePiece.serialized),
            ("vocab.txt", Array(t.vocabulary.tokens.map { $0 + "\n" }.joined().utf8)),
            ("tokenizer_config.json", Array((JSONWriter.pythonIndented(.object(config.sortedByKeys()), asciiOnly: false) + "\n").utf8)),
            ("special_tokens_map.json", Array((JSONWriter.pythonIndented(.object(special), asciiOnly: false) + "\n").utf8)),
        ]
        for (name, bytes) in files {
            try AtomicFile.write(bytes, to: directory.appendingPathComponent(name), durable: durable)
        }
    }
}
