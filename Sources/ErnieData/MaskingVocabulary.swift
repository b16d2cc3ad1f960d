import ErnieText

/// Per-id facts the masking step needs, precomputed from a vocabulary and its `##<CJK>` extension so sample building
/// never touches strings: whether an id is a word continuation (`##…`), the id a continuation maps to for the model
/// (`##中` → `中`, PaddleNLP's `to_chinese_char`), and the special ids.
public struct MaskingVocabulary: Sendable {
    /// Entries of vocab.txt; random replacement draws ids in `0 ..< baseCount`.
    public let baseCount: Int
    /// `baseCount` + extension ids: every id a token file may hold.
    public let idCount: Int
    public let clsId: Int32
    public let sepId: Int32
    public let maskId: Int32
    public let padId: Int32
    /// `isContinuation[id]`: the token starts with `##`.
    let isContinuation: [Bool]
    /// `characterId[id]`: the id a continuation piece is shown to the model as.
    let characterId: [Int32]
    /// Byte-level BPE only: `endsWithLetter[id]`, the token's text ends with a letter (or inside a character). A piece
    /// continues a word only after such a token.
    let endsWithLetter: [Bool]?

    /// - Throws: `DataError.invalidArgument` when a special token is missing.
    public init(vocabulary: Vocabulary) throws {
        func special(_ token: String) throws -> Int32 {
            guard let id = vocabulary[token] else {
                throw DataError.invalidArgument(name: "vocabulary", reason: "lacks \(token)")
            }
            return Int32(id)
        }
        clsId = try special("[CLS]")
        sepId = try special("[SEP]")
        maskId = try special("[MASK]")
        padId = try special("[PAD]")
        let extensionTable = vocabulary.chineseCharExtension()
        var tokens = vocabulary.tokens
        var extensionTokens = [String](repeating: "", count: extensionTable.baseIds.count)
        for (token, id) in extensionTable.ids { extensionTokens[id - vocabulary.count] = token }
        tokens += extensionTokens
        baseCount = vocabulary.count
        idCount = tokens.count
        var lookup = vocabulary.ids
        for (token, id) in extensionTable.ids { lookup[token] = id }
        var continuation = [Bool](repeating: false, count: idCount)
        var character = [Int32](repeating: 0, count: idCount)
        for (id, token) in tokens.enumerated() {
            continuation[id] = token.hasPrefix("##")
            character[id] = Int32(id)
            // PaddleNLP: a token matching `##[\u4E00-\u9FA5]` anywhere loses its first two characters.
            let scalars = Array(token.unicodeScalars)
            let hasChineseContinuation = scalars.indices.contains { index in
                index + 2 < scalars.count && scalars[index] == "#" && scalars[index + 1] == "#"
                    && (0x4E00...0x9FA5).contains(scalars[index + 2].value)
            }
            if hasChineseContinuation {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars.dropFirst(2))
                if let mapped = lookup[String(view)] { character[id] = Int32(mapped) }
            }
        }
        isContinuation = continuation
        characterId = character
        endsWithLetter = nil
    }

    /// The masking facts of either tokenizer kind: `init(vocabulary:)` for WordPiece, `init(byteLevel:)` for BPE.
    public init(tokenizer: any TextTokenizer) throws {
        if let bpe = tokenizer as? ByteLevelBPETokenizer {
            try self.init(byteLevel: bpe)
        } else {
            try self.init(vocabulary: tokenizer.vocabulary)
        }
    }

    /// Whole-word units for byte-level BPE (RoBERTa): a token starting with `Ġ` (a space) or following a token that
    /// does not end with a letter begins a new word; the others continue the word (and are shown as themselves).
    /// - Throws: `DataError.invalidArgument` when a special token is missing.
    public init(byteLevel tokenizer: ByteLevelBPETokenizer) throws {
        let vocabulary = tokenizer.vocabulary
        func special(_ token: String) throws -> Int32 {
            guard let id = vocabulary[token] else {
                throw DataError.invalidArgument(name: "vocabulary", reason: "lacks \(token)")
            }
            return Int32(id)
        }
        clsId = try special(tokenizer.classifierToken)
        sepId = try special(tokenizer.separatorToken)
        maskId = try special(tokenizer.maskToken)
        padId = try special(tokenizer.paddingToken)
        baseCount = vocabulary.count
        idCount = vocabulary.count
        let specials = Set(tokenizer.addedTokens.map(\.id))
        var continuation = [Bool](repeating: false, count: idCount)
        var letter = [Bool](repeating: false, count: idCount)
        for (id, token) in vocabulary.tokens.enumerated() where !specials.contains(id) {
            continuation[id] = token.unicodeScalars.first?.value != 0x120
            guard let bytes = ByteLevelAlphabet.decode(token), !bytes.isEmpty else { continue }
            letter[id] = Self.endsWithLetter(bytes)
        }
        isContinuation = continuation
        characterId = (0..<Int32(idCount)).map { $0 }
        endsWithLetter = letter
    }

    /// The last character of `bytes` (UTF-8) is a letter (`\p{L}`), or `bytes` end inside a character.
    static func endsWithLetter(_ bytes: [UInt8]) -> Bool {
        var start = bytes.count - 1
        while start > 0 && bytes[start] & 0xC0 == 0x80 && bytes.count - start < 4 { start -= 1 }
        let lead = bytes[start]
        let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0
        guard length == bytes.count - start else { return true }  // a character cut by the token's end
        let scalar = String(decoding: bytes[start...], as: UTF8.self).unicodeScalars.first!
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }
}
