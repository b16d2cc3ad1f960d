import ErnieBasics
import Foundation

extension ByteLevelBPETokenizer {
    /// Reads `vocab.json` and `merges.txt` and tokenizes like `RobertaTokenizerFast` over them, with RoBERTa's special
    /// tokens (`<mask>` strips the whitespace on its left, as roberta-base's tokenizer.json declares).
    public convenience init(vocabFile: URL, mergesFile: URL, addPrefixSpace: Bool = false, trimOffsets: Bool = true)
        throws {
        let vocabulary = try Self.readVocabJSON(vocabFile)
        let (merges, lines) = try Self.readMerges(mergesFile)
        try self.init(vocabulary: vocabulary, merges: merges, addPrefixSpace: addPrefixSpace, trimOffsets: trimOffsets,
                      source: mergesFile.path, mergeLines: lines)
    }

    /// Loads a folder the way `AutoTokenizer.from_pretrained(dir)` does for RoBERTa: `tokenizer.json` when present,
    /// else `vocab.json` + `merges.txt` with the options and special tokens of `tokenizer_config.json` (if any).
    public convenience init(directory: URL) throws {
        let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokenizerJSON.path) {
            try self.init(tokenizerJSON: tokenizerJSON)
            return
        }
        let vocabFile = directory.appendingPathComponent("vocab.json")
        let mergesFile = directory.appendingPathComponent("merges.txt")
        for file in [vocabFile, mergesFile] where !FileManager.default.fileExists(atPath: file.path) {
            throw TokenizerError.invalidConfiguration(path: directory.path,
                                                      reason: "no tokenizer.json, and no \(file.lastPathComponent)")
        }
        let configFile = directory.appendingPathComponent("tokenizer_config.json")
        var config = JSONObject()
        if FileManager.default.fileExists(atPath: configFile.path) {
            guard let object = try Self.readJSON(configFile).objectValue else {
                throw TokenizerError.invalidConfiguration(path: configFile.path, reason: "not a JSON object")
            }
            config = object
        }
        func token(_ key: String, _ fallback: String) -> String {
            config[key]?.stringValue ?? config[key]?.objectValue?["content"]?.stringValue ?? fallback
        }
        let vocabulary = try Self.readVocabJSON(vocabFile)
        let (merges, lines) = try Self.readMerges(mergesFile)
        let names = (cls: token("cls_token", token("bos_token", "<s>")), sep: token("sep_token", token("eos_token", "</s>")),
                     pad: token("pad_token", "<pad>"), mask: token("mask_token", "<mask>"), unk: token("unk_token", "<unk>"))
        var added = Self.robertaAddedTokens(vocabulary: vocabulary, tokens: [names.cls, names.pad, names.sep, names.unk],
                                            maskToken: names.mask)
        // transformers' record of the added tokens, when the folder has one, decides their flags.
        if let decoder = config["added_tokens_decoder"]?.objectValue {
            added = try decoder.map { key, value in
                guard let id = Int(key), let entry = value.objectValue, let content = entry["content"]?.stringValue else {
                    throw TokenizerError.invalidConfiguration(
                        path: configFile.path, reason: "added_tokens_decoder[\"\(key)\"] needs an integer id and a content")
                }
                return AddedToken(content: content, id: id, special: entry["special"]?.boolValue ?? false,
                                  leftStrip: entry["lstrip"]?.boolValue ?? false,
                                  rightStrip: entry["rstrip"]?.boolValue ?? false,
                                  singleWord: entry["single_word"]?.boolValue ?? false)
            }.sorted { $0.id < $1.id }
        }
        try self.init(vocabulary: vocabulary, merges: merges, addedTokens: added,
                      addPrefixSpace: config["add_prefix_space"]?.boolValue ?? false,
                      trimOffsets: config["trim_offsets"]?.boolValue ?? true,
                      classifierToken: names.cls, separatorToken: names.sep, paddingToken: names.pad,
                      maskToken: names.mask, unknownToken: names.unk, source: mergesFile.path, mergeLines: lines)
    }

    /// Loads a Hugging Face `tokenizer.json` of the RoBERTa / GPT-2 kind: no normalizer, a `ByteLevel` pre-tokenizer,
    /// a BPE model, a `RobertaProcessing` (or `ByteLevel`) post-processor.
    /// - Throws: `TokenizerError.invalidConfiguration` for other pipelines, naming the file and the field.
    public convenience init(tokenizerJSON url: URL) throws {
        let path = url.path
        guard let root = try Self.readJSON(url).objectValue else {
            throw TokenizerError.invalidConfiguration(path: path, reason: "not a JSON object")
        }
        guard let model = root["model"]?.objectValue, model["type"]?.stringValue == "BPE" else {
            throw TokenizerError.invalidConfiguration(path: path, reason: "model.type is not BPE")
        }
        if let normalizer = root["normalizer"], !normalizer.isNull {
            throw TokenizerError.invalidConfiguration(path: path, reason: "normalizer must be null for byte-level BPE")
        }
        guard let preTokenizer = root["pre_tokenizer"]?.objectValue, preTokenizer["type"]?.stringValue == "ByteLevel" else {
            throw TokenizerError.invalidConfiguration(path: path, reason: "pre_tokenizer.type is not ByteLevel")
        }
        if preTokenizer["use_regex"]?.boolValue == false {
            throw TokenizerError.invalidConfiguration(path: path, reason: "pre_tokenizer.use_regex false is not supported")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let value = model[key]?.stringValue, !value.isEmpty {
                throw TokenizerError.invalidConfiguration(path: path, reason: "model.\(key) \"\(value)\" is not supported")
            }
        }
        guard let vocab = model["vocab"]?.objectValue else {
            throw TokenizerError.invalidConfiguration(path: path, reason: "model.vocab is not an object")
        }
        var byId = try Self.tokensById(vocab, path: path, field: "model.vocab")
        var added = [AddedToken]()
        for (index, entry) in (root["added_tokens"]?.arrayValue ?? []).enumerated() {
            guard let entry = entry.objectValue, let content = entry["content"]?.stringValue, let id = entry["id"]?.intValue,
                  id >= 0 else {
                throw TokenizerError.invalidConfiguration(path: path, reason: "added_tokens[\(index)] needs an id and a content")
            }
            if id >= byId.count { byId += Array(repeating: nil, count: id + 1 - byId.count) }
            if byId[id] == nil { byId[id] = content }
            added.append(AddedToken(content: content, id: id, special: entry["special"]?.boolValue ?? false,
                                    leftStrip: entry["lstrip"]?.boolValue ?? false,
                                    rightStrip: entry["rstrip"]?.boolValue ?? false,
                                    singleWord: entry["single_word"]?.boolValue ?? false))
        }
        if let missing = byId.firstIndex(of: nil) {
            throw TokenizerError.invalidConfiguration(
                path: path, reason: "model.vocab and added_tokens leave the id \(missing) unused; the ids must be 0..<n")
        }
        let vocabulary = try Vocabulary(tokens: byId.map { $0! }, source: path, requireSpecialTokens: false)
        var merges = [BPEMerge]()
        for (index, entry) in (model["merges"]?.arrayValue ?? []).enumerated() {
            // tokenizers ≥ 0.20 writes ["a", "b"]; older versions "a b".
            if let pair = entry.arrayValue, pair.count == 2, let left = pair[0].stringValue, let right = pair[1].stringValue {
                merges.append(BPEMerge(left, right))
            } else if let text = entry.stringValue, case let parts = text.split(separator: " ", omittingEmptySubsequences: false),
                      parts.count == 2 {
                merges.append(BPEMerge(String(parts[0]), String(parts[1])))
            } else {
                throw TokenizerError.malformedMerge(path: path + " model.merges", line: index + 1, text: "\(entry)")
            }
        }
        // The pre-tokenizer's add_prefix_space decides (the post-processor's copy only matters for trimming; HF's
        // converters keep the two equal).
        var cls = "<s>", sep = "</s>", trim = true
        if let processor = root["post_processor"]?.objectValue {
            switch processor["type"]?.stringValue {
            case "RobertaProcessing":
                if let name = processor["cls"]?.arrayValue?.first?.stringValue { cls = name }
                if let name = processor["sep"]?.arrayValue?.first?.stringValue { sep = name }
                trim = processor["trim_offsets"]?.boolValue ?? true
            case "ByteLevel":
                trim = processor["trim_offsets"]?.boolValue ?? true
            default:
                throw TokenizerError.invalidConfiguration(
                    path: path, reason: "post_processor.type \(processor["type"]?.stringValue ?? "?") is not supported "
                        + "(RobertaProcessing and ByteLevel are)")
            }
        }
        let pad = root["padding"]?.objectValue?["pad_token"]?.stringValue ?? "<pad>"
        let unknown = model["unk_token"]?.stringValue ?? "<unk>"
        let mask = added.first { $0.content.lowercased().contains("mask") }?.content ?? "<mask>"
        try self.init(vocabulary: vocabulary, merges: merges, addedTokens: added,
                      addPrefixSpace: preTokenizer["add_prefix_space"]?.boolValue ?? false, trimOffsets: trim,
                      classifierToken: cls, separatorToken: sep, paddingToken: pad, maskToken: mask,
                      unknownToken: unknown, source: path + " model.merges")
    }

    // MARK: - Files

    static func readJSON(_ url: URL) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerError.invalidConfiguration(path: url.path, reason: "cannot read the file")
        }
        do { return try JSONParser.parse(data) } catch {
            throw TokenizerError.invalidConfiguration(path: url.path, reason: "not valid JSON: \(error)")
        }
    }

    /// `vocab.json`: `{"token": id, …}` with the ids 0..<n, each once.
    public static func readVocabJSON(_ url: URL) throws -> Vocabulary {
        guard let object = try readJSON(url).objectValue else {
            throw TokenizerError.invalidConfiguration(path: url.path, reason: "not a JSON object of token → id")
        }
        let byId = try tokensById(object, path: url.path, field: "")
        if let missing = byId.firstIndex(of: nil) {
            throw TokenizerError.invalidConfiguration(
                path: url.path, reason: "no token has the id \(missing); the ids must be 0..<\(byId.count) (one per token)")
        }
        return try Vocabulary(tokens: byId.map { $0! }, source: url.path, requireSpecialTokens: false)
    }

    /// Tokens by id from `{"token": id}`; a hole stays nil. - Throws: for a non-integer or repeated id, naming it.
    static func tokensById(_ object: JSONObject, path: String, field: String) throws -> [String?] {
        var byId = [String?](repeating: nil, count: object.count)
        for (token, value) in object {
            let place = field.isEmpty ? "the entry \"\(token)\"" : "\(field)[\"\(token)\"]"
            guard let id = value.intValue, id >= 0 else {
                throw TokenizerError.invalidConfiguration(path: path, reason: "\(place) is not a non-negative integer id")
            }
            if id >= byId.count { byId += Array(repeating: nil, count: id + 1 - byId.count) }
            if let other = byId[id] {
                throw TokenizerError.invalidConfiguration(path: path, reason: "\(place) repeats the id \(id) of \"\(other)\"")
            }
            byId[id] = token
        }
        return byId
    }

    /// `merges.txt`: an optional `#version` line, then `left right` per line (as HF's `BPE::read_file` reads it).
    /// - Returns: the merges in rank order and the 1-based line of each.
    public static func readMerges(_ url: URL) throws -> (merges: [BPEMerge], lines: [Int]) {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerError.invalidConfiguration(path: url.path, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError.invalidConfiguration(path: url.path, reason: "not valid UTF-8")
        }
        var merges = [BPEMerge](), lines = [Int]()
        var lineNumber = 0
        // Lines end at "\n" or "\r\n" (Rust's `lines()`); "\r\n" is one Character in Swift.
        var rows = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if rows.last == "" { rows.removeLast() }
        for row in rows {
            lineNumber += 1
            if row.hasPrefix("#version") { continue }
            let parts = row.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TokenizerError.malformedMerge(path: url.path, line: lineNumber, text: String(row))
            }
            merges.append(BPEMerge(String(parts[0]), String(parts[1])))
            lines.append(lineNumber)
        }
        return (merges, lines)
    }
}
