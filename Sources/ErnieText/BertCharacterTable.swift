import Foundation

/// What Hugging Face's `BertNormalizer` and `BertPreTokenizer` (the Rust `tokenizers` library behind
/// `BertTokenizerFast`) decide about one Unicode scalar, with their Unicode versions reproduced:
///
/// - removed by `clean_text`: NUL, U+FFFD and "other" characters (Cc, Cf, Co) — HF's category table is Unicode 8.0, so
///   format characters added later (and all unassigned ones) are kept; tab, LF and CR are whitespace instead;
/// - whitespace (`char::is_whitespace`, the White_Space property; mapped to a space by `clean_text`);
/// - punctuation: ASCII punctuation or a P* category as of Unicode 8.0;
/// - Chinese: the CJK blocks of HF's `_is_chinese_char`;
/// - accent stripping: NFD, then dropping nonspacing marks (Mn as of Unicode 8.0); lower-casing: the full per-scalar
///   lowercase mapping (no final-sigma context, as Rust's `char::to_lowercase`).
///
/// Built once per process (≈0.1 s, dominated by Foundation's NFD); the BMP is a flat table, other planes are classified
/// on the fly.
struct BertCharacterTable: Sendable {
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        static let removed = Flags(rawValue: 1)
        static let whitespace = Flags(rawValue: 2)
        static let punctuation = Flags(rawValue: 4)
        static let chinese = Flags(rawValue: 8)
        static let lowerChanges = Flags(rawValue: 16)
        static let stripChanges = Flags(rawValue: 32)
        static let lowerStripChanges = Flags(rawValue: 64)
    }

    static let shared = BertCharacterTable()

    /// Flags of every BMP scalar (surrogates: 0).
    let bmpFlags: [UInt8]
    /// Outputs of the three normalization modes, only for scalars they change.
    let lowerMap: [UInt32: [UInt32]]
    let stripMap: [UInt32: [UInt32]]
    let lowerStripMap: [UInt32: [UInt32]]

    /// Unicode version of HF's category tables (the `unicode_categories` crate).
    static let categoryAge = (major: 8, minor: 0)

    private init() {
        var flags = [UInt8](repeating: 0, count: 0x10000)
        var lowerMap = [UInt32: [UInt32]]()
        var candidates = [UInt32]()  // scalars whose NFD may differ from themselves
        for value in 0..<UInt32(0x10000) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            var f = Self.baseFlags(scalar)
            let lower = Self.lowercase(scalar)
            if lower.count != 1 || lower[0] != value {
                f.insert(.lowerChanges)
                lowerMap[value] = lower
            }
            flags[Int(value)] = f.rawValue
            if Self.mayDecompose(value) && Self.isOld(scalar) { candidates.append(value) }
        }
        // HF's NFD tables are old too: scalars added after Unicode 8.0 do not decompose.
        for value in Self.supplementaryDecomposable where Self.isOld(Unicode.Scalar(value)!) { candidates.append(value) }
        let decomposed = Self.decompose(candidates)
        var stripMap = [UInt32: [UInt32]]()
        var lowerStripMap = [UInt32: [UInt32]]()
        for (value, nfd) in zip(candidates, decomposed) {
            let stripped = nfd.filter { !Self.isNonspacingMark($0) }
            if stripped != [value] { stripMap[value] = stripped }
            let lowered = stripped.flatMap { Self.lowercase(Unicode.Scalar($0)!) }
            if lowered != [value] { lowerStripMap[value] = lowered }
        }
        // Lower-casing alone changes the lower+strip result of scalars without a decomposition too.
        for (value, lower) in lowerMap where lowerStripMap[value] == nil && stripMap[value] == nil {
            let stripped = lower.filter { !Self.isNonspacingMark($0) }
            if stripped != [value] { lowerStripMap[value] = stripped }
        }
        // A nonspacing mark on its own strips to nothing.
        for value in 0..<UInt32(0x10000) where Self.isNonspacingMark(value) {
            stripMap[value] = stripMap[value] ?? []
            lowerStripMap[value] = lowerStripMap[value] ?? []
        }
        for value in stripMap.keys where value < 0x10000 { flags[Int(value)] |= Flags.stripChanges.rawValue }
        for value in lowerStripMap.keys where value < 0x10000 { flags[Int(value)] |= Flags.lowerStripChanges.rawValue }
        self.bmpFlags = flags
        self.lowerMap = lowerMap
        self.stripMap = stripMap
        self.lowerStripMap = lowerStripMap
    }

    /// Flags of any scalar value.
    @inline(__always)
    func flags(_ value: UInt32) -> Flags {
        if value < 0x10000 { return Flags(rawValue: bmpFlags[Int(value)]) }
        return supplementaryFlags(value)
    }

    private func supplementaryFlags(_ value: UInt32) -> Flags {
        guard let scalar = Unicode.Scalar(value) else { return [] }
        var f = Self.baseFlags(scalar)
        if lowerMap[value] != nil || Self.lowercase(scalar) != [value] { f.insert(.lowerChanges) }
        if stripMap[value] != nil || Self.isNonspacingMark(value) { f.insert(.stripChanges) }
        if lowerStripMap[value] != nil || Self.isNonspacingMark(value) || f.contains(.lowerChanges) {
            f.insert(.lowerStripChanges)
        }
        return f
    }

    /// The scalars `value` normalizes to under `mode` (only called when the mode's change flag is set).
    func normalized(_ value: UInt32, mode: BertNormalizer.Mode) -> [UInt32] {
        switch mode {
        case .none: return [value]
        case .lowercase: return lowerMap[value] ?? Self.lowercase(Unicode.Scalar(value)!)
        case .stripAccents: return stripMap[value] ?? (Self.isNonspacingMark(value) ? [] : [value])
        case .lowercaseAndStripAccents:
            if let mapped = lowerStripMap[value] { return mapped }
            if Self.isNonspacingMark(value) { return [] }
            return Self.lowercase(Unicode.Scalar(value)!).filter { !Self.isNonspacingMark($0) }
        }
    }

    // MARK: - Unicode facts

    static func isOld(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return (age.major, age.minor) <= categoryAge
    }

    static func baseFlags(_ scalar: Unicode.Scalar) -> Flags {
        let value = scalar.value
        var f = Flags()
        let properties = scalar.properties
        if properties.isWhitespace { f.insert(.whitespace) }
        if value == 0 || value == 0xFFFD {
            f.insert(.removed)
        } else if value != 0x09 && value != 0x0A && value != 0x0D {
            switch properties.generalCategory {
            case .control, .format, .privateUse, .surrogate: if isOld(scalar) { f.insert(.removed) }
            default: break
            }
        }
        if isASCIIPunctuation(value) || value == 0x166D || value == 0x111C9 {  // Po in Unicode 8.0, So/Mn now
            f.insert(.punctuation)
        } else {
            switch properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .closePunctuation, .finalPunctuation, .initialPunctuation,
                 .otherPunctuation, .openPunctuation:
                if isOld(scalar) { f.insert(.punctuation) }
            default: break
            }
        }
        if isChinese(value) { f.insert(.chinese) }
        return f
    }

    @inline(__always)
    static func isASCIIPunctuation(_ value: UInt32) -> Bool {
        (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value)
    }

    /// HF's `_is_chinese_char`: the CJK Unified Ideographs blocks and compatibility ideographs (not kana or Hangul).
    @inline(__always)
    static func isChinese(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value) || (0x20000...0x2A6DF).contains(value)
            || (0x2A700...0x2B73F).contains(value) || (0x2B740...0x2B81F).contains(value)
            || (0x2B820...0x2CEAF).contains(value) || (0xF900...0xFAFF).contains(value)
            || (0x2F800...0x2FA1F).contains(value)
    }

    static func isNonspacingMark(_ value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        // Scalars whose category changed after Unicode 8.0: Mn then (Mc now), and Mn now (Lo, Mc, Po then).
        if value == 0x1734 || value == 0x1171E { return true }
        if value == 0x1885 || value == 0x1886 || value == 0xA9BD || value == 0x111C9 { return false }
        return scalar.properties.generalCategory == .nonspacingMark && isOld(scalar)
    }

    static func lowercase(_ scalar: Unicode.Scalar) -> [UInt32] {
        if scalar.value < 0x80 {
            return [(0x41...0x5A).contains(scalar.value) ? scalar.value + 32 : scalar.value]
        }
        return scalar.properties.lowercaseMapping.unicodeScalars.map(\.value)
    }

    /// BMP scalars that may have a canonical decomposition (everything but the big ideograph, Hangul, Yi and
    /// private-use blocks; Hangul syllables decompose algorithmically below).
    private static func mayDecompose(_ value: UInt32) -> Bool {
        if value < 0xC0 { return false }
        if (0x3400...0x4DBF).contains(value) || (0x4E00...0x9FFF).contains(value) || (0xA000...0xA4CF).contains(value)
            || (0xD800...0xF8FF).contains(value) {
            return false
        }
        return true
    }

    /// Supplementary-plane scalars with canonical decompositions (Brahmi-family vowel signs, musical symbols, CJK
    /// compatibility ideographs supplement).
    private static var supplementaryDecomposable: [UInt32] {
        Array(0x11000..<UInt32(0x11A00)) + Array(0x1D100..<UInt32(0x1D200)) + Array(0x2F800..<UInt32(0x2FA20))
    }

    /// NFD of each scalar. Hangul syllables are decomposed arithmetically; the rest go through Foundation in one call,
    /// separated by U+0001 so that canonical reordering cannot cross scalars.
    private static func decompose(_ values: [UInt32]) -> [[UInt32]] {
        let isHangul = { (value: UInt32) in (0xAC00...0xD7A3).contains(value) }
        var joined = String.UnicodeScalarView()
        for value in values where !isHangul(value) {
            joined.append(Unicode.Scalar(value)!)
            joined.append(Unicode.Scalar(1))
        }
        var foundation = [[UInt32]]()
        var current = [UInt32]()
        for scalar in String(joined).decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.value == 1 {
                foundation.append(current)
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(scalar.value)
            }
        }
        var next = foundation.makeIterator()
        let result = values.map { value in isHangul(value) ? hangulDecomposition(value) : next.next()! }
        precondition(next.next() == nil, "NFD must keep the U+0001 separators")
        return result
    }

    static func hangulDecomposition(_ value: UInt32) -> [UInt32] {
        let index = value - 0xAC00
        let lead = 0x1100 + index / 588, vowel = 0x1161 + (index % 588) / 28, trail = index % 28
        return trail == 0 ? [lead, vowel] : [lead, vowel, 0x11A7 + trail]
    }
}
