import ArgumentParser
import ErnieBasics
import ErnieText
import ErnieTraining
import Foundation

/// `ernie vocab`: an ERNIE-style vocab.txt, or a RoBERTa-style byte-level BPE folder, from a corpus.
struct Vocab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Build an ERNIE-style vocab.txt ([PAD] [CLS] [SEP] [MASK] [UNK], CJK characters by frequency, other "
            + "frequent characters, WordPiece subwords with ##) or, with --type bpe, a byte-level BPE tokenizer folder "
            + "from text files.",
        discussion: """
            wordpiece: text is normalized and split as the tokenizer will see it. The size is capped so that the vocab \
            plus PaddleNLP's ##<CJK> extension ids stay within 65535 (uint16 token files).
            bpe: the merges of tokenizers.ByteLevelBPETokenizer().train(files, vocab_size, min_frequency, \
            special_tokens=[<s>, <pad>, </s>, <unk>, <mask>]); --output is a folder that gets vocab.json, merges.txt, \
            tokenizer.json, tokenizer_config.json and special_tokens_map.json (AutoTokenizer loads it as RobertaTokenizer).
            sentencepiece: a unigram SentencePiece model as spm_train --model_type=unigram trains it (its flags and \
            defaults; --input may also be a comma-separated list); writes <model_prefix>.model and <model_prefix>.vocab \
            (or --output X.model and X.vocab). The sentencepiece library and ernie tokenize --sentencepiece_model_file \
            load the model.
            """)

    @Option(name: .customLong("type"), help: "wordpiece (vocab.txt), bpe (byte-level BPE folder) or sentencepiece (unigram .model).")
    var type: String = "wordpiece"

    @Option(name: .customLong("min_frequency"), parsing: .unconditional, help: "bpe: occurrences a pair needs to be merged.")
    var minFrequency: Int = 2

    @Option(name: .customLong("input"), help: "UTF-8 text file, one text per line; repeatable.")
    var inputs: [String]

    @Option(name: .customLong("output"), help: "vocab.txt to write (bpe: the folder to write; sentencepiece: the .model).")
    var output: String?

    @Option(name: .customLong("vocab_size"), parsing: .unconditional, help: "Number of entries wanted (sentencepiece's default: 8000).")
    var vocabSize: Int?

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

    @OptionGroup var sentencePiece: SentencePieceTrainerOptions

    /// The wanted size: the flag, else 8000 for SentencePiece (spm_train's default) and 40000 for the others.
    private var size: Int { vocabSize ?? (type == "sentencepiece" ? 8000 : 40000) }

    /// The file or folder written (`--output`, or `<model_prefix>.model` for SentencePiece).
    private var outputPath: String {
        output ?? sentencePiece.modelPrefix.map { $0 + ".model" } ?? ""
    }

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        try FlagRange.positive("--vocab_size", size)
        try FlagRange.nonNegative("--min_char_frequency", minCharacterFrequency)
        try FlagRange.nonNegative("--min_subword_frequency", minSubwordFrequency)
        try FlagRange.nonNegative("--min_frequency", minFrequency)
        guard type == "wordpiece" || type == "bpe" || type == "sentencepiece" else {
            throw ValidationError("--type must be wordpiece, bpe or sentencepiece")
        }
        guard output == nil || sentencePiece.modelPrefix == nil else { throw ValidationError("give --output or --model_prefix, not both") }
        guard !outputPath.isEmpty else { throw ValidationError("give --output\(type == "sentencepiece" ? " or --model_prefix" : "")") }
        guard sentencePiece.modelPrefix == nil || type == "sentencepiece" else { throw ValidationError("--model_prefix is for --type sentencepiece") }
        let written = type == "sentencepiece" ? [outputPath, SentencePieceFiles.vocabPath(model: outputPath)] : [outputPath]
        for path in written {
            if let input = sentencePieceInputs.first(where: { FileLocation.same($0, path) }) {
                throw ValidationError("\(path) would overwrite the --input file \(input): write to another path")
            }
        }
    }

    func run() throws {
        guard let policy = InvalidUTF8Policy(rawValue: invalidUTF8) else {
            throw ValidationError("--invalid_utf8 must be error, replace or skip")
        }
        if type == "bpe" {
            try trainBPE(policy: policy)
            return
        }
        if type == "sentencepiece" {
            try trainSentencePiece(policy: policy)
            return
        }
        let vocabSize = size, output = outputPath
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

    /// `--type bpe`: each line is fed with its newline, as HF's trainer reads files (a last line without one, without).
    private func trainBPE(policy: InvalidUTF8Policy) throws {
        let vocabSize = size, output = outputPath
        var options = ByteLevelBPETrainer.Options()
        options.vocabSize = vocabSize
        options.minFrequency = minFrequency
        guard vocabSize >= options.specialTokens.count + 256 else {
            throw ValidationError("--vocab_size must be at least \(options.specialTokens.count + 256) for bpe "
                + "(the special tokens and the 256 bytes)")
        }
        var trainer = ByteLevelBPETrainer(options: options)
        var line = [UInt32]()
        for input in inputs {
            var pending = false
            try TextLines.forEachLine(path: input, policy: policy) { _, scalars in
                if pending { line.withUnsafeBufferPointer { trainer.add($0) } }
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: scalars)
                line.append(0x0A)
                pending = true
            }
            if pending {
                if !Self.endsWithNewline(input) { line.removeLast() }
                line.withUnsafeBufferPointer { trainer.add($0) }
            }
        }
        let (tokens, merges) = trainer.train()
        let tokenizer = try ByteLevelBPETokenizer(vocabulary: Vocabulary(tokens: tokens, requireSpecialTokens: false),
                                                  merges: merges)
        try ByteLevelBPEFiles(tokenizer: tokenizer).write(to: URL(fileURLWithPath: output))
        FileHandle.standardError.write(Data("\(output): byte-level BPE, \(tokens.count) tokens, \(merges.count) merges\n".utf8))
    }

    /// The input files; for SentencePiece each `--input` may list several, comma-separated (spm_train's form).
    private var sentencePieceInputs: [String] {
        type == "sentencepiece" ? inputs.flatMap { $0.split(separator: ",").map(String.init) } : inputs
    }

    /// `--type sentencepiece`: every line as spm_train reads it (without its newline).
    private func trainSentencePiece(policy: InvalidUTF8Policy) throws {
        var trainer: UnigramTrainer
        do { trainer = try UnigramTrainer(options: sentencePiece.trainerOptions(vocabSize: size)) } catch let error as SentencePieceError {
            throw ValidationError(error.description)
        }
        for input in sentencePieceInputs {
            try TextLines.forEachLine(path: input, policy: policy) { _, scalars in trainer.add(line: scalars) }
        }
        let (model, summary) = try trainer.train()
        try SentencePieceFiles.write(model: model, to: outputPath)
        FileHandle.standardError.write(Data(("\(outputPath): unigram SentencePiece, \(summary.pieces) pieces from "
            + "\(summary.sentences) sentences (\(summary.skippedTooLong) longer than --max_sentence_length skipped), "
            + "\(summary.requiredCharacters) characters cover \(String(format: "%.4f", summary.characterCoverage)), "
            + "\(summary.seedPieces) seed pieces, \(summary.emRounds) EM rounds\n").utf8))
    }

    private static func endsWithNewline(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size > 0 else { return true }
        try? handle.seek(toOffset: size - 1)
        return handle.readData(ofLength: 1) == Data([0x0A])
    }
}
