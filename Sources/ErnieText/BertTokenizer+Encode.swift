import Foundation

/// How `encode` shortens inputs that exceed `maxLength` (HF `truncation=`).
public enum TruncationStrategy: String, Sendable, CaseIterable {
    /// Remove tokens from the longer of the two sequences first.
    case longestFirst = "longest_first"
    case onlyFirst = "only_first"
    case onlySecond = "only_second"
}

public struct Truncation: Sendable, Equatable {
    /// Total length including the special tokens the template adds.
    public var maxLength: Int
    public var strategy: TruncationStrategy
    /// Overlap between consecutive overflowing windows (question answering over long documents).
    public var stride: Int

    public init(maxLength: Int, strategy: TruncationStrategy = .longestFirst, stride: Int = 0) {
        self.maxLength = maxLength
        self.strategy = strategy
        self.stride = stride
    }
}

public enum Padding: Sendable, Equatable {
    case none
    /// Pad every row of a batch to its longest row (a single input is left as is).
    case longest
    case maxLength(Int)
}

extension BertTokenizer {
    /// Number of tokens the `[CLS] A [SEP] (B [SEP])` template adds.
    public func numberOfSpecialTokensToAdd(pair: Bool) -> Int { pair ? 3 : 2 }

    /// Encodes a text or a text pair like HF's `tokenizer(text, text_pair, …)` with a fast tokenizer.
    ///
    /// - Returns: the encoding; with truncation, the cut-off windows are in `overflowing` (see `windows`).
    /// - Throws: `TokenizerError` for truncation settings HF rejects (stride too large, sequence too short, …).
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true,
                       truncation: Truncation? = nil, padding: Padding = .none) throws -> Encoding {
        var encoding = try encodeUnpadded(text, pair: pair, addSpecialTokens: addSpecialTokens, truncation: truncation)
        if case .maxLength(let length) = padding { pad(&encoding, to: length) }
        return encoding
    }

    /// Encodes a batch; `.longest` padding pads every row (and window) to the longest row.
    public func encodeBatch(_ texts: [String], pairs: [String]? = nil, addSpecialTokens: Bool = true,
                            truncation: Truncation? = nil, padding: Padding = .none) throws -> [Encoding] {
        precondition(pairs == nil || pairs!.count == texts.count, "one pair per text")
        var encodings = try texts.indices.map { index in
            try encodeUnpadded(texts[index], pair: pairs?[index], addSpecialTokens: addSpecialTokens,
                               truncation: truncation)
        }
        switch padding {
        case .none: break
        case .longest:
            let longest = encodings.map(\.count).max() ?? 0
            for index in encodings.indices { pad(&encodings[index], to: longest) }
        case .maxLength(let length):
            for index in encodings.indices { pad(&encodings[index], to: length) }
        }
        return encodings
    }

    private func pad(_ encoding: inout Encoding, to length: Int) {
        encoding.pad(to: length, id: vocabulary[paddingToken]!, token: paddingToken)
    }

    private func encodeUnpadded(_ text: String, pair: String?, addSpecialTokens: Bool,
                                truncation: Truncation?) throws -> Encoding {
        var first = Encoding(pieces: pieces(of: text), vocabulary: vocabulary, typeId: 0, sequenceId: 0)
        var second = pair.map { Encoding(pieces: pieces(of: $0), vocabulary: vocabulary, typeId: 1, sequenceId: 1) }
        if let truncation {
            try Encoding.truncate(&first, &second, truncation,
                                  specialTokens: addSpecialTokens ? numberOfSpecialTokensToAdd(pair: second != nil) : 0)
        }
        return applyTemplate(first, second, addSpecialTokens: addSpecialTokens)
    }

    /// HF `TemplateProcessing` for BERT: `[CLS]:0 A:0 [SEP]:0` and `… B:1 [SEP]:1`, merged like `Encoding::merge`.
    private func applyTemplate(_ first: Encoding, _ second: Encoding?, addSpecialTokens: Bool) -> Encoding {
        let cls = Encoding.special(id: vocabulary[classifierToken]!, token: classifierToken, typeId: 0)
        let sep0 = Encoding.special(id: vocabulary[separatorToken]!, token: separatorToken, typeId: 0)
        var parts = addSpecialTokens ? [cls, first, sep0] : [first]
        if var second {
            second.typeIds = Array(repeating: 1, count: second.count)
            parts.append(second)
            if addSpecialTokens {
                parts.append(Encoding.special(id: vocabulary[separatorToken]!, token: separatorToken, typeId: 1))
            }
        }
        var result = Encoding()
        for part in parts { result.merge(with: part) }
        return result
    }

    // MARK: - Decoding

    /// Text of `ids` as HF's WordPiece decoder gives it: `##` pieces glued to the previous token, other tokens
    /// separated by spaces, and (by default) the spaces before punctuation and English clitics removed.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false, cleanUpTokenizationSpaces: Bool = true) -> String {
        var text = ""
        var first = true
        for id in ids {
            if skipSpecialTokens && specialIds.contains(id) { continue }
            guard id >= 0 && id < vocabulary.count else { continue }
            var token = vocabulary.tokens[id]
            if !first {
                if token.hasPrefix(continuingSubwordPrefix) {
                    token.removeFirst(continuingSubwordPrefix.count)
                } else {
                    token = " " + token
                }
            }
            first = false
            text += cleanUpTokenizationSpaces ? Self.cleanUp(token, doNot: true) : token
        }
        return cleanUpTokenizationSpaces ? Self.cleanUp(text, doNot: false) : text
    }

    /// The space clean-up of HF's decoder (per token, with " do not") and of transformers (whole text).
    static func cleanUp(_ text: String, doNot: Bool) -> String {
        var result = text
        var rules = [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m")]
        if doNot { rules.append((" do not", " don't")) }
        rules += [(" 's", "'s"), (" 've", "'ve"), (" 're", "'re")]
        for (from, to) in rules where result.contains(from) {
            result = result.replacingOccurrences(of: from, with: to)
        }
        return result
    }
}
