import ErnieText

/// Token ids of one document, as `create_pretraining_data.py`'s `Converter.encode` computes them:
///
/// 0. tokens as PaddleNLP's `BasicTokenizer` makes them, which also splits on symbols (`PaddleSymbolSplitter`);
/// 1. sentences: the document's lines (`--split_sentences --chinese`) or the whole document, each `strip()`ped;
/// 2. per sentence, with whole-word segmentation: `words = jieba.cut(sentence)`, `tokens = tokenize(sentence)`
///    (the words joined are the sentence), then from the first token: a token holding a character of
///    U+4E00…U+9FA5 starts the longest window of 6…2 tokens whose joined text is one of the sentence's words, and
///    the window's other tokens become `"##" + token`; any other token stays as it is;
/// 3. sentences without tokens are dropped.
///
/// One encoder per thread (it owns scratch buffers); the tables are shared.
public struct DocumentEncoder {
    public let tables: WholeWordTables
    let splitOnLines: Bool
    private var pieces = TokenPieces()
    private var tokenizerScratch = BertTokenizer.Scratch()
    private var byteLevelScratch = ByteLevelBPETokenizer.Scratch()
    private var spans = WordSpans()
    private var segmenterScratch = JiebaSegmenter.Scratch()
    private var words = WordTable()
    private var spacedSentence = [UInt32]()

    public init(tables: WholeWordTables, splitSentencesOnLines: Bool) {
        self.tables = tables
        splitOnLines = splitSentencesOnLines
    }

    /// Appends the ids of `text[range]`'s sentences to `ids` and their lengths to `sentenceLengths`.
    /// - Returns: the number of sentences appended.
    public mutating func encode(_ text: UnsafeBufferPointer<UInt32>, range: Range<Int>, ids: inout [Int32],
                                sentenceLengths: inout [Int32]) -> Int {
        var sentences = 0
        var lineStart = range.lowerBound
        while lineStart <= range.upperBound {
            var lineEnd = range.upperBound
            if splitOnLines {
                lineEnd = lineStart
                while lineEnd < range.upperBound && text[lineEnd] != 0x0A { lineEnd += 1 }
            }
            let sentence = PythonWhitespace.strip(text, lineStart..<lineEnd)
            if !sentence.isEmpty {
                let before = ids.count
                encodeSentence(UnsafeBufferPointer(rebasing: text[sentence]), into: &ids)
                if ids.count > before {
                    sentenceLengths.append(Int32(ids.count - before))
                    sentences += 1
                }
            }
            lineStart = lineEnd + 1
        }
        return sentences
    }

    /// The ids of one stripped sentence.
    mutating func encodeSentence(_ sentence: UnsafeBufferPointer<UInt32>, into ids: inout [Int32]) {
        pieces.removeAll()
        if let byteLevel = tables.byteLevel {
            byteLevel.appendPieces(of: sentence, to: &pieces, scratch: &byteLevelScratch)
            ids.append(contentsOf: pieces.ids)
            return
        }
        let tokenizer = tables.tokenizer!  // WholeWordTables holds one of the two
        if tables.symbolSplitter.spaced(sentence, into: &spacedSentence) {
            spacedSentence.withUnsafeBufferPointer {
                tokenizer.appendPieces(of: $0, to: &pieces, scratch: &tokenizerScratch)
            }
        } else {
            tokenizer.appendPieces(of: sentence, to: &pieces, scratch: &tokenizerScratch)
        }
        guard let segmenter = tables.segmenter else {
            ids.append(contentsOf: pieces.ids)
            return
        }
        spans.removeAll()
        segmenter.appendWords(of: sentence, to: &spans, scratch: &segmenterScratch)
        words.reset(capacity: spans.count)
        for index in 0..<spans.count {
            let start = Int(spans.starts[index]), end = Int(spans.ends[index])
            // Only words of 2+ scalars holding a U+4E00…U+9FA5 character can equal a window that starts with one.
            guard end - start >= 2 else { continue }
            var chinese = false
            for position in start..<end where sentence[position] >= 0x4E00 && sentence[position] <= 0x9FA5 {
                chinese = true
                break
            }
            if chinese { words.insert(sentence, start..<end) }
        }
        tables.tokenScalars.withUnsafeBufferPointer { tokenScalars in
            tables.tokenStarts.withUnsafeBufferPointer { tokenStarts in
                tables.containsChinese.withUnsafeBufferPointer { containsChinese in
                    tables.continuationIds.withUnsafeBufferPointer { continuationIds in
                        pieces.ids.withUnsafeBufferPointer { tokens in
                            let vocabulary = VocabularyView(tokenScalars: tokenScalars, tokenStarts: tokenStarts,
                                                            containsChinese: containsChinese, continuationIds: continuationIds)
                            Self.appendWholeWordIds(tokens, sentence, vocabulary, words, maxLength: tables.maxWordLength,
                                                    into: &ids)
                        }
                    }
                }
            }
        }
    }

