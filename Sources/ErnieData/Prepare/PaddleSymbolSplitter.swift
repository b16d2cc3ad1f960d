/// PaddleNLP's `BasicTokenizer` (paddlenlp ≥ 2.5, used by `ErnieTokenizer` and `BertTokenizer`) splits words on
/// symbols as well as on punctuation: every character of Unicode category S* (`℃`, `∶`, `￥`, emoji …) and
/// `² º 〇 µ ŋ` (plus `Ø Ʊ` when not lower-casing, since it lower-cases first) stands alone. Hugging Face's
/// `BertTokenizerFast` keeps them inside words (`６℃` is one word there, `[UNK]` with a character vocabulary).
///
/// Putting a space on both sides of those characters before the Hugging Face–compatible tokenizer runs gives
/// PaddleNLP's tokens: the character becomes a one-character word, exactly what the punctuation split makes of it.
struct PaddleSymbolSplitter: Sendable {
    /// One bit per BMP scalar: split around it.
    private let bmp: [UInt64]
    private let lowercase: Bool

    init(lowercase: Bool) {
        self.lowercase = lowercase
        var bits = [UInt64](repeating: 0, count: 65536 / 64)
        for value in UInt32(0x80)..<0x10000 where Self.isSymbol(value, lowercase: lowercase) {
            bits[Int(value >> 6)] |= 1 << UInt64(value & 63)
        }
        bmp = bits
    }

    /// `_is_symbol` of `tokenizer_utils.py`, for a character after lower-casing. ASCII symbols are BERT punctuation
    /// already.
    static func isSymbol(_ value: UInt32, lowercase: Bool) -> Bool {
        switch value {
        case 0xB2, 0xBA, 0x3007, 0xB5, 0x14B: return true
        case 0xAD: return false  // soft hyphen: a format character, removed before splitting
        case 0xD8, 0x1B1: return !lowercase
        default: break
        }
        guard let scalar = Unicode.Scalar(value) else { return false }
        switch scalar.properties.generalCategory {
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return true
        default: return false
        }
    }

    @inline(__always)
    func splits(_ value: UInt32) -> Bool {
        if value < 0x80 { return false }
        if value < 0x10000 { return bmp[Int(value >> 6)] & (1 << UInt64(value & 63)) != 0 }
        return Self.isSymbol(value, lowercase: lowercase)
    }

    /// `text` with a space on both sides of each symbol, in `output`; false (and `output` untouched) when `text` has
    /// no symbol.
    func spaced(_ text: UnsafeBufferPointer<UInt32>, into output: inout [UInt32]) -> Bool {
        guard let first = text.firstIndex(where: splits) else { return false }
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: text[..<first])
        for index in first..<text.count {
            let value = text[index]
            if splits(value) {
                output.append(0x20)
                output.append(value)
                output.append(0x20)
            } else {
                output.append(value)
            }
        }
        return true
    }
}
