import ErnieBasics
import Foundation
import Testing

@testable import ErnieModels

@Suite struct JSONTests {
    @Test func parsesEveryKindAndKeepsNumberLiterals() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.50, 1e-12, 3E+2], "b": {"x": null, "y": true, "z": false}, "c": "\u00e9\ud83d\ude00\n\"\\/"} "#)
        #expect(value["a"]?.arrayValue?.map { if case .number(let text) = $0 { text } else { "" } } == ["1", "-2.50", "1e-12", "3E+2"])
        #expect(value["a"]?.arrayValue?[0].intValue == 1)
        #expect(value["a"]?.arrayValue?[1].intValue == nil)
        #expect(value["a"]?.arrayValue?[2].doubleValue == 1e-12)
        #expect(value["b"]?["x"] == .null)
        #expect(value["b"]?["y"] == .bool(true))
        #expect(value["c"]?.stringValue == "é😀\n\"\\/")
        #expect(value.objectValue?.keys == ["a", "b", "c"])
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "\"abc", "\"\u{01}\"", "tru", "nul", "{\"a\" 1}",
        "[1 2]", "\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"", "{} x", "NaN", "'a'",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsDuplicateKeysNamingThem() {
        #expect { try JSONParser.parse(#"{"w": 1, "w": 2}"#) } throws: { error in
            (error as? JSONParser.Failure)?.message == "duplicate key \"w\""
        }
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xFF, 0xFE, 0x22]
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Data(bytes)) }
    }

    /// Expected strings are Python's `repr(float)`.
    @Test func pythonFloatRepr() {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (1e-12, "1e-12"), (1e-5, "1e-05"), (0.0001, "0.0001"), (1.0, "1.0"), (100.0, "100.0"),
            (1e15, "1000000000000000.0"), (9.9e15, "9900000000000000.0"), (1e16, "1e+16"), (2.5e-7, "2.5e-07"),
            (123456789012345678.0, "1.2345678901234568e+17"), (0.30000000000000004, "0.30000000000000004"),
            (12345.678, "12345.678"), (-0.02, "-0.02"), (0.0, "0.0"), (1e22, "1e+22"), (Double.leastNonzeroMagnitude, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (0.001, "0.001"), (1234.5e-10, "1.2345e-07"),
        ]
        for (value, expected) in cases { #expect(PythonFloat.repr(value) == expected, "\(value)") }
    }

    @Test func pythonIndentedLayout() {
        let value: JSONValue = ["b": [1, "x"], "a": ["k": []], "é": "ü\u{7F}\u{1F600}\u{01}", "e": [:]]
        let expected = """
            {
              "b": [
                1,
                "x"
              ],
              "a": {
                "k": []
              },
              "\\u00e9": "\\u00fc\\u007f\\ud83d\\ude00\\u0001",
              "e": {}
            }
            """
        #expect(JSONWriter.pythonIndented(value) == expected)
        #expect(JSONWriter.compact(value) == #"{"b":[1,"x"],"a":{"k":[]},"é":"ü\#u{7F}😀\u0001","e":{}}"#)
    }

    @Test func sortsByCodePoint() {
        let value: JSONValue = ["b": 1, "B": 2, "中": 3, "a": ["z": 1, "y": 2]]
        #expect(value.sortedByKeys().objectValue?.keys == ["B", "a", "b", "中"])
        #expect(value.sortedByKeys()["a"]?.objectValue?.keys == ["y", "z"])
    }

    @Test func writerOutputParsesBack() throws {
        let value: JSONValue = ["text": "tab\t quote\" back\\ 中文 \u{1F600}", "n": 1e-12, "list": [nil, true, 0.5]]
        #expect(try JSONParser.parse(JSONWriter.pythonIndented(value)) == value)
        #expect(try JSONParser.parse(JSONWriter.compact(value)) == value)
    }

    @Test func codableThroughFoundation() throws {
        let value: JSONValue = ["a": 1, "b": [true, nil, "s"], "c": 0.25]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }
}
