import Foundation
import Testing
@testable import ErnieText

/// Every code point against HF's BertNormalizer / BertPreTokenizer (fixtures from tools/make_text_goldens.py).
@Suite struct BertCharacterTableTests {
    static func parseRanges(_ text: Substring) -> Set<UInt32> {
        var set = Set<UInt32>()
        for part in text.split(separator: " ") {
            let bounds = part.split(separator: "-").map { UInt32($0, radix: 16)! }
            for value in bounds[0]...(bounds.count > 1 ? bounds[1] : bounds[0]) { set.insert(value) }
        }
        return set
    }

    static var allScalars: [UInt32] { Array(0..<0xD800) + Array(0xE000..<0x110000) }

    @Test func classesMatchHuggingFace() throws {
        let table = BertCharacterTable.shared
        var expected = [String: Set<UInt32>]()
        for line in try TestSupport.lines(TestSupport.fixture("unicode/hf_classes.txt")) {
            let name = line.prefix { $0 != " " }
            expected[String(name)] = Self.parseRanges(line.dropFirst(name.count + 1))
        }
        for (name, flag) in [("removed", BertCharacterTable.Flags.removed), ("whitespace", .whitespace),
                             ("punctuation", .punctuation)] {
            let wanted = expected[name]!
            var wrong = [String]()
            for value in Self.allScalars {
                var has = table.flags(value).contains(flag)
                if name == "whitespace" { has = has && !table.flags(value).contains(.removed) }
                if has != wanted.contains(value) { wrong.append(String(value, radix: 16)) }
            }
            #expect(wrong.isEmpty, "\(name): \(wrong.count) code points differ, e.g. \(wrong.prefix(20))")
        }
    }

    @Test(arguments: [("lower_strip", BertNormalizer.Mode.lowercaseAndStripAccents), ("lower", .lowercase),
                      ("strip", .stripAccents)])
    func normalizationMatchesHuggingFace(file: String, mode: BertNormalizer.Mode) throws {
        let table = BertCharacterTable.shared
        var expected = [UInt32: [UInt32]]()
        for line in try TestSupport.lines(TestSupport.fixture("unicode/hf_normalized_\(file).txt")) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            expected[UInt32(fields[0], radix: 16)!] = fields[1].split(separator: " ").map { UInt32($0, radix: 16)! }
        }
        let flag: BertCharacterTable.Flags = switch mode {
        case .lowercase: .lowerChanges
        case .stripAccents: .stripChanges
        default: .lowerStripChanges
        }
        var wrong = [String]()
        for value in Self.allScalars where !(0xAC00...0xD7A3).contains(value) {
            let ours = table.flags(value).contains(flag) ? table.normalized(value, mode: mode) : [value]
            let theirs = expected[value] ?? [value]
            if ours != theirs {
                wrong.append("\(String(value, radix: 16)):\(ours.map { String($0, radix: 16) })≠\(theirs.map { String($0, radix: 16) })")
            }
        }
        #expect(wrong.isEmpty, "\(file): \(wrong.count) code points differ, e.g. \(wrong.prefix(12))")
    }

    @Test func hangulDecomposesLikeNFD() {
        #expect(BertCharacterTable.hangulDecomposition(0xD55C) == [0x1112, 0x1161, 0x11AB])  // 한
        #expect(BertCharacterTable.hangulDecomposition(0xAC00) == [0x1100, 0x1161])  // 가
    }
}
