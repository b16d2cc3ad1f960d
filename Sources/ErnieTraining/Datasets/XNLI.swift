import ErnieBasics
import Foundation

/// ERNIE-M's XNLI fine-tuning modes (PaddleNLP `run_classifier.py --task_type`).
public enum XNLITaskType: String, Sendable, Codable, CaseIterable {
    /// Train and select on English, evaluate on every language (zero-shot transfer).
    case crossLingualTransfer = "cross-lingual-transfer"
    /// Train, select and evaluate on every language (the machine-translated training sets).
    case translateTrainAll = "translate-train-all"
}

/// Where XNLI comes from: a folder as distributed, or PaddleNLP's `--use_test_data` JSON-lines file.
public struct XNLISettings: Sendable, Codable, Equatable {
    public var taskType: XNLITaskType
    /// A folder holding XNLI-1.0 (`xnli.dev.tsv`, `xnli.test.tsv`) and XNLI-MT-1.0 (`multinli.train.<lang>.tsv`),
    /// or any `<…>.<split>.<lang>.tsv` files.
    public var dataDirectory: String?
    /// PaddleNLP's `--test_data_path`: one JSON-lines file ({"premise", "hypothesis", "label"}) for every split.
    public var testDataPath: String?

    public init(taskType: XNLITaskType, dataDirectory: String? = nil, testDataPath: String? = nil) {
        self.taskType = taskType
        self.dataDirectory = dataDirectory
        self.testDataPath = testDataPath
    }
}

/// XNLI as distributed: XNLI-1.0's `xnli.dev.tsv` / `xnli.test.tsv` (a `language` column, `sentence1`,
/// `sentence2`, `gold_label`) and XNLI-MT-1.0's `multinli.train.<lang>.tsv` (`premise`, `hypo`, `label`, where
/// contradiction is spelled `contradictory`). Labels are Hugging Face `datasets`' order: entailment, neutral,
/// contradiction. Text is read verbatim (tab-separated, no quoting, as `datasets` reads it).
public enum XNLI {
    public static let languages = ["ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"]
    public static let labels = ["entailment", "neutral", "contradiction"]

    public enum Split: String, Sendable, CaseIterable {
        case train, validation, test
    }

    /// One split's examples by language, in `languages` order (languages without data left out).
    public typealias Examples = [(language: String, examples: [SequenceExample])]

    /// The examples of `split` for `languages` (nil: every language with data).
    /// - Throws: `DatasetError` for a missing folder or split, and for rows with an unknown label or language
    ///   (file and line); rows with missing columns go to `issues`.
    public static func read(_ split: Split, settings: XNLISettings, languages: [String]?, issues: DataIssues) throws -> Examples {
        var byLanguage: [String: [SequenceExample]] = [:]
        if let path = settings.testDataPath {
            // PaddleNLP's tiny CI data: the same file for every split and language (as its load_xnli_dataset).
            let examples = try readJSONLines(path)
            for language in languages ?? Self.languages { byLanguage[language] = examples }
        } else {
            let folder = try dataDirectory(settings)
            let files = try Self.files(in: folder).filter { $0.split == split }
            guard !files.isEmpty else {
                throw DatasetError(file: folder, "no XNLI \(split.rawValue) files (\(split == .train ? "XNLI-MT-1.0/multinli/multinli.train.<lang>.tsv" : "XNLI-1.0/xnli.\(split == .validation ? "dev" : "test").tsv"), or <name>.\(split == .validation ? "dev" : split.rawValue).<lang>.tsv)")
            }
            // A file named for another language is not read at all (XNLI-MT's train files are 15 × ~90 MB).
            for file in files where file.language.map({ languages?.contains($0) ?? true }) ?? true {
                for (language, example) in try readTSV(file.url, language: file.language, issues: issues)
                where languages?.contains(language) ?? true {
                    byLanguage[language, default: []].append(example)
                }
            }
        }
        let result: Examples = Self.languages.compactMap { language in byLanguage[language].map { (language, $0) } }
        if let languages, let missing = languages.first(where: { byLanguage[$0] == nil }) {
            throw DatasetError(file: settings.testDataPath ?? settings.dataDirectory ?? "XNLI", "no \(split.rawValue) examples for language \(missing)")
        }
        guard !result.isEmpty else { throw DatasetError(file: settings.dataDirectory ?? "XNLI", "no \(split.rawValue) examples") }
        return result
    }

    /// `--data_dir`, else `$XNLI_DIR`, else PaddleNLP's dataset cache `~/.paddlenlp/datasets/XNLI`.
    static func dataDirectory(_ settings: XNLISettings) throws -> String {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        // A folder named by the flag or the variable must exist; PaddleNLP's cache is only looked at.
        let candidates: [(String?, String?)] = [(settings.dataDirectory, "--data_dir"), (ProcessInfo.processInfo.environment["XNLI_DIR"], "XNLI_DIR"),
                          (home + "/.paddlenlp/datasets/XNLI", nil)]
        for case let (path?, source) in candidates {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { return path }
            if let source { throw DatasetError(file: path, "no such folder (\(source), the XNLI data for --task_type)") }
        }
        throw DatasetError(file: home + "/.paddlenlp/datasets/XNLI",
                           "no XNLI data: pass --data_dir (XNLI-1.0 and XNLI-MT-1.0 as distributed), set XNLI_DIR, or use --use_test_data true --test_data_path FILE")
    }

