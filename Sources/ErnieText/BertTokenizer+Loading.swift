import Foundation

extension BertTokenizer {
    /// Loads a model directory the way `AutoTokenizer.from_pretrained(dir)` does for BERT/ERNIE WordPiece:
    /// `tokenizer.json` when present, else `vocab.txt` with the options of `tokenizer_config.json` (if any).
    public convenience init(directory: URL) throws {
        let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokenizerJSON.path) {
            try self.init(tokenizerJSON: tokenizerJSON)
            return
        }
        let vocabFile = directory.appendingPathComponent("vocab.txt")
        guard FileManager.default.fileExists(atPath: vocabFile.path) else {
            throw TokenizerError.invalidConfiguration(path: directory.path, reason: "no tokenizer.json or vocab.txt")
        }
        var config = [String: Any]()
        let configFile = directory.appendingPathComponent("tokenizer_config.json")
        if let data = FileManager.default.contents(atPath: configFile.path) {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TokenizerError.invalidConfiguration(path: configFile.path, reason: "not a JSON object")
            }
            config = object
        }
        func token(_ key: String, _ fallback: String) -> String {
            if let text = config[key] as? String { return text }
            if let dict = config[key] as? [String: Any], let text = dict["content"] as? String { return text }
            return fallback
        }
        let normalizer = BertNormalizer(handleChineseChars: config["tokenize_chinese_chars"] as? Bool ?? true,
                                        stripAccents: config["strip_accents"] as? Bool,
                                        lowercase: config["do_lower_case"] as? Bool ?? true)
        let vocabulary = try Vocabulary(contentsOf: vocabFile)
        let names = (unknown: token("unk_token", "[UNK]"), cls: token("cls_token", "[CLS]"), sep: token("sep_token", "[SEP]"),
                     pad: token("pad_token", "[PAD]"), mask: token("mask_token", "[MASK]"))
        try self.init(vocabulary: vocabulary, normalizer: normalizer, unknownToken: names.unknown,
                      classifierToken: names.cls, separatorToken: names.sep, paddingToken: names.pad,
                      maskToken: names.mask)
    }

    /// Loads a Hugging Face `tokenizer.json` of the BERT WordPiece kind (BertNormalizer, BertPreTokenizer, WordPiece
    /// model, BERT template post-processor).
    /// - Throws: `TokenizerError.invalidConfiguration` for other pipelines (BPE, Unigram, other normalizers).
    public convenience init(tokenizerJSON url: URL) throws {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TokenizerError.invalidConfiguration(path: path, reason: "cannot read it as a JSON object")
        }
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece",
              let vocab = model["vocab"] as? [String: Int] else {
            throw TokenizerError.invalidConfiguration(path: path, reason: "only WordPiece models are supported")
        }
        var normalizer = BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false)
        if let config = root["normalizer"] as? [String: Any] {
            guard config["type"] as? String == "BertNormalizer" else {
                throw TokenizerError.invalidConfiguration(
                    path: path, reason: "normalizer \(config["type"] ?? "?") is not supported (BertNormalizer is)")
            }
            normalizer = BertNormalizer(cleanText: config["clean_text"] as? Bool ?? true,
                                        handleChineseChars: config["handle_chinese_chars"] as? Bool ?? true,
                                        stripAccents: config["strip_accents"] as? Bool,
                                        lowercase: config["lowercase"] as? Bool ?? true)
        }
        if let preTokenizer = root["pre_tokenizer"] as? [String: Any], preTokenizer["type"] as? String != "BertPreTokenizer" {
            throw TokenizerError.invalidConfiguration(
                path: path, reason: "pre-tokenizer \(preTokenizer["type"] ?? "?") is not supported (BertPreTokenizer is)")
        }
        // Tokens in id order; added tokens may extend the model vocabulary.
        var byId = [Int: String]()
        for (token, id) in vocab { byId[id] = token }
        let addedConfigs = root["added_tokens"] as? [[String: Any]] ?? []
        var added = [AddedToken]()
        for config in addedConfigs {
            guard let content = config["content"] as? String, let id = config["id"] as? Int else { continue }
            if byId[id] == nil { byId[id] = content }
            added.append(AddedToken(content: content, id: id, special: config["special"] as? Bool ?? false,
                                    leftStrip: config["lstrip"] as? Bool ?? false,
                                    rightStrip: config["rstrip"] as? Bool ?? false,
                                    singleWord: config["single_word"] as? Bool ?? false))
        }
        guard byId.keys.min() == 0, byId.keys.max() == byId.count - 1 else {
            throw TokenizerError.invalidConfiguration(path: path, reason: "token ids are not contiguous from 0")
        }
        let vocabulary = try Vocabulary(tokens: (0..<byId.count).map { byId[$0]! }, source: path)
        var cls = "[CLS]", sep = "[SEP]"
        if let processor = root["post_processor"] as? [String: Any] {
            if let special = processor["cls"] as? [Any], let name = special.first as? String { cls = name }
            if let special = processor["sep"] as? [Any], let name = special.first as? String { sep = name }
            if let specials = processor["special_tokens"] as? [String: Any] {
                if specials[cls] == nil, let first = specials.keys.first(where: { $0.uppercased().contains("CLS") }) { cls = first }
                if specials[sep] == nil, let first = specials.keys.first(where: { $0.uppercased().contains("SEP") }) { sep = first }
            }
        }
        let pad = (root["padding"] as? [String: Any])?["pad_token"] as? String ?? "[PAD]"
        try self.init(vocabulary: vocabulary, normalizer: normalizer,
                      unknownToken: model["unk_token"] as? String ?? "[UNK]",
                      continuingSubwordPrefix: model["continuing_subword_prefix"] as? String ?? "##",
                      maxInputCharsPerWord: model["max_input_chars_per_word"] as? Int ?? 100,
                      addedTokens: added, classifierToken: cls, separatorToken: sep, paddingToken: pad)
    }
}
