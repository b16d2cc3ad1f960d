import ArgumentParser
import ErnieBasics
import ErnieText
import Foundation

/// `ernie segment`: jieba-compatible Chinese word segmentation, one JSON array of words per input line.
struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Chinese word segmentation identical to jieba 0.42.1 jieba.lcut (HMM on by default).",
        discussion: """
            Uses the dictionary and HMM tables of the installed jieba package (Debian python3-jieba, or ERNIE_JIEBA_DIR). \
            Output: one JSON array of words per input line; empty lines give [].
            """)

    @Option(name: .customLong("dict"), help: "Main dictionary in jieba's dict.txt format (jieba.set_dictionary).")
    var dictionary: String?

    @Option(name: .customLong("user_dict"), help: "User dictionary (jieba.load_userdict format); repeatable.")
    var userDictionaries: [String] = []

    @Option(name: .customLong("no_hmm"), help: "Do not use the HMM for unknown words (jieba.lcut(…, HMM=False)).")
    var noHMM = false

    @Option(name: .customLong("hmm_dir"), help: "Directory with jieba's finalseg/prob_*.py tables.")
    var hmmDirectory: String?

    @Option(name: .customLong("input"), help: "UTF-8 text file, one text per line.")
    var input: String

    @Option(name: .customLong("output"), help: "JSON-lines output file ('-' for stdout).")
    var output: String

    @Option(name: .customLong("invalid_utf8"), help: "On invalid UTF-8: error, replace (U+FFFD) or skip the line.")
    var invalidUTF8: String = "error"

    /// The output replaces a file only once the command has succeeded, but never the input it reads.
    func validate() throws {
        if FileLocation.same(input, output) {
            throw ValidationError("--output \(output) is the --input file: write to another path")
        }
    }

    func run() throws {
        guard let policy = InvalidUTF8Policy(rawValue: invalidUTF8) else {
            throw ValidationError("--invalid_utf8 must be error, replace or skip")
        }
        var dictionary = try dictionary.map { try JiebaDictionary(contentsOf: URL(fileURLWithPath: $0)) }
            ?? JiebaResources.defaultDictionary()
        for path in userDictionaries { try dictionary.loadUserDictionary(contentsOf: URL(fileURLWithPath: path)) }
        let model = try hmmDirectory.map { try JiebaHMMModel(directory: URL(fileURLWithPath: $0)) }
        let segmenter = try JiebaSegmenter(dictionary: dictionary, hmm: !noHMM, hmmModel: model)
        let writer = try TextFileWriter(path: output)
        var spans = WordSpans()
        var scratch = JiebaSegmenter.Scratch()
        try TextLines.forEachLine(path: input, policy: policy) { _, scalars in
            spans.removeAll()
            segmenter.appendWords(of: scalars, to: &spans, scratch: &scratch)
            var line = "["
            for index in 0..<spans.count {
                if index > 0 { line += ", " }
                let word = scalars[Int(spans.starts[index])..<Int(spans.ends[index])].map { Unicode.Scalar($0)! }
                line += JSONWriter.quoted(String(String.UnicodeScalarView(word)))
            }
            line += "]\n"
            writer.write(line)
        }
        try writer.close()
    }
}
