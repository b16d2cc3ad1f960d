import ArgumentParser
import ErnieBasics
import ErnieText
import ErnieTraining
import Foundation

/// `ernie vocab`: an ERNIE-style vocab.txt from a corpus.
struct Vocab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Build an ERNIE-style vocab.txt ([PAD] [CLS] [SEP] [MASK] [UNK], CJK characters by frequency, other "
            + "frequent characters, WordPiece subwords with ##) from text files.",
        discussion: """
            Text is normalized and split as the tokenizer will see it. The size is capped so that the vocab plus \
            PaddleNLP's ##<CJK> extension ids stay within 65535 (uint16 token files).
            """)

    @Option(name: .customLong("input"), help: "UTF-8 text file, one text per line; repeatable.")
    var inputs: [String]

    @Option(name: .customLong("output"), help: "vocab.txt to write.")
    var output: String

    @Option(name: .customLong("vocab_size"), parsing: .unconditional, help: "Number of entries wanted.")
    var vocabSize: Int = 40000

    @Option(name: .customLong("do_lower_case"), help: "Lower-case and strip accents before counting (true|false).")
    var doLowerCase: Bool = true

    @Option(name: .customLong("min_char_frequency"), parsing: .unconditional, help: "Occurrences a non-CJK character needs to get an entry.")
    var minCharacterFrequency: Int = 5

    @Option(name: .customLong("min_subword_frequency"), parsing: .unconditional, help: "Occurrences a merged subword needs.")
    var minSubwordFrequency: Int = 2

    @Option(name: .customLong("all_cjk"), help: "Also add every U+4E00…U+9FA5 character the corpus lacks.")
    var allCJK = false

    @Option(name: .customLong("invalid_utf8"), help: "On invalid UTF-8: error, replace (U+FFFD) or skip the line.")
    var invalidUTF8: String = "error"

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        try FlagRange.positive("--vocab_size", vocabSize)
        try FlagRange.nonNegative("--min_char_frequency", minCharacterFrequency)
        try FlagRange.nonNegative("--min_subword_frequency", minSubwordFrequency)
        if let input = inputs.first(where: { FileLocation.same($0, output) }) {
            throw ValidationError("--output \(output) is the --input file \(input): write to another path")
        }
    }

    func run() throws {
        guard let policy = InvalidUTF8Policy(rawValue: invalidUTF8) else {
            throw ValidationError("--invalid_utf8 must be error, replace or skip")
        }
        guard vocabSize >= VocabularyBuilder.specialTokens.count else {
            throw ValidationError("--vocab_size must be at least \(VocabularyBuilder.specialTokens.count)")
        }
        var options = VocabularyBuilder.Options()
        options.vocabSize = vocabSize
        options.lowercase = doLowerCase
        options.minCharacterFrequency = minCharacterFrequency
        options.minSubwordFrequency = minSubwordFrequency
        options.includeAllCJK = allCJK
        var builder = try VocabularyBuilder(options: options)
        for input in inputs {
            try TextLines.forEachLine(path: input, policy: policy) { _, scalars in builder.add(scalars) }
        }
        let (tokens, summary) = builder.build()
        let writer = try TextFileWriter(path: output)
        for token in tokens { writer.write(token + "\n") }
        try writer.close()
        FileHandle.standardError.write(Data("\(output): \(summary)\n".utf8))
    }
}