    /// The per-id tables as buffers, for the hot loop.
    struct VocabularyView {
        let tokenScalars: UnsafeBufferPointer<UInt32>
        let tokenStarts: UnsafeBufferPointer<Int32>
        let containsChinese: UnsafeBufferPointer<Bool>
        let continuationIds: UnsafeBufferPointer<Int32>
    }

    @inline(__always)
    private static func appendWholeWordIds(_ tokens: UnsafeBufferPointer<Int32>, _ sentence: UnsafeBufferPointer<UInt32>,
                                           _ vocabulary: VocabularyView, _ words: WordTable, maxLength: Int,
                                           into ids: inout [Int32]) {
        let count = tokens.count
        let tokenStarts = vocabulary.tokenStarts, tokenScalars = vocabulary.tokenScalars
        // Hash and joined length of the windows of 1…maxLength tokens at the current token.
        var windowHashes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var windowLengths: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
        precondition(maxLength < 8)
        var index = 0
        while index < count {
            let first = Int(tokens[index])
            guard vocabulary.containsChinese[first], !words.isEmpty else {
                ids.append(Int32(first))
                index += 1
                continue
            }
            var longest = 0
            var hasher = FNV1aScalars()
            var joinedLength = 0
            withUnsafeMutableBytes(of: &windowHashes) { hashesRaw in
                withUnsafeMutableBytes(of: &windowLengths) { lengthsRaw in
                    let hashes = hashesRaw.bindMemory(to: UInt64.self), lengths = lengthsRaw.bindMemory(to: Int.self)
                    for length in 1...min(maxLength, count - index) {
                        let id = Int(tokens[index + length - 1])
                        joinedLength += Int(tokenStarts[id + 1] - tokenStarts[id])
                        if joinedLength > words.longestWord { break }
                        for position in Int(tokenStarts[id])..<Int(tokenStarts[id + 1]) { hasher.combine(tokenScalars[position]) }
                        hashes[length] = hasher.value
                        lengths[length] = joinedLength
                        longest = length
                    }
                }
            }
            var matched = 1
            var length = longest
            while length >= 2 {
                let (hash, joined) = withUnsafeBytes(of: windowHashes) { hashes in
                    withUnsafeBytes(of: windowLengths) { lengths in
                        (hashes.load(fromByteOffset: 8 * length, as: UInt64.self),
                         lengths.load(fromByteOffset: MemoryLayout<Int>.stride * length, as: Int.self))
                    }
                }
                if words.hasWord(ofLength: joined)
                    && words.contains(hash: hash, length: joined, sentence: sentence, matching: { word in
                        var position = word.lowerBound
                        for offset in 0..<length {
                            let id = Int(tokens[index + offset])
                            for scalar in Int(tokenStarts[id])..<Int(tokenStarts[id + 1]) {
                                if sentence[position] != tokenScalars[scalar] { return false }
                                position += 1
                            }
                        }
                        return true
                    }) {
                    matched = length
                    break
                }
                length -= 1
            }
            ids.append(Int32(first))
            for offset in 1..<matched { ids.append(vocabulary.continuationIds[Int(tokens[index + offset])]) }
            index += matched
        }
    }
}
