import Foundation
import Synchronization

/// Chinese word segmentation identical to jieba 0.42.1's `jieba.lcut(sentence)` (HMM on) and
/// `jieba.lcut(sentence, HMM=False)`.
///
///     let segmenter = try JiebaSegmenter()                 // jieba's own dict.txt and HMM, found on this machine
///     segmenter.cut("我来到北京清华大学")                     // ["我", "来到", "北京", "清华大学"]
///
/// Thread-safe; the default dictionary and model are loaded once per process.
public final class JiebaSegmenter: Sendable {
    public let dictionary: JiebaDictionary
    /// Whether `cut` uses the HMM for unknown words (jieba's `HMM=True`, its default).
    public let hmm: Bool
    let cutter: JiebaCutter

    /// - Parameters:
    ///   - dictionary: the prefix dictionary; `nil` loads jieba's default `dict.txt` (see `JiebaResources`).
    ///   - hmm: segment runs of unknown characters with the HMM, as `jieba.lcut` does by default.
    ///   - hmmModel: the HMM tables; `nil` loads jieba's `finalseg` tables when `hmm` is on.
    /// - Throws: `JiebaError` when jieba's files cannot be found or read.
    public init(dictionary: JiebaDictionary? = nil, hmm: Bool = true, hmmModel: JiebaHMMModel? = nil) throws {
        let dictionary = try dictionary ?? JiebaResources.defaultDictionary()
        let model = hmm ? try hmmModel ?? JiebaResources.defaultHMMModel() : nil
        self.dictionary = dictionary
        self.hmm = hmm
        self.cutter = JiebaCutter(dictionary: dictionary, precomputed: true, hmm: model)
    }

    /// Scratch buffers for `appendWords`.
    public struct Scratch {
        var cutter = JiebaCutter.Scratch()
        public init() {}
    }

    /// The words of `text`, as `jieba.lcut(text, HMM=hmm)` returns them.
    public func cut(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        let values = scalars.map(\.value)
        var spans = WordSpans()
        var scratch = Scratch()
        values.withUnsafeBufferPointer { appendWords(of: $0, to: &spans, scratch: &scratch) }
        return (0..<spans.count).map { index in
            String(String.UnicodeScalarView(scalars[Int(spans.starts[index])..<Int(spans.ends[index])]))
        }
    }

    /// Appends the words of `text` (Unicode scalar values) as index ranges into `text`.
    public func appendWords(of text: UnsafeBufferPointer<UInt32>, to spans: inout WordSpans, scratch: inout Scratch) {
        cutter.cut(text, useHMM: hmm, into: &spans, scratch: &scratch.cutter)
    }
}

/// Where jieba's data lives: the `python3-jieba` Debian package, or a directory named by `ERNIE_JIEBA_DIR`
/// (a `jieba/` package directory holding `dict.txt` and `finalseg/`).
public enum JiebaResources {
    public static var candidateDirectories: [URL] {
        var directories = [URL]()
        if let custom = ProcessInfo.processInfo.environment["ERNIE_JIEBA_DIR"] {
            directories.append(URL(fileURLWithPath: custom))
        }
        directories.append(URL(fileURLWithPath: "/usr/lib/python3/dist-packages/jieba"))
        directories.append(URL(fileURLWithPath: "/usr/share/python3-jieba/jieba"))
        return directories
    }

    /// The installed jieba package directory.
    public static func packageDirectory() throws -> URL {
        for directory in candidateDirectories
        where FileManager.default.fileExists(atPath: directory.appendingPathComponent("dict.txt").path) {
            return directory
        }
        throw JiebaError.notFound("jieba's dict.txt was not found in \(candidateDirectories.map(\.path)); "
            + "install python3-jieba (scripts/setup.sh), set ERNIE_JIEBA_DIR, or pass --dict")
    }

    private static let cache = Mutex<(dictionary: JiebaDictionary?, model: JiebaHMMModel?)>((nil, nil))

    /// jieba's default dictionary, parsed once per process.
    public static func defaultDictionary() throws -> JiebaDictionary {
        if let cached = cache.withLock({ $0.dictionary }) { return cached }
        let dictionary = try JiebaDictionary(contentsOf: packageDirectory().appendingPathComponent("dict.txt"))
        cache.withLock { $0.dictionary = dictionary }
        return dictionary
    }

    /// jieba's `finalseg` HMM tables, parsed once per process.
    public static func defaultHMMModel() throws -> JiebaHMMModel {
        if let cached = cache.withLock({ $0.model }) { return cached }
        let model = try JiebaHMMModel(directory: packageDirectory().appendingPathComponent("finalseg"))
        cache.withLock { $0.model = model }
        return model
    }
}