    /// The split and language of every `.tsv` under `folder` whose name says it is XNLI data.
    static func files(in folder: String) throws -> [(url: URL, split: Split, language: String?)] {
        guard let enumerator = FileManager.default.enumerator(at: URL(fileURLWithPath: folder), includingPropertiesForKeys: nil) else {
            throw DatasetError(file: folder, "cannot list the folder")
        }
        var found: [(url: URL, split: Split, language: String?)] = []
        for case let url as URL in enumerator where url.pathExtension == "tsv" {
            let parts = url.deletingPathExtension().lastPathComponent.split(separator: ".").map(String.init)
            let split: Split? = parts.lazy.compactMap { part -> Split? in
                switch part {
                case "train": .train
                case "dev", "validation", "valid": .validation
                case "test": .test
                default: nil
                }
            }.first
            guard let split else { continue }
            found.append((url, split, parts.last.flatMap { languages.contains($0) ? $0 : nil }))
        }
        return found.sorted { $0.url.path < $1.url.path }
    }

    /// The rows of one TSV file with a header; the language from its `language` column, else `language`.
    static func readTSV(_ url: URL, language fileLanguage: String?, issues: DataIssues) throws -> [(String, SequenceExample)] {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else { throw DatasetError(file: path, "cannot read the file") }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        if lines.last == "" { lines.removeLast() }
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else {
            throw DatasetError(file: path, "empty file (an XNLI TSV starts with a header)")
        }
        func column(_ names: [String]) -> Int? { names.lazy.compactMap { header.firstIndex(of: $0) }.first }
        guard let premise = column(["premise", "sentence1"]), let hypothesis = column(["hypothesis", "hypo", "sentence2"]),
              let label = column(["label", "gold_label"]) else {
            throw DatasetError(file: path, line: 1, "the header has no premise/sentence1, hypothesis/hypo/sentence2 and label/gold_label columns: \(header.prefix(8).joined(separator: ", "))")
        }
        let languageColumn = column(["language", "lang"])
        guard languageColumn != nil || fileLanguage != nil else {
            throw DatasetError(file: path, line: 1, "no language column, and the file name does not end in .<language>.tsv (\(languages.joined(separator: ", ")))")
        }
        var rows: [(String, SequenceExample)] = []
        rows.reserveCapacity(lines.count - 1)
        let needed = max(premise, hypothesis, label, languageColumn ?? 0)
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let number = index + 1
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count > needed else {
                issues.note("rows with fewer columns than the header", file: path, line: number)
                continue
            }
            let language = languageColumn.map { String(fields[$0]) } ?? fileLanguage!
            guard languages.contains(language) else {
                throw DatasetError(file: path, line: number, "unknown language \"\(language)\"; XNLI's are \(languages.joined(separator: ", "))")
            }
            let name = try labelName(String(fields[label]), file: path, line: number)
            rows.append((language, SequenceExample(text: String(fields[premise]), pair: String(fields[hypothesis]), labels: [name],
                                                   file: path, line: number)))
        }
        return rows
    }

    /// A label as written (names, XNLI-MT's `contradictory`, or `datasets`' class ids 0–2) → its name.
    static func labelName(_ raw: String, file: String, line: Int) throws -> String {
        switch raw.trimmingCharacters(in: .whitespaces) {
        case "entailment", "0": "entailment"
        case "neutral", "1": "neutral"
        case "contradiction", "contradictory", "2": "contradiction"
        default: throw DatasetError(file: file, line: line, "unknown label \"\(raw)\"; XNLI's are entailment, neutral, contradiction (or 0, 1, 2)")
        }
    }

    /// PaddleNLP's `--test_data_path` file: JSON lines with premise, hypothesis and label.
    static func readJSONLines(_ path: String) throws -> [SequenceExample] {
        guard let data = FileManager.default.contents(atPath: path) else { throw DatasetError(file: path, "cannot read the file") }
        var examples: [SequenceExample] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let number = index + 1
            guard let object = (try? JSONParser.parse(String(line)))?.objectValue,
                  let premise = object["premise"]?.stringValue, let hypothesis = object["hypothesis"]?.stringValue,
                  let label = object["label"] else {
                throw DatasetError(file: path, line: number, "expected a JSON object with premise, hypothesis and label")
            }
            let raw = label.intValue.map(String.init) ?? label.stringValue ?? ""
            examples.append(SequenceExample(text: premise, pair: hypothesis, labels: [try labelName(raw, file: path, line: number)],
                                            file: path, line: number))
        }
        guard !examples.isEmpty else { throw DatasetError(file: path, "no examples") }
        return examples
    }
}
