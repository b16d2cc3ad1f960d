import Foundation

/// Which algorithm a `TextTokenizer` runs.
public enum TokenizerKind: String, Sendable {
    /// BERT/ERNIE: `vocab.txt`, `##` continuations (`BertTokenizer`).
    case wordPiece
    /// RoBERTa/GPT-2: `vocab.json` + `merges.txt` over UTF-8 bytes (`ByteLevelBPETokenizer`).
    case byteLevelBPE
    /// ERNIE-M: `sentencepiece.bpe.model` + `vocab.txt` (`ErnieMTokenizer`).
    case sentencePiece
}

/// What every ernie tokenizer offers, with Hugging Face fast-tokenizer semantics: `BertTokenizer` (WordPiece) and
/// `ByteLevelBPETokenizer` (RoBERTa's byte-level BPE). Both give the same `Encoding` and `TokenPieces`.
///
/// The hot path is `appendPieces(of:to:scratch:)` with a scratch made once per thread by `makeScratch()`; an
/// `any TextTokenizer` reaches it through a generic function (Swift opens the existential).
public protocol TextTokenizer: AnyObject, Sendable {
    /// Per-thread buffers for `appendPieces` (and BPE's word cache).
    associatedtype Scratch

    var kind: TokenizerKind { get }
    /// Tokens by id (model tokens, then added tokens beyond them).
    var vocabulary: Vocabulary { get }
    /// Tokens matched in the raw text before anything else (the special tokens among them).
    var addedTokens: [AddedToken] { get }
    /// `[CLS]` / `<s>` (RoBERTa's beginning of sequence).
    var classifierToken: String { get }
    /// `[SEP]` / `</s>` (RoBERTa's end of sequence).
    var separatorToken: String { get }
    var paddingToken: String { get }
    var maskToken: String { get }
    var unknownToken: String { get }

    func makeScratch() -> Scratch
    /// Appends the tokens of `text` (Unicode scalar values) to `pieces`; offsets are indices into `text`.
    func appendPieces(of text: UnsafeBufferPointer<UInt32>, to pieces: inout TokenPieces, scratch: inout Scratch)
    /// Ids and offsets of `text`'s tokens (no special tokens added).
    func pieces(of text: String) -> TokenPieces
    /// Tokens of `text` (no special tokens added).
    func tokenize(_ text: String) -> [String]
    /// Number of tokens the template adds around one text or a pair.
    func numberOfSpecialTokensToAdd(pair: Bool) -> Int
    /// A text or a text pair encoded like HF's `tokenizer(text, text_pair, …)`.
    func encode(_ text: String, pair: String?, addSpecialTokens: Bool, truncation: Truncation?,
                padding: Padding) throws -> Encoding
    /// A batch; `.longest` padding pads every row to the longest.
    func encodeBatch(_ texts: [String], pairs: [String]?, addSpecialTokens: Bool, truncation: Truncation?,
                     padding: Padding) throws -> [Encoding]
    /// Text of `ids` as HF's `decode` gives it.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String
}

extension TextTokenizer {
    public var vocabularySize: Int { vocabulary.count }

    /// Ids and offsets of `text`'s tokens (no special tokens added).
    public func pieces(of text: String) -> TokenPieces {
        let scalars = text.unicodeScalars.map(\.value)
        var pieces = TokenPieces()
        var scratch = makeScratch()
        scalars.withUnsafeBufferPointer { appendPieces(of: $0, to: &pieces, scratch: &scratch) }
        return pieces
    }

    /// The tokens of `text` by id (no special tokens added), e.g. WordPiece's `"unaffable"` → `["una", "##ffa", "##ble"]`.
    public func tokenize(_ text: String) -> [String] {
        pieces(of: text).ids.map { vocabulary.tokens[Int($0)] }
    }

    public func id(of token: String) -> Int? { vocabulary[token] }

    public func token(of id: Int) -> String? { id >= 0 && id < vocabulary.count ? vocabulary.tokens[id] : nil }

    /// Both initializers check that the classifier, separator and padding tokens are in the vocabulary.
    public var classifierTokenId: Int { vocabulary[classifierToken]! }
    public var separatorTokenId: Int { vocabulary[separatorToken]! }
    public var paddingTokenId: Int { vocabulary[paddingToken]! }
    public var maskTokenId: Int? { vocabulary[maskToken] }
    public var unknownTokenId: Int? { vocabulary[unknownToken] }
    /// RoBERTa's names for the classifier and separator tokens.
    public var bosTokenId: Int { classifierTokenId }
    public var eosTokenId: Int { separatorTokenId }

    /// Ids of the special added tokens (dropped by `decode(skipSpecialTokens: true)`).
    public var specialTokenIds: Set<Int> { Set(addedTokens.filter(\.special).map(\.id)) }

    /// `encode` with special tokens and without padding, as `tokenizer(text, text_pair, truncation=…)` (the form
    /// an `any TextTokenizer` takes; the concrete tokenizers have default arguments of their own).
    public func encode(_ text: String, pair: String? = nil, truncation: Truncation? = nil) throws -> Encoding {
        try encode(text, pair: pair, addSpecialTokens: true, truncation: truncation, padding: .none)
    }

