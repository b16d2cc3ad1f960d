import ErnieBasics

/// A line of token ids written as a JSON array (`[101, 2769, 102]`), which `ernie encode` accepts in place of text.
public enum TokenIdLine {
    /// An element of an id array that is a number but no token id.
    public struct InvalidId: Error, CustomStringConvertible, Equatable {
        public let position: Int
        /// The number as written.
        public let literal: String

        public var description: String {
            "token id \(literal) at position \(position) is not an integer id; ids are written as integers (no fraction or exponent)"
        }
    }

    /// The ids of `text` when it is a JSON array of numbers; nil for anything else (text to tokenize).
    ///
    /// Each number must be an integer literal within `Int32`: truncating `1.5` or `2e9` would silently encode
    /// another token. Whether an id is in the vocabulary is the caller's check.
    /// - Throws: `InvalidId` naming the first bad element.
    public static func ids(_ text: String) throws(InvalidId) -> [Int32]? {
        guard text.first == "[", case .array(let elements)? = try? JSONParser.parse(text) else { return nil }
        guard elements.allSatisfy({ if case .number = $0 { true } else { false } }) else { return nil }
        return try elements.enumerated().map { (position, element) throws(InvalidId) -> Int32 in
            guard let value = element.intValue.flatMap(Int32.init(exactly:)) else {
                guard case .number(let literal) = element else { preconditionFailure("checked above") }
                throw InvalidId(position: position, literal: literal)
            }
            return value
        }
    }
}
