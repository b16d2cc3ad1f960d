import ErnieBasics
import Foundation

/// What `spm_train` writes: `<prefix>.model` (the protobuf) and `<prefix>.vocab` (`piece<TAB>score` per line, in id
/// order, scores as C++ streams print floats), each written atomically.
public enum SentencePieceFiles {
    /// `X.model` → `X.vocab` (any other name gets `.vocab` appended).
    public static func vocabPath(model path: String) -> String {
        (path.hasSuffix(".model") ? String(path.dropLast(".model".count)) : path) + ".vocab"
    }

    /// Writes the model at `path` and its vocabulary next to it.
    /// - Throws: `FileWriteError` naming the file; a model the reader refuses (a trainer bug) as `SentencePieceError`.
    public static func write(model: [UInt8], to path: String) throws {
        let loaded = try SentencePieceModel(bytes: model, source: path)
        var vocab = ""
        for id in 0..<loaded.count {
            vocab += loaded.pieces[id] + "\t" + String(format: "%g", loaded.scores[id]) + "\n"
        }
        try AtomicFile.write(model, to: URL(fileURLWithPath: path))
        try AtomicFile.write(Array(vocab.utf8), to: URL(fileURLWithPath: vocabPath(model: path)))
    }
}