    /// `encodeBatch` with special tokens.
    public func encodeBatch(_ texts: [String], pairs: [String]? = nil, truncation: Truncation? = nil,
                            padding: Padding = .none) throws -> [Encoding] {
        try encodeBatch(texts, pairs: pairs, addSpecialTokens: true, truncation: truncation, padding: padding)
    }
}

extension BertTokenizer: TextTokenizer {
    public var kind: TokenizerKind { .wordPiece }
    public func makeScratch() -> Scratch { Scratch() }

    /// `decode` with the default clean-up of tokenization spaces.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        decode(ids, skipSpecialTokens: skipSpecialTokens, cleanUpTokenizationSpaces: true)
    }
}

extension ErnieMTokenizer: TextTokenizer {
    public var kind: TokenizerKind { .sentencePiece }
    public func makeScratch() -> Scratch { Scratch() }
}

extension ByteLevelBPETokenizer: TextTokenizer {
    public var kind: TokenizerKind { .byteLevelBPE }
    public func makeScratch() -> Scratch { Scratch() }
}

/// Finds the tokenizer of a model folder or file, as `AutoTokenizer.from_pretrained` would.
public enum TokenizerLoader {
    /// - `sentencepiece.bpe.model` (+ `vocab.txt`) in the folder, or a `.model` file: `ErnieMTokenizer`;
    /// - `tokenizer.json` (in the folder, or the file itself): WordPiece or BPE by its `model.type`;
    /// - else `vocab.txt` → `BertTokenizer`, `vocab.json` + `merges.txt` → `ByteLevelBPETokenizer` (with
    ///   `tokenizer_config.json`'s options); a `vocab.json` file takes the `merges.txt` beside it.
    /// - Throws: `TokenizerError.invalidConfiguration` naming the path when nothing there is a tokenizer.
    public static func load(_ url: URL) throws -> any TextTokenizer {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw TokenizerError.invalidConfiguration(path: url.path, reason: "no such file or folder")
        }
        let manager = FileManager.default
        if !isFolder.boolValue {
            switch url.lastPathComponent {
            case _ where url.pathExtension == "model":
                return try ErnieMTokenizer(directory: url.deletingLastPathComponent(), modelFile: url)
            case "tokenizer.json":
                return try modelType(url) == "BPE" ? try ByteLevelBPETokenizer(tokenizerJSON: url)
                                                   : try BertTokenizer(tokenizerJSON: url)
            case _ where url.pathExtension == "json":
                let merges = url.deletingLastPathComponent().appendingPathComponent("merges.txt")
                guard manager.fileExists(atPath: merges.path) else {
                    throw TokenizerError.invalidConfiguration(
                        path: url.path, reason: "a BPE vocab.json needs merges.txt beside it (none at \(merges.path))")
                }
                return try ByteLevelBPETokenizer(vocabFile: url, mergesFile: merges)
            default:
                return try BertTokenizer(vocabFile: url)
            }
        }
        if manager.fileExists(atPath: url.appendingPathComponent(ErnieMTokenizer.modelFileName).path) {
            return try ErnieMTokenizer(directory: url)
        }
        let tokenizerJSON = url.appendingPathComponent("tokenizer.json")
        if manager.fileExists(atPath: tokenizerJSON.path) {
            return try modelType(tokenizerJSON) == "BPE" ? try ByteLevelBPETokenizer(directory: url)
                                                         : try BertTokenizer(directory: url)
        }
        if manager.fileExists(atPath: url.appendingPathComponent("vocab.txt").path) {
            return try BertTokenizer(directory: url)
        }
        if manager.fileExists(atPath: url.appendingPathComponent("vocab.json").path) {
            return try ByteLevelBPETokenizer(directory: url)
        }
        throw TokenizerError.invalidConfiguration(
            path: url.path, reason: "no tokenizer.json, vocab.txt (WordPiece), vocab.json + merges.txt (BPE) or sentencepiece.bpe.model (ERNIE-M)")
    }

    /// `model.type` of a tokenizer.json ("WordPiece", "BPE", …).
    static func modelType(_ url: URL) throws -> String? {
        try ByteLevelBPETokenizer.readJSON(url).objectValue?["model"]?.objectValue?["type"]?.stringValue
    }

    /// True for a folder or file that `load` reads as byte-level BPE.
    public static func isByteLevelBPE(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return false }
        if !isFolder.boolValue {
            return url.lastPathComponent == "tokenizer.json" ? (try? modelType(url)) == "BPE" : url.pathExtension == "json"
        }
        let tokenizerJSON = url.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: tokenizerJSON.path) { return (try? modelType(tokenizerJSON)) == "BPE" }
        return !FileManager.default.fileExists(atPath: url.appendingPathComponent("vocab.txt").path)
            && FileManager.default.fileExists(atPath: url.appendingPathComponent("vocab.json").path)
    }
}
