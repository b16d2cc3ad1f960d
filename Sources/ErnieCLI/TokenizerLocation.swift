import ArgumentParser
import ErnieText
import Foundation

/// What a tokenizer flag names: a folder (vocab.txt and tokenizer_config.json, or tokenizer.json) or a vocab file.
enum TokenizerLocation {
    /// The tokenizer at `path`, WordPiece or byte-level BPE (`TokenizerLoader`). - Throws: a `ValidationError`
    /// naming `flag` when nothing is there.
    static func tokenizer(_ path: String, flag: String) throws -> any TextTokenizer {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(flag) \(path): no such file or folder")
        }
        return try TokenizerLoader.load(URL(fileURLWithPath: path))
    }
}
