import Foundation

/// One input file and how to read it.
public struct CorpusFile: Sendable, Equatable {
    public enum Kind: String, Sendable { case text, jsonl, peoplesDailyTagged, lines }

    public var path: String
    public var kind: Kind
    /// `.gz`: read through `gzip -dc`.
    public var compressed: Bool

    /// The files under `paths` (files as given, folders walked recursively, each folder's files sorted by path like
    /// PaddleNLP's `file_paths.sort()`), and the folder files skipped because their format is unknown.
    /// - Throws: `PrepareError.input` for a missing path, an explicitly named file of unknown format, or no input at all.
    public static func discover(_ paths: [String], format: PrepareOptions.InputFormat) throws
        -> (files: [CorpusFile], skipped: [String]) {
        guard !paths.isEmpty else { throw PrepareError.options("give the corpus with --input_path (a file or a folder)") }
        var files = [CorpusFile](), skipped = [String]()
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw PrepareError.input(path: path, reason: "no such file or folder (check --input_path)")
            }
            if !isFolder.boolValue {
                guard let file = classify(path, format: format) else {
                    throw PrepareError.input(
                        path: path, reason: "cannot tell the format from the name; use .txt or .jsonl (optionally .gz) "
                            + "or pass --input_format text|jsonl|lines|peoples_daily_tagged")
                }
                files.append(file)
                continue
            }
            var found = [String]()
            let root = URL(fileURLWithPath: path)
            if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
                for case let url as URL in walker
                where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                    found.append(url.path)
                }
            }
            // Python sorts str by code point, which is UTF-8 byte order.
            found.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for file in found {
                if let corpusFile = classify(file, format: format) { files.append(corpusFile) } else { skipped.append(file) }
            }
        }
        guard !files.isEmpty else {
            throw PrepareError.input(path: paths.joined(separator: ", "),
                                     reason: "no .txt or .jsonl files (optionally .gz) to read; pass --input_format to read others")
        }
        return (files, skipped)
    }

    static func classify(_ path: String, format: PrepareOptions.InputFormat) -> CorpusFile? {
        var name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        let compressed = name.hasSuffix(".gz")
        if compressed { name.removeLast(3) }
        switch format {
        case .text: return CorpusFile(path: path, kind: .text, compressed: compressed)
        case .jsonl: return CorpusFile(path: path, kind: .jsonl, compressed: compressed)
        case .peoplesDailyTagged: return CorpusFile(path: path, kind: .peoplesDailyTagged, compressed: compressed)
        case .lines: return CorpusFile(path: path, kind: .lines, compressed: compressed)
        case .auto:
            if name.hasSuffix(".jsonl") { return CorpusFile(path: path, kind: .jsonl, compressed: compressed) }
            if name.hasSuffix(".txt") { return CorpusFile(path: path, kind: .text, compressed: compressed) }
            return nil
        }
    }
}
