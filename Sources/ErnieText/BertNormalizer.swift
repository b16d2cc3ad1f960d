/// The options of Hugging Face's `BertNormalizer` (and the slow `BasicTokenizer`'s equivalents).
public struct BertNormalizer: Sendable, Equatable {
    /// Drop NUL, U+FFFD and control/format characters; map whitespace to spaces.
    public var cleanText: Bool
    /// Put spaces around CJK ideographs so that each becomes its own word (`tokenize_chinese_chars`).
    public var handleChineseChars: Bool
    /// NFD, then drop nonspacing marks. `nil` follows `lowercase`, as HF does.
    public var stripAccents: Bool?
    /// Lower-case every scalar (`do_lower_case`).
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// What happens to each scalar's value after cleaning.
    enum Mode: Sendable {
        case none, lowercase, stripAccents, lowercaseAndStripAccents
    }

    var mode: Mode {
        switch (stripAccents ?? lowercase, lowercase) {
        case (false, false): .none
        case (false, true): .lowercase
        case (true, false): .stripAccents
        case (true, true): .lowercaseAndStripAccents
        }
    }
}
