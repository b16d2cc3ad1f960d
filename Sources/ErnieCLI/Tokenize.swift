import ArgumentParser
import ErnieBasics
import ErnieText
import Foundation

/// `ernie tokenize`: WordPiece ids, tokens and offsets per input line, as `BertTokenizerFast` gives them.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "BERT WordPiece tokenization (Hugging Face BertTokenizerFast semantics), one JSON line per input line.",
        discussion: """
            Output per line: {"ids": […], "tokens": […], "offsets": [[start, end], …]} with offsets in Unicode scalars \
            (Python string indices) of the input line; [CLS]/[SEP] only with --add_special_tokens (offsets [0, 0]). \
            Empty lines give empty lists.
            """)

    @Option(name: .customLong("vocab_file"), help: "vocab.txt (one token per line).")
    var vocabFile: String?

    @Option(name: .customLong("tokenizer_name_or_path"),
            help: "A model directory with tokenizer.json, or vocab.txt (+ tokenizer_config.json); instead of --vocab_file.")
    var tokenizerPath: String?

    @Option(name: .customLong("do_lower_case"), help: "Lower-case and strip accents (true|false).")
    var doLowerCase: Bool = true

    @Option(name: .customLong("add_special_tokens"), help: "Wrap each line in [CLS] … [SEP].")
    var addSpecialTokens = false

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
        let tokenizer: BertTokenizer
        switch (vocabFile, tokenizerPath) {
        case (let vocab?, nil):
            tokenizer = try BertTokenizer(vocabFile: URL(fileURLWithPath: vocab), doLowerCase: doLowerCase)
        case (nil, let path?):
            tokenizer = try BertTokenizer(directory: URL(fileURLWithPath: path))
        default:
            throw ValidationError("give exactly one of --vocab_file and --tokenizer_name_or_path")
        }
        let cls = Int32(tokenizer.vocabulary[tokenizer.classifierToken]!)
        let sep = Int32(tokenizer.vocabulary[tokenizer.separatorToken]!)
        let writer = try TextFileWriter(path: output)
        var pieces = TokenPieces()
        var scratch = BertTokenizer.Scratch()
        // JSON of each token once, not per occurrence.
        let quotedTokens = tokenizer.vocabulary.tokens.map { JSONWriter.quoted($0) }
        try TextLines.forEachLine(path: input, policy: policy) { _, scalars in
            pieces.removeAll()
            if addSpecialTokens { pieces.append(cls, 0, 0) }
            tokenizer.appendPieces(of: scalars, to: &pieces, scratch: &scratch)
            if addSpecialTokens { pieces.append(sep, 0, 0) }
            var line = "{\"ids\": ["
            line += pieces.ids.map { String($0) }.joined(separator: ", ")
            line += "], \"tokens\": ["
            line += pieces.ids.map { quotedTokens[Int($0)] }.joined(separator: ", ")
            line += "], \"offsets\": ["
            line += (0..<pieces.count).map { "[\(pieces.starts[$0]), \(pieces.ends[$0])]" }.joined(separator: ", ")
            line += "]}\n"
            writer.write(line)
        }
        try writer.close()
    }
}
