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
    }
}
