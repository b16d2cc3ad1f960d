/// GPT-2's pre-tokenization regex, as HF's `ByteLevel` pre-tokenizer applies it (Oniguruma, Unicode classes):
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// written out by hand over scalar values: the alternatives are tried in order at each position, and together they
/// match every scalar, so the words tile the text.
enum ByteLevelPreTokenizer {
    /// Scalar classes of the regex: `\p{L}`, `\p{N}`, `\s` (White_Space) and everything else.
    enum Class: UInt8 {
        case other = 0, letter, number, space
    }

    /// Classes of the Basic Multilingual Plane, computed once; the other planes ask the Unicode tables.
    static let bmpClasses: [UInt8] = (0..<UInt32(0x10000)).map { value in
        guard let scalar = Unicode.Scalar(value) else { return Class.other.rawValue }
        return computeClass(scalar).rawValue
    }

    static func computeClass(_ scalar: Unicode.Scalar) -> Class {
        let properties = scalar.properties
        if properties.isWhitespace { return .space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    @inline(__always)
    static func classOf(_ value: UInt32) -> UInt8 {
        if value < 0x10000 { return bmpClasses[Int(value)] }
        guard let scalar = Unicode.Scalar(value) else { return Class.other.rawValue }
        return computeClass(scalar).rawValue
    }

    /// The end of the regex's match at `position` in `text` (scalar values with their classes): call it again from
    /// there for the next word.
    @inline(__always)
    static func wordEnd(_ text: UnsafeBufferPointer<UInt32>, classes: UnsafeBufferPointer<UInt8>, from position: Int) -> Int {
        let count = text.count
        let value = text[position]
        let white = Class.space.rawValue
        // 's 't 're 've 'm 'll 'd
        if value == 0x27 && position + 1 < count {
            switch text[position + 1] {
            case 0x73, 0x74, 0x6D, 0x64: return position + 2                                          // s t m d
            case 0x72, 0x76: if position + 2 < count && text[position + 2] == 0x65 { return position + 3 }  // re ve
            case 0x6C: if position + 2 < count && text[position + 2] == 0x6C { return position + 3 }        // ll
            default: break
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: a space joins the run of one class that follows it.
        var runStart = position
        if value == 0x20 && position + 1 < count && classes[position + 1] != white { runStart = position + 1 }
        let kind = classes[runStart]
        if kind != white {
            var end = runStart + 1
            while end < count && classes[end] == kind { end += 1 }
            return end
        }
        // `\s+(?!\S)`: a run of whitespace, less its last scalar when a non-space follows; else `\s+` (one scalar).
        var end = position + 1
        while end < count && classes[end] == white { end += 1 }
        if end < count && end - position >= 2 { end -= 1 }
        return end
    }
}
