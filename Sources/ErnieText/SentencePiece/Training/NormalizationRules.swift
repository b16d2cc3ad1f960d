import Foundation

/// The normalisation rules a trained model carries (`normalizer_spec.precompiled_charsmap`), compiled the way
/// SentencePiece's `Builder` compiles its named rules: `nfkc` maps every character whose NFKC form differs, plus the
/// character sequences that compose (every spelling of an NFKD sequence whose NFKC differs); `nmt_nfkc` adds the NMT
/// rules (spaces for tabs, line breaks and invisible separators, ASCII control characters removed, fullwidth tilde
/// kept); redundant sequence rules are dropped; the map becomes a darts double array over UTF-8 keys and a blob of
/// NUL-terminated replacements.
///
/// NFKC here is Foundation's (ICU's data on Linux), the library's compiled tables came from its ICU: rules can differ
/// where the Unicode versions do (`tools/sentencepiece_trainer_check.py` counts the characters that normalise
/// differently).
enum NormalizationRules {
    /// The compiled map for a rule name: `identity` has none.
    /// - Throws: for a name ernie does not build.
    static func precompiledCharsmap(named name: String) throws -> [UInt8] {
        switch name {
        case "identity": return []
        case "nfkc": return compile(removeRedundant(nfkcMap()))
        case "nmt_nfkc":
            var map = nfkcMap()
            addNMTRules(&map)
            return compile(removeRedundant(map))
        default:
            throw SentencePieceError.invalidTrainerOptions("--normalization_rule_name \(name) is not built (nmt_nfkc, nfkc and identity are)")
        }
    }

    typealias CharsMap = [[UInt32]: [UInt32]]

    private static func scalars(_ string: String) -> [UInt32] { string.unicodeScalars.map(\.value) }

    private static func string(_ scalars: [UInt32]) -> String {
        String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
    }

    /// `BuildNFKCMap`.
    static func nfkcMap() -> CharsMap {
        var map: CharsMap = [:]
        var decomposed = Set<[UInt32]>()
        var originals: [UInt32: [UInt32]] = [:]
        for value in UInt32(1)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), !isNoncharacter(value) else { continue }
            // Unassigned and private-use characters and the unified ideographs are their own NFKC and NFKD, and no
            // decomposition contains them: skipping them saves most of the work.
            switch scalar.properties.generalCategory {
            case .unassigned, .privateUse, .surrogate: continue
            default: break
            }
            if (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value) || (0x20000...0x2A6DF).contains(value)
                || (0x2A700...0x2EBEF).contains(value) || (0x30000...0x323AF).contains(value) { continue }
            let text = String(scalar)
            let nfkc = scalars(text.precomposedStringWithCompatibilityMapping)
            if nfkc != [value] { map[[value]] = nfkc }
            let nfkd = scalars(text.decomposedStringWithCompatibilityMapping)
            if nfkd.count == 1 {
                originals[nfkd[0], default: []].append(value)
            } else {
                decomposed.insert(nfkd)
            }
        }
        for nfkd in decomposed {
            let nfkc = scalars(string(nfkd).precomposedStringWithCompatibilityMapping)
            if nfkc == nfkd { continue }
            // Every spelling whose characters each decompose to the sequence's characters.
            var spellings: [[UInt32]] = [[]]
            for character in nfkd {
                guard let choices = originals[character] else { spellings = []; break }
                spellings = spellings.flatMap { prefix in choices.map { prefix + [$0] } }
            }
            for spelling in spellings where spelling != nfkc { map[spelling] = nfkc }
        }
        return map
    }

    /// U+FDD0…U+FDEF and U+xxFFFE/U+xxFFFF (ICU's `U_IS_UNICODE_CHAR` excludes them; surrogates are not scalars).
    private static func isNoncharacter(_ value: UInt32) -> Bool {
        (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE
    }

    /// `MergeNmtMap`.
    static func addNMTRules(_ map: inout CharsMap) {
        for space: UInt32 in [0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF,
                              0xFFFD, 0x200C] {
            map[[space]] = [0x20]
        }
        for control: UInt32 in Array(0x01...0x08) + [0x0B] + Array(0x0E...0x1F) + [0x7F, 0x8F, 0x9F] {
            map[[control]] = []
        }
        map[[0xFF5E]] = nil
    }

    /// Longest-rule-first rewriting of `source` with rules of at most `maxLength` characters (`Builder::Normalize`).
    private static func apply(_ map: CharsMap, to source: [UInt32], maxLength: Int) -> [UInt32] {
        var result: [UInt32] = []
        var index = 0
        while index < source.count {
            var length = min(maxLength, source.count - index)
            var replacement: [UInt32]?
            while length > 0 {
                if let rule = map[Array(source[index..<(index + length)])] { replacement = rule; break }
                length -= 1
            }
            if let replacement {
                result += replacement
                index += length
            } else {
                result.append(source[index])
                index += 1
            }
        }
        return result
    }

    /// `RemoveRedundantMap`: a sequence rule stays only if the shorter rules do not already give its result.
    static func removeRedundant(_ map: CharsMap) -> CharsMap {
        var kept = map.filter { $0.key.count == 1 }
        let maxLength = map.keys.map(\.count).max() ?? 1
        if maxLength >= 2 {
            for length in 2...maxLength {
                for (key, value) in map where key.count == length && apply(kept, to: key, maxLength: length - 1) != value {
                    kept[key] = value
                }
            }
        }
        return kept
    }

    /// `CompileCharsMap`: `<trie size: uint32 LE><double array><replacements, each NUL-terminated>`.
    static func compile(_ map: CharsMap) -> [UInt8] {
        var replacements: [UInt8] = []
        var offsets: [[UInt32]: Int] = [:]
        for target in Set(map.values).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            offsets[target] = replacements.count
            replacements += UnigramTrainer.utf8(target) + [0]
        }
        let keys = map.map { (key: UnigramTrainer.utf8($0.key), value: offsets[$0.value]!) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let units = DoubleArrayBuilder.build(keys)
        var blob: [UInt8] = []
        blob.reserveCapacity(4 + units.count * 4 + replacements.count)
        let size = UInt32(units.count * 4)
        for shift in stride(from: 0, to: 32, by: 8) { blob.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        for unit in units {
            for shift in stride(from: 0, to: 32, by: 8) { blob.append(UInt8(truncatingIfNeeded: unit >> UInt32(shift))) }
        }
        return blob + replacements
    }
}
