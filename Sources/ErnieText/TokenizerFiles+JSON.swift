import ErnieBasics

/// The JSON documents of `WordPieceFiles`, member for member as transformers 4.57 and tokenizers 0.22 write them.
extension WordPieceFiles {
    /// The added tokens in id order (the order both libraries serialize them in).
    var addedTokensById: [AddedToken] { tokenizer.addedTokens.sorted { $0.id < $1.id } }

    /// `special_tokens_map.json`: the special tokens by role, keys sorted. The mask token only when the vocabulary
    /// has it (transformers would otherwise add it as a new token on load).
    func specialTokensMap() -> JSONObject {
        let t = tokenizer
        var map = JSONObject([("cls_token", .string(t.classifierToken))])
        if t.vocabulary[t.maskToken] != nil { map["mask_token"] = .string(t.maskToken) }
        map["pad_token"] = .string(t.paddingToken)
        map["sep_token"] = .string(t.separatorToken)
        map["unk_token"] = .string(t.unknownToken)
        return map
    }

    /// `tokenizer_config.json`: BertTokenizer's init arguments, keys sorted (`json.dumps(sort_keys=True)`).
    func tokenizerConfig() -> JSONValue {
        let normalizer = tokenizer.normalizer
        var config = specialTokensMap()
        config["clean_up_tokenization_spaces"] = true
        config["do_basic_tokenize"] = true
        config["do_lower_case"] = .bool(normalizer.lowercase)
        config["extra_special_tokens"] = .object(JSONObject())
        config["model_max_length"] = .integer(modelMaxLength)
        config["never_split"] = .null
        config["strip_accents"] = normalizer.stripAccents.map(JSONValue.bool) ?? .null
        config["tokenize_chinese_chars"] = .bool(normalizer.handleChineseChars)
        config["tokenizer_class"] = "BertTokenizer"
        var decoder = JSONObject()
        for token in addedTokensById {
            decoder[String(token.id)] = ["content": .string(token.content), "lstrip": .bool(token.leftStrip),
                                         "normalized": false, "rstrip": .bool(token.rightStrip),
                                         "single_word": .bool(token.singleWord), "special": .bool(token.special)]
        }
        // First by name, but its own keys are ids that Python sorts as integers (0, 5, 10, 100).
        var ordered = JSONObject([("added_tokens_decoder", .object(decoder))])
        for (key, value) in config.sortedByKeys() { ordered[key] = value }
        return .object(ordered)
    }

    /// `tokenizer.json`: BertNormalizer, BertPreTokenizer, the `[CLS] $A [SEP]` template, the WordPiece decoder and
    /// model, with ernie's settings (an ernie-matched added token is matched in the raw text: `normalized` false).
    func tokenizerJSON() -> JSONValue {
        let t = tokenizer
        let normalizer = t.normalizer
        let added: [JSONValue] = addedTokensById.map { token in
            ["id": .integer(token.id), "content": .string(token.content), "single_word": .bool(token.singleWord),
             "lstrip": .bool(token.leftStrip), "rstrip": .bool(token.rightStrip), "normalized": false,
             "special": .bool(token.special)]
        }
        func special(_ name: String, _ typeId: Int) -> JSONValue {
            ["SpecialToken": ["id": .string(name), "type_id": .integer(typeId)]]
        }
        func sequence(_ name: String, _ typeId: Int) -> JSONValue {
            ["Sequence": ["id": .string(name), "type_id": .integer(typeId)]]
        }
        var specials = JSONObject()  // sorted by name, as tokenizers serializes them
        for name in [t.classifierToken, t.separatorToken].sorted(by: JSONObject.codePointOrder) {
            specials[name] = ["id": .string(name), "ids": [.integer(t.vocabulary[name]!)], "tokens": [.string(name)]]
        }
        var vocab = JSONObject()
        for (id, token) in t.vocabulary.tokens.enumerated() { vocab[token] = .integer(id) }
        let cls = t.classifierToken, sep = t.separatorToken
        return [
            "version": "1.0",
            "truncation": nil,
            "padding": nil,
            "added_tokens": .array(added),
            "normalizer": ["type": "BertNormalizer", "clean_text": .bool(normalizer.cleanText),
                           "handle_chinese_chars": .bool(normalizer.handleChineseChars),
                           "strip_accents": normalizer.stripAccents.map(JSONValue.bool) ?? .null,
                           "lowercase": .bool(normalizer.lowercase)],
            "pre_tokenizer": ["type": "BertPreTokenizer"],
            "post_processor": ["type": "TemplateProcessing",
                               "single": [special(cls, 0), sequence("A", 0), special(sep, 0)],
                               "pair": [special(cls, 0), sequence("A", 0), special(sep, 0), sequence("B", 1), special(sep, 1)],
                               "special_tokens": .object(specials)],
            "decoder": ["type": "WordPiece", "prefix": .string(t.continuingSubwordPrefix), "cleanup": true],
            "model": ["type": "WordPiece", "unk_token": .string(t.unknownToken),
                      "continuing_subword_prefix": .string(t.continuingSubwordPrefix),
                      "max_input_chars_per_word": .integer(t.maxInputCharsPerWord), "vocab": .object(vocab)],
        ]
    }
}
