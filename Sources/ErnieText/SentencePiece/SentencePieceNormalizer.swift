/// SentencePiece's normaliser (`normalizer.cc`): the longest rule of the precompiled character map at each position
/// (NFKC and friends, compiled into the model), user-defined symbols kept verbatim, spaces turned into `▁`, leading,
/// trailing and repeated spaces dropped and a `▁` prefix added, as the model's `normalizer_spec` says.
struct SentencePieceNormalizer: Sendable {
    let trie: DoubleArrayTrie?
    /// The replacement strings, NUL-terminated, that the trie's values point into.
    let replacements: [UInt8]
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool
    let userDefined: PieceTrie?
    /// Whether a user-defined symbol starts with each byte (most positions skip the symbol lookup).
    let userDefinedFirstBytes: [Bool]

    /// `▁` (U+2581) in UTF-8.
    static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]

    /// - Throws: `SentencePieceError.malformedModel` for a broken character map.
    init(_ file: SentencePieceModelFile, userDefined: PieceTrie?, source: String) throws {
        addDummyPrefix = file.addDummyPrefix
        removeExtraWhitespaces = file.removeExtraWhitespaces
        escapeWhitespaces = file.escapeWhitespaces
        treatWhitespaceAsSuffix = file.treatWhitespaceAsSuffix
        self.userDefined = userDefined
        userDefinedFirstBytes = (0..<256).map { byte in
            userDefined?.withView { $0.child(PieceTrie.root, UInt8(byte)) >= 0 } ?? false
        }
        let blob = file.precompiledCharsmap
        guard !blob.isEmpty else {
            trie = nil
            replacements = []
            return
        }
        // <trie size: uint32 LE><double array: trie size bytes><replacement strings>
        guard blob.count > 4 else { throw SentencePieceError.malformedModel(path: source, reason: "the character map is cut short") }
        let trieSize = Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24
        guard trieSize < blob.count - 4, trieSize % 4 == 0 else {
            throw SentencePieceError.malformedModel(path: source, reason: "the character map's trie (\(trieSize) bytes) exceeds it (\(blob.count - 4))")
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for index in units.indices {
            let at = 4 + index * 4
            units[index] = UInt32(blob[at]) | UInt32(blob[at + 1]) << 8 | UInt32(blob[at + 2]) << 16 | UInt32(blob[at + 3]) << 24
        }
        trie = try DoubleArrayTrie(units: units, source: source)
        replacements = Array(blob[(4 + trieSize)...]) + [0]
    }

    /// The normalised text of `input` (UTF-8) into `normalized`, with `normalizedToOriginal[i]` = the byte offset in
    /// `input` that normalised byte `i` came from (one more entry at the end: where the text ends).
    func normalize(_ input: UnsafeBufferPointer<UInt8>, into normalized: inout [UInt8], normalizedToOriginal: inout [Int32]) {
        normalized.removeAll(keepingCapacity: true)
        normalizedToOriginal.removeAll(keepingCapacity: true)
        guard !input.isEmpty else { return }
        var consumed = 0
        if removeExtraWhitespaces {
            while consumed < input.count {
                let (fromReplacements, range, length) = prefix(input, at: consumed)
                let isSpace = range.count == 1 && (fromReplacements ? replacements[range.lowerBound] : input[range.lowerBound]) == UInt8(ascii: " ")
                guard isSpace else { break }
                consumed += length
            }
        }
        guard consumed < input.count else { return }

        func addSpace() {
            if escapeWhitespaces {
                normalized.append(contentsOf: Self.spaceSymbol)
                for _ in 0..<3 { normalizedToOriginal.append(Int32(consumed)) }
            } else {
                normalized.append(UInt8(ascii: " "))
                normalizedToOriginal.append(Int32(consumed))
            }
        }
        if !treatWhitespaceAsSuffix && addDummyPrefix { addSpace() }

        var previousIsSpace = removeExtraWhitespaces
        replacements.withUnsafeBufferPointer { replacements in
            while consumed < input.count {
                let (fromReplacements, range, length) = prefix(input, at: consumed)
                let source = fromReplacements ? replacements : input
                var lower = range.lowerBound
                while previousIsSpace, lower < range.upperBound, source[lower] == UInt8(ascii: " ") { lower += 1 }
                if lower < range.upperBound {
                    let piece = UnsafeBufferPointer(rebasing: source[lower..<range.upperBound])
                    if !escapeWhitespaces || !piece.contains(UInt8(ascii: " ")) {
                        // The common case: the bytes as they are, appended at once.
                        normalized.append(contentsOf: piece)
                        normalizedToOriginal.append(contentsOf: repeatElement(Int32(consumed), count: piece.count))
                    } else {
                        for byte in piece {
                            if byte == UInt8(ascii: " ") {
                                normalized.append(contentsOf: Self.spaceSymbol)
                                normalizedToOriginal.append(contentsOf: repeatElement(Int32(consumed), count: 3))
                            } else {
                                normalized.append(byte)
                                normalizedToOriginal.append(Int32(consumed))
                            }
                        }
                    }
                    previousIsSpace = source[range.upperBound - 1] == UInt8(ascii: " ")
                }
                consumed += length
                if !removeExtraWhitespaces { previousIsSpace = false }
            }
        }

        if removeExtraWhitespaces {
            let space: [UInt8] = escapeWhitespaces ? Self.spaceSymbol : [UInt8(ascii: " ")]
            while normalized.count >= space.count && normalized[(normalized.count - space.count)...].elementsEqual(space) {
                let length = normalized.count - space.count
                consumed = Int(normalizedToOriginal[length])
                normalized.removeLast(space.count)
                normalizedToOriginal.removeLast(space.count)
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { addSpace() }
        normalizedToOriginal.append(Int32(consumed))
    }

    /// `NormalizePrefix`: where the replacement of the text at `start` lies — in `replacements` or, unchanged, in
    /// `input` — and how many input bytes it consumes.
    @inline(__always)
    private func prefix(_ input: UnsafeBufferPointer<UInt8>, at start: Int) -> (fromReplacements: Bool, range: Range<Int>, consumed: Int) {
        if let userDefined, userDefinedFirstBytes[Int(input[start])], let length = userDefined.longestMatch(input, from: start)?.length {
            return (false, start..<(start + length), length)
        }
        if let trie, let (length, value) = trie.longestPrefix(input, from: start, to: input.count), value < replacements.count {
            var end = value
            while replacements[end] != 0 { end += 1 }
            return (true, value..<end, length)
        }
        let length = min(UTF8Text.sequenceLength(input[start]), input.count - start)
        return (false, start..<(start + length), length)
    }
}
