import Testing

@testable import ErnieText

/// Token ids given as a JSON array are integers or an error; never truncated.
@Suite struct TokenIdLineTests {
    @Test func integerArraysAreIdsAndOtherLinesText() throws {
        #expect(try TokenIdLine.ids("[101, 2769, 102]") == [101, 2769, 102])
        #expect(try TokenIdLine.ids("[]") == [])
        #expect(try TokenIdLine.ids("[CLS] 你好 [SEP]") == nil)
        #expect(try TokenIdLine.ids(#"["a", "b"]"#) == nil)
        #expect(try TokenIdLine.ids("hello") == nil)
    }

    @Test(arguments: [("[1.5, 2]", 0, "1.5"), ("[1, 2.0]", 1, "2.0"), ("[3, 2e3]", 1, "2e3"), ("[4294967296]", 0, "4294967296"),
                      ("[1, 99999999999999999999999]", 1, "99999999999999999999999")])
    func nonIntegerIdsAreErrors(line: String, position: Int, literal: String) {
        #expect(throws: TokenIdLine.InvalidId(position: position, literal: literal)) { try TokenIdLine.ids(line) }
    }
}
