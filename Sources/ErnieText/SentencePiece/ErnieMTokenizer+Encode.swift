import Foundation

extension ErnieMTokenizer {
    /// `[CLS] A [SEP]` / `[CLS] A [SEP] [SEP] B [SEP]`.
    public func numberOfSpecialTokensToAdd(pair: Bool) -> Int { pair ? 4 : 2 }

    /// Encodes a text or a pair as `ErnieMTokenizer(text, text_pair, …)`: `[CLS] A [SEP] [SEP] B [SEP]`, type ids as
    /// its `create_token_type_ids_from_sequences` gives them (0 through the first `[SEP]`, then 1; the model has no
    /// token types and ignores them).
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true,
                       truncation: Truncation? = nil, padding: Padding = .none) throws -> Encoding {
        var encoding = try encodeUnpadded(text, pair: pair, addSpecialTokens: addSpecialTokens, truncation: truncation)
        if case .maxLength(let length) = padding { encoding.pad(to: length, id: paddingTokenId, token: paddingToken) }
        return encoding
    }

    /// Encodes a batch; `.longest` padding pads every row to the longest row.
    public func encodeBatch(_ texts: [String], pairs: [String]? = nil, addSpecialTokens: Bool = true,
                            truncation: Truncation? = nil, padding: Padding = .none) throws -> [Encoding] {
        precondition(pairs == nil || pairs!.count == texts.count, "one pair per text")
        var encodings = try texts.indices.map {
            try encodeUnpadded(texts[$0], pair: pairs?[$0], addSpecialTokens: addSpecialTokens, truncation: truncation)
        }
        let length: Int? = switch padding {
        case .none: nil
        case .longest: encodings.map(\.count).max() ?? 0
        case .maxLength(let length): length
        }
        if let length {
            for index in encodings.indices { encodings[index].pad(to: length, id: paddingTokenId, token: paddingToken) }
        }
        return encodings
    }

    private func encodeUnpadded(_ text: String, pair: String?, addSpecialTokens: Bool, truncation: Truncation?) throws -> Encoding {
        var first = Encoding(pieces: pieces(of: text), vocabulary: vocabulary, typeId: 0, sequenceId: 0)
        var second = pair.map { Encoding(pieces: pieces(of: $0), vocabulary: vocabulary, typeId: 1, sequenceId: 1) }
        if let truncation {
            try Encoding.truncate(&first, &second, truncation,
                                  specialTokens: addSpecialTokens ? numberOfSpecialTokensToAdd(pair: second != nil) : 0)
        }
        let cls = Encoding.special(id: classifierTokenId, token: classifierToken, typeId: 0)
        let sep = { (typeId: Int) in Encoding.special(id: self.separatorTokenId, token: self.separatorToken, typeId: typeId) }
        var parts = addSpecialTokens ? [cls, first, sep(0)] : [first]
        if let second { parts += addSpecialTokens ? [sep(1), second, sep(1)] : [second] }
        var result = Encoding()
        for part in parts { result.merge(with: part) }
        return result
    }

    /// `convert_tokens_to_string`: the tokens joined, `▁` read as a space, the ends stripped.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        let special = specialTokenIds
        let text = ids.filter { $0 >= 0 && $0 < vocabulary.count && !(skipSpecialTokens && special.contains($0)) }
            .map { vocabulary.tokens[$0] }.joined().replacingOccurrences(of: "▁", with: " ")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
