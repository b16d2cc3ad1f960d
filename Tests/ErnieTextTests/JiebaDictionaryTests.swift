import Foundation
import Testing
@testable import ErnieText

/// User dictionaries (`load_userdict`) and replaced main dictionaries (`Tokenizer(dictionary=…)`) against jieba.
@Suite struct JiebaDictionaryTests {
    @Test(.enabled(if: TestSupport.hasJieba, TestSupport.jiebaAbsent)) func userAndMainDictionariesMatchJieba() throws {
        var withUser = try JiebaResources.defaultDictionary()
        try withUser.loadUserDictionary(contentsOf: TestSupport.fixture("segment/user_dict.txt"))
        let small = try JiebaDictionary(contentsOf: TestSupport.fixture("segment/small_dict.txt"))
        let segmenters = [
            "user_hmm": try JiebaSegmenter(dictionary: withUser, hmm: true),
            "user_no_hmm": try JiebaSegmenter(dictionary: withUser, hmm: false),
            "small_hmm": try JiebaSegmenter(dictionary: small, hmm: true),
            "small_no_hmm": try JiebaSegmenter(dictionary: small, hmm: false),
        ]
        let records = try TestSupport.jsonLines(TestSupport.fixture("segment/hand_dicts.jsonl")) as! [[String: Any]]
        for record in records {
            let text = record["text"] as! String
            for (name, segmenter) in segmenters {
                #expect(segmenter.cut(text) == record[name] as! [String], "\(name): \(text.debugDescription)")
            }
            for (word, frequency) in record["user_freq"] as! [String: Int] {
                #expect(withUser.frequency(of: word) == frequency, "suggested frequency of \(word)")
            }
        }
    }

    @Test func userLinesSplitLikeJiebasPattern() {
        func parse(_ line: String) -> (String, Int?) {
            let result = JiebaDictionary.parseUserLine(Array(line.unicodeScalars))
            return (result.word, result.frequency)
        }
        #expect(parse("云计算 5") == ("云计算", 5))
        #expect(parse("创新办 3 i") == ("创新办", 3))
        #expect(parse("凱特琳 nz") == ("凱特琳", nil))
        #expect(parse("a b c") == ("a b", nil))
        #expect(parse("word 12x") == ("word 12x", nil))
        #expect(parse("deep learning 7 n") == ("deep learning", 7))
    }

    @Test func malformedMainDictionaryNamesTheLine() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-bad-dict-\(UUID()).txt")
        try "好 3 a\n坏词\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: JiebaError.invalidEntry(path: url.path, line: 2, text: "坏词")) {
            try JiebaDictionary(contentsOf: url)
        }
    }

    @Test func pythonLiteralParsesEscapesAndNumbers() throws {
        let source = Array("from x import y\nP={'B': {'\\u4e00': -3.5, \"c\": 1e-3},\n 'E': -3.14e+100}\n".utf8)
        let value = try PythonLiteral.parseAssignment(named: "P", in: source, path: "test.py")
        #expect(value == .dict([
            (.string("B"), .dict([(.string("一"), .number(-3.5)), (.string("c"), .number(0.001))])),
            (.string("E"), .number(-3.14e100)),
        ]))
    }

    @Test(.enabled(if: TestSupport.hasJieba, TestSupport.jiebaAbsent)) func defaultDictionaryLoadsQuickly() throws {
        let directory = try JiebaResources.packageDirectory()
        let clock = ContinuousClock()
        let start = clock.now
        let dictionary = try JiebaDictionary(contentsOf: directory.appendingPathComponent("dict.txt"))
        let elapsed = clock.now - start
        print("jieba dict.txt: \(dictionary.wordCount) words, \(dictionary.nodeCount) trie nodes, loaded in \(elapsed)")
        #expect(dictionary.wordCount > 300_000)
        #expect(dictionary.total == 60_101_967)
    }
}
