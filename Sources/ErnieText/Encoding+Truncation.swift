extension Encoding {
    /// HF `truncate_encodings` on one or two sequences before the template adds `specialTokens` tokens: the cut-off
    /// windows go to `overflowing`.
    /// - Throws: `TokenizerError` for settings HF rejects (no room for the special tokens, stride too large, …).
    static func truncate(_ first: inout Encoding, _ second: inout Encoding?, _ parameters: Truncation,
                         specialTokens: Int) throws {
        guard parameters.maxLength >= specialTokens else {
            throw TokenizerError.maxLengthTooSmall(maxLength: parameters.maxLength, specialTokens: specialTokens)
        }
        let maxLength = parameters.maxLength - specialTokens, stride = parameters.stride
        if maxLength == 0 {
            try first.truncate(maxLength: 0, stride: stride)
            try second?.truncate(maxLength: 0, stride: stride)
            return
        }
        let total = first.count + (second?.count ?? 0)
        guard total > maxLength else { return }
        let toRemove = total - maxLength
        switch parameters.strategy {
        case .longestFirst:
            guard var other = second else {
                try first.truncate(maxLength: total - toRemove, stride: stride)
                return
            }
            var n1 = first.count, n2 = other.count
            let swapped = n1 > n2
            if swapped { swap(&n1, &n2) }
            n2 = n1 > maxLength ? n1 : max(n1, maxLength - n1)
            if n1 + n2 > maxLength {
                n1 = maxLength / 2
                n2 = n1 + maxLength % 2
            }
            if swapped { swap(&n1, &n2) }
            try first.truncate(maxLength: n1, stride: stride)
            try other.truncate(maxLength: n2, stride: stride)
            second = other
        case .onlyFirst, .onlySecond:
            if parameters.strategy == .onlyFirst {
                guard first.count > toRemove else {
                    throw TokenizerError.sequenceTooShort(length: first.count, toRemove: toRemove)
                }
                try first.truncate(maxLength: first.count - toRemove, stride: stride)
            } else {
                guard var other = second else { throw TokenizerError.secondSequenceNotProvided }
                guard other.count > toRemove else {
                    throw TokenizerError.sequenceTooShort(length: other.count, toRemove: toRemove)
                }
                try other.truncate(maxLength: other.count - toRemove, stride: stride)
                second = other
            }
        }
    }
}
