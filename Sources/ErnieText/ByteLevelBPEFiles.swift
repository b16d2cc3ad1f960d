import ErnieBasics
import Foundation

/// The tokenizer half of a RoBERTa-style model folder (`TokenizerFiles`' sibling for byte-level BPE): `vocab.json`
/// and `merges.txt` as `tokenizers`' `BPE.save` writes them, `tokenizer.json` (ByteLevel pre-tokenizer and decoder,
/// BPE model, `RobertaProcessing`), `tokenizer_config.json` (`tokenizer_class: RobertaTokenizer`, with
/// `added_tokens_decoder` so `<mask>` keeps its left strip) and `special_tokens_map.json`.
/// `AutoTokenizer.from_pretrained` loads the folder to the same tokenizer (checked by tools/bpe_folder_check.py).
public struct ByteLevelBPEFiles: Sendable {
    public static let fileNames = ["vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json",
                                   "special_tokens_map.json"]

    public let tokenizer: ByteLevelBPETokenizer
    /// transformers' `model_max_length`.
    public let modelMaxLength: Int

    public init(tokenizer: ByteLevelBPETokenizer, modelMaxLength: Int = 512) {
        self.tokenizer = tokenizer
        self.modelMaxLength = modelMaxLength
    }

    /// Writes the five files into `directory` (created if needed, files replaced); each appears atomically.
    public func write(to directory: URL, durable: Bool = false) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files: [(String, String)] = [
            ("vocab.json", JSONWriter.compact(.object(vocabObject()))),
            ("merges.txt", mergesText()),
            ("tokenizer.json", JSONWriter.pythonIndented(tokenizerJSON(), asciiOnly: false)),
            ("tokenizer_config.json", JSONWriter.pythonIndented(tokenizerConfig(), asciiOnly: false) + "\n"),
            ("special_tokens_map.json", JSONWriter.pythonIndented(.object(specialTokensMap()), asciiOnly: false) + "\n"),
        ]
        for (name, text) in files {
            try AtomicFile.write(Array(text.utf8), to: directory.appendingPathComponent(name), durable: durable)
        }
    }

    /// Every token with its id, in id order (RoBERTa's vocab.json holds its special tokens too).
    func vocabObject() -> JSONObject {
        var vocab = JSONObject()
        for (id, token) in tokenizer.vocabulary.tokens.enumerated() { vocab[token] = .integer(id) }
        return vocab
    }

    func mergesText() -> String {
        "#version: 0.2\n" + tokenizer.merges.map { "\($0.left) \($0.right)\n" }.joined()
    }

    private func addedTokenJSON(_ token: AddedToken) -> JSONValue {
        ["content": .string(token.content), "lstrip": .bool(token.leftStrip), "normalized": false,
         "rstrip": .bool(token.rightStrip), "single_word": .bool(token.singleWord), "special": .bool(token.special)]
    }

    /// `special_tokens_map.json`: the tokens by role, keys sorted; the mask token with its flags.
    func specialTokensMap() -> JSONObject {
        let t = tokenizer
        var map = JSONObject()
        map["bos_token"] = .string(t.classifierToken)
        map["cls_token"] = .string(t.classifierToken)
        map["eos_token"] = .string(t.separatorToken)
        if let mask = t.addedTokens.first(where: { $0.content == t.maskToken }) {
            map["mask_token"] = addedTokenJSON(mask)
        }
        map["pad_token"] = .string(t.paddingToken)
        map["sep_token"] = .string(t.separatorToken)
        if t.vocabulary[t.unknownToken] != nil { map["unk_token"] = .string(t.unknownToken) }
        return map
    }

    /// `tokenizer_config.json`: RobertaTokenizer's init arguments, keys sorted.
    func tokenizerConfig() -> JSONValue {
        let t = tokenizer
        var config = specialTokensMap()
        if let mask = t.addedTokens.first(where: { $0.content == t.maskToken }) { config["mask_token"] = .string(mask.content) }
        config["add_prefix_space"] = .bool(t.addPrefixSpace)
        config["clean_up_tokenization_spaces"] = false
        config["errors"] = "replace"
        config["model_max_length"] = .integer(modelMaxLength)
        config["tokenizer_class"] = "RobertaTokenizer"
        config["trim_offsets"] = .bool(t.trimOffsets)
        var decoder = JSONObject()
        for token in t.addedTokens.sorted(by: { $0.id < $1.id }) { decoder[String(token.id)] = addedTokenJSON(token) }
        var ordered = JSONObject([("added_tokens_decoder", .object(decoder))])
        for (key, value) in config.sortedByKeys() { ordered[key] = value }
        return .object(ordered)
    }

    /// `tokenizer.json` as tokenizers 0.2x serializes a RoBERTa tokenizer.
    func tokenizerJSON() -> JSONValue {
        let t = tokenizer
        let added: [JSONValue] = t.addedTokens.sorted(by: { $0.id < $1.id }).map { token in
            ["id": .integer(token.id), "content": .string(token.content), "single_word": .bool(token.singleWord),
             "lstrip": .bool(token.leftStrip), "rstrip": .bool(token.rightStrip), "normalized": false,
             "special": .bool(token.special)]
        }
        let byteLevel: JSONValue = ["type": "ByteLevel", "add_prefix_space": .bool(t.addPrefixSpace),
                                    "trim_offsets": true, "use_regex": true]
        return [
            "version": "1.0",
            "truncation": nil,
            "padding": nil,
            "added_tokens": .array(added),
            "normalizer": nil,
            "pre_tokenizer": byteLevel,
            "post_processor": ["type": "RobertaProcessing",
                               "sep": [.string(t.separatorToken), .integer(t.separatorTokenId)],
                               "cls": [.string(t.classifierToken), .integer(t.classifierTokenId)],
                               "trim_offsets": .bool(t.trimOffsets), "add_prefix_space": .bool(t.addPrefixSpace)],
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                      "vocab": .object(vocabObject()),
                      "merges": .array(t.merges.map { [.string($0.left), .string($0.right)] })],
        ]
    }
}
