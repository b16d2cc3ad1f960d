extension ByteLevelBPETokenizer {
    /// Number of tokens the `<s> A </s>` / `<s> A </s></s> B </s>` template adds.
    public func numberOfSpecialTokensToAdd(pair: Bool) -> Int { pair ? 4 : 2 }

    /// Encodes a text or a text pair like `RobertaTokenizerFast(text, text_pair, …)`: every type id is 0 (RoBERTa
    /// has one segment), offsets are trimmed per window after truncation as `RobertaProcessing` does.
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
        // Untrimmed pieces: HF trims after truncation, and a window's first token counts as first.
        let scalars = text.unicodeScalars.map(\.value)
        let pairScalars = pair?.unicodeScalars.map(\.value)
        var first = Encoding(pieces: pieces(of: scalars, trim: false), vocabulary: vocabulary, typeId: 0, sequenceId: 0)
        var second = pairScalars.map {
            Encoding(pieces: pieces(of: $0, trim: false), vocabulary: vocabulary, typeId: 1, sequenceId: 1)
        }
        if let truncation {
            try Encoding.truncate(&first, &second, truncation,
                                  specialTokens: addSpecialTokens ? numberOfSpecialTokensToAdd(pair: second != nil) : 0)
        }
        if trimOffsets {
            scalars.withUnsafeBufferPointer { trimOffsets(of: &first, text: $0) }
            if second != nil { pairScalars!.withUnsafeBufferPointer { trimOffsets(of: &second!, text: $0) } }
        }
        // RobertaProcessing zeroes the type ids of both sequences, but of their overflowing windows only when it
        // adds the special tokens (it rebuilds the windows then).
        func zeroTypeIds(_ encoding: inout Encoding) {
            encoding.typeIds = Array(repeating: 0, count: encoding.count)
            guard addSpecialTokens else { return }
            for index in encoding.overflowing.indices {
                encoding.overflowing[index].typeIds = Array(repeating: 0, count: encoding.overflowing[index].count)
            }
        }
        zeroTypeIds(&first)
        if var pair = second {
            zeroTypeIds(&pair)
            second = pair
        }
        let cls = Encoding.special(id: vocabulary[classifierToken]!, token: classifierToken, typeId: 0)
        let sep = Encoding.special(id: vocabulary[separatorToken]!, token: separatorToken, typeId: 0)
        var parts = addSpecialTokens ? [cls, first, sep] : [first]
        if let second { parts += addSpecialTokens ? [sep, second, sep] : [second] }
        var result = Encoding()
        for part in parts { result.merge(with: part) }
        return result
    }

    /// Offset trimming of one sequence's encoding and of each of its overflowing windows.
    private func trimOffsets(of encoding: inout Encoding, text: UnsafeBufferPointer<UInt32>) {
        for index in encoding.ids.indices {
            let range = encoding.offsets[index]
            let (start, end) = trimmed(id: encoding.ids[index], start: range.lowerBound, end: range.upperBound,
                                       first: index == 0, text: text)
            encoding.offsets[index] = start..<end
        }
        for index in encoding.overflowing.indices { trimOffsets(of: &encoding.overflowing[index], text: text) }
    }

    // MARK: - Decoding

    /// Text of `ids` as HF's `ByteLevel` decoder gives it: the tokens' bytes joined and read as UTF-8 (invalid
    /// sequences become U+FFFD); an added token outside the byte alphabet stands for its own text.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var bytes = [UInt8]()
        for id in ids {
            if skipSpecialTokens && specialIds.contains(id) { continue }
            guard id >= 0 && id < vocabulary.count else { continue }
            let token = vocabulary.tokens[id]
            bytes += ByteLevelAlphabet.decode(token) ?? Array(token.utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
