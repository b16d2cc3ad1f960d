import ErnieBasics
import Foundation

/// The tokenizer half of a Hugging Face model folder: a tokenizer (WordPiece or byte-level BPE) and the
/// `model_max_length` its folder declares.
///
/// `write(to:)` is the one place ernie writes tokenizer files (pretraining's `model_<step>`/`model_last`, fine-tuning's
/// final model, `best_model/` and `checkpoint-<step>/`): `WordPieceFiles` for WordPiece, `ByteLevelBPEFiles` for
/// RoBERTa's byte-level BPE, each byte for byte as transformers' fast tokenizer's `save_pretrained` writes them.
/// Without them `AutoTokenizer` guesses from `model_type` and `vocab.txt` and lower-cases a cased vocabulary.
public struct TokenizerFiles: Sendable {
    /// The files a WordPiece tokenizer writes (`ByteLevelBPEFiles.fileNames` for BPE; `names` for this one).
    public static let fileNames = WordPieceFiles.fileNames

    public let tokenizer: any TextTokenizer
    /// transformers' `model_max_length`: inputs longer than this are truncated by `truncation=True`.
    public let modelMaxLength: Int

    public init(tokenizer: any TextTokenizer, modelMaxLength: Int) {
        self.tokenizer = tokenizer
        self.modelMaxLength = modelMaxLength
    }

    /// Loads `source` as `AutoTokenizer.from_pretrained` would (`TokenizerLoader`): a folder (`tokenizer.json`, or
    /// `vocab.txt` / `vocab.json` + `merges.txt` with the options of `tokenizer_config.json`) keeps its settings and
    /// its `model_max_length`; a `vocab.txt` file gives the uncased defaults. `fallbackMaxLength` (the model's
    /// `max_position_embeddings`) applies when the folder declares none.
    public init(source: URL, fallbackMaxLength: Int) throws {
        var isDirectory: ObjCBool = false
        let isFolder = FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) && isDirectory.boolValue
        self.init(tokenizer: try TokenizerLoader.load(source),
                  modelMaxLength: (isFolder ? Self.modelMaxLength(in: source) : nil) ?? fallbackMaxLength)
    }

    /// `model_max_length` of `directory/tokenizer_config.json`; nil when absent or transformers' "unset" (1e30).
    public static func modelMaxLength(in directory: URL) -> Int? {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("tokenizer_config.json").path),
              let config = try? JSONParser.parse(data) else { return nil }
        return config.objectValue?["model_max_length"]?.intValue
    }

    /// The names of the files `write(to:)` writes.
    public var names: [String] {
        switch tokenizer.kind {
        case .byteLevelBPE: ByteLevelBPEFiles.fileNames
        case .wordPiece: WordPieceFiles.fileNames
        case .sentencePiece: ErnieMFiles.fileNames
        }
    }

    /// Writes the tokenizer's files into `directory` (replacing them); each appears atomically.
    public func write(to directory: URL, durable: Bool = false) throws {
        switch tokenizer {
        case let bpe as ByteLevelBPETokenizer:
            try ByteLevelBPEFiles(tokenizer: bpe, modelMaxLength: modelMaxLength).write(to: directory, durable: durable)
        case let ernieM as ErnieMTokenizer:
            try ErnieMFiles(tokenizer: ernieM, modelMaxLength: modelMaxLength).write(to: directory, durable: durable)
        case let wordPiece as BertTokenizer:
            try WordPieceFiles(tokenizer: wordPiece, modelMaxLength: modelMaxLength).write(to: directory, durable: durable)
        default:
            preconditionFailure("TokenizerFiles: no writer for \(type(of: tokenizer))")
        }
    }
}

/// The tokenizer half of a BERT/ERNIE model folder: `vocab.txt`, `tokenizer.json`, `tokenizer_config.json` and
/// `special_tokens_map.json`, byte for byte as transformers 4.x's `BertTokenizerFast.save_pretrained` writes them
/// (golden: Tests/ErnieTextTests/Fixtures/hf_folder).
public struct WordPieceFiles: Sendable {
    public static let fileNames = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

    public let tokenizer: BertTokenizer
    public let modelMaxLength: Int

    public init(tokenizer: BertTokenizer, modelMaxLength: Int) {
        self.tokenizer = tokenizer
        self.modelMaxLength = modelMaxLength
    }

    /// Writes the four files into `directory` (replacing them); each appears atomically.
    public func write(to directory: URL, durable: Bool = false) throws {
        let vocabulary = tokenizer.vocabulary.tokens.map { $0 + "\n" }.joined()
        // transformers adds a newline after its own JSON files; the Rust tokenizers library does not.
        let files: [(String, String)] = [("vocab.txt", vocabulary),
                     ("tokenizer.json", JSONWriter.pythonIndented(tokenizerJSON(), asciiOnly: false)),
                     ("tokenizer_config.json", JSONWriter.pythonIndented(tokenizerConfig(), asciiOnly: false) + "\n"),
                     ("special_tokens_map.json", JSONWriter.pythonIndented(.object(specialTokensMap()), asciiOnly: false) + "\n")]
        for (name, text) in files {
            try AtomicFile.write(Array(text.utf8), to: directory.appendingPathComponent(name), durable: durable)
        }
    }
}
