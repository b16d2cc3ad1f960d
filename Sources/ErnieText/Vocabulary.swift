import Foundation

/// A WordPiece vocabulary as `vocab.txt` stores it: one token per line, id = line index — or, as PaddleNLP's ERNIE 1.0
/// vocabulary has it, `token<TAB>id` on every line.
///
/// Shared by the tokenizer, the data pipeline (PaddleNLP's `##<CJK>` extension) and the models (vocab size).
public struct Vocabulary: Sendable {
    /// Tokens by id.
    public let tokens: [String]
    /// Ids by token.
    public let ids: [String: Int]

    public static let requiredSpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// Builds a vocabulary from tokens in id order.
    /// - Throws: `VocabularyError` on duplicate tokens or, when `requireSpecialTokens`, a missing special token.
    public init(tokens: [String], source: String = "vocabulary", requireSpecialTokens: Bool = true) throws {
        var ids = [String: Int](minimumCapacity: tokens.count)
        for (id, token) in tokens.enumerated() {
            if let first = ids[token] {
                throw VocabularyError.duplicateToken(source: source, token: token, firstLine: first + 1, line: id + 1)
            }
            ids[token] = id
        }
        if requireSpecialTokens {
            let missing = Self.requiredSpecialTokens.filter { ids[$0] == nil }
            if !missing.isEmpty { throw VocabularyError.missingSpecialTokens(source: source, tokens: missing) }
        }
        self.tokens = tokens
        self.ids = ids
    }

    /// Reads `vocab.txt` (UTF-8, one token per line; a trailing newline does not add a token).
    public init(contentsOf url: URL, requireSpecialTokens: Bool = true) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw VocabularyError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw VocabularyError.invalidUTF8(path: url.path)
        }
        // Python's universal newlines, as transformers reads vocab.txt: "\n", "\r\n" and "\r" end a line. ("\r\n" is
        // one Character in Swift, so splitting on "\n" alone would leave a CRLF file as one line.)
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map(String.init)
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: try Self.tabSeparatedTokens(lines, source: url.path) ?? lines, source: url.path,
                      requireSpecialTokens: requireSpecialTokens)
    }

    /// The tokens of PaddleNLP's `token<TAB>id` form in id order, or nil when some line is not of that form (a
    /// WordPiece token never holds a tab, so a plain vocabulary is never taken for one).
    /// - Throws: `VocabularyError.invalidId` for an id out of range or given twice.
    static func tabSeparatedTokens(_ lines: [String], source: String) throws -> [String]? {
        guard lines.first?.contains("\t") == true else { return nil }
        var byId = [String?](repeating: nil, count: lines.count)
        for (index, line) in lines.enumerated() {
            guard let tab = line.lastIndex(of: "\t"), let id = Int(line[line.index(after: tab)...]) else { return nil }
            guard id >= 0, id < lines.count, byId[id] == nil else {
                throw VocabularyError.invalidId(source: source, line: index + 1, id: id, count: lines.count)
            }
            byId[id] = String(line[..<tab])
        }
        return byId.map { $0! }   // n distinct ids in 0..<n: every slot is filled
    }

    public var count: Int { tokens.count }

    public subscript(token: String) -> Int? { ids[token] }

    public var padId: Int { ids["[PAD]"] ?? 0 }
    public var unkId: Int? { ids["[UNK]"] }
    public var clsId: Int? { ids["[CLS]"] }
    public var sepId: Int? { ids["[SEP]"] }
    public var maskId: Int? { ids["[MASK]"] }

    /// PaddleNLP's `ErnieTokenizer.extend_chinese_char()`: every single CJK character (U+4E00…U+9FA5) of the vocab,
    /// in id order, whose `##` form is not in the vocab gets the id `count + k`. Token files mark the non-initial
    /// characters of a Chinese word with these ids; masking maps them back to the bare character.
    ///
    /// - Returns: `"##<char>"` → extended id, and for each extended id (minus `count`) the bare character's id.
    public func chineseCharExtension() -> (ids: [String: Int], baseIds: [Int]) {
        var extended = [String: Int]()
        var baseIds = [Int]()
        for (id, token) in tokens.enumerated() {
            let scalars = token.unicodeScalars
            guard scalars.count == 1, let scalar = scalars.first, (0x4E00...0x9FA5).contains(scalar.value) else { continue }
            let continuation = "##" + token
            if ids[continuation] == nil && extended[continuation] == nil {
                extended[continuation] = count + baseIds.count
                baseIds.append(id)
            }
        }
        return (extended, baseIds)
    }
}

public enum VocabularyError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case invalidUTF8(path: String)
    case duplicateToken(source: String, token: String, firstLine: Int, line: Int)
    case missingSpecialTokens(source: String, tokens: [String])
    case invalidId(source: String, line: Int, id: Int, count: Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read vocabulary \(path): \(reason)"
        case .invalidUTF8(let path): "vocabulary \(path) is not valid UTF-8"
        case .duplicateToken(let source, let token, let firstLine, let line):
            "\(source):\(line): duplicate token \"\(token)\" (first at line \(firstLine)); a vocab.txt lists each token once"
        case .missingSpecialTokens(let source, let tokens):
            "\(source) lacks the special tokens \(tokens.joined(separator: ", ")); BERT/ERNIE vocabularies need [PAD] [UNK] [CLS] [SEP] [MASK]"
        case .invalidId(let source, let line, let id, let count):
            "\(source):\(line): id \(id) of a token<TAB>id vocabulary is out of range or given twice (\(count) tokens, ids 0–\(count - 1))"
        }
    }
}
