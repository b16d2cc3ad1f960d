import ArgumentParser
import ErnieText
import Foundation

/// What a tokenizer flag names: a folder (vocab.txt and tokenizer_config.json, or tokenizer.json) or a vocab file.
enum TokenizerLocation {
    /// The WordPiece tokenizer at `path`. - Throws: a `ValidationError` naming `flag` when nothing is there.
    static func tokenizer(_ path: String, flag: String) throws -> BertTokenizer {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ValidationError("\(flag) \(path): no such file or folder")
        }
        let url = URL(fileURLWithPath: path)
        return isFolder.boolValue ? try BertTokenizer(directory: url) : try BertTokenizer(vocabFile: url)
    }

    /// The tokenizer at `path`, WordPiece or byte-level BPE (`TokenizerLoader`). - Throws: a `ValidationError`
    /// naming `flag` when nothing is there.
    static func anyTokenizer(_ path: String, flag: String) throws -> any TextTokenizer {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(flag) \(path): no such file or folder")
        }
        return try TokenizerLoader.load(URL(fileURLWithPath: path))
    }

    /// The vocabulary at `path`: the folder's vocab.txt, or the file itself.
    static func vocabulary(_ path: String) throws -> Vocabulary {
        var isFolder: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? (path as NSString).appendingPathComponent("vocab.txt") : path
        return try Vocabulary(contentsOf: URL(fileURLWithPath: file))
    }
}
