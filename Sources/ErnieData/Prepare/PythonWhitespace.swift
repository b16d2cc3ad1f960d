/// Python's `str.isspace()` / `str.strip()` over Unicode scalar values, which PaddleNLP's scripts rely on: a line
/// whose `strip()` is empty ends a document, and every sentence is stripped before it is tokenized. Unlike ASCII
/// whitespace this includes U+3000 (ideographic space), frequent in Chinese text, and the separators U+001C…U+001F.
enum PythonWhitespace {
    /// `chr(value).isspace()` in Python 3.11 (Unicode 14: bidirectional class WS, B or S, or category Zs).
    @inline(__always)
    static func isSpace(_ value: UInt32) -> Bool {
        if value < 0x80 { return (value >= 0x09 && value <= 0x0D) || (value >= 0x1C && value <= 0x20) }
        switch value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// The range of `text[range]` left by `strip()`.
    @inline(__always)
    static func strip(_ text: UnsafeBufferPointer<UInt32>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper && isSpace(text[lower]) { lower += 1 }
        while upper > lower && isSpace(text[upper - 1]) { upper -= 1 }
        return lower..<upper
    }
}
