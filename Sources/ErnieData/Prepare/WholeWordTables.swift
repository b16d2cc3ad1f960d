import ErnieText

/// Read-only tables for `DocumentEncoder`, shared by every worker: the tokenizer, the segmenter, and per vocabulary
/// id what PaddleNLP's whole-word step needs from the token's string (no `String` per token in the hot loop).
///
/// A byte-level BPE tokenizer (RoBERTa) gives each sentence's ids as `RobertaTokenizerFast.tokenize` + ids does:
/// no PaddleNLP symbol splitting (a WordPiece `BasicTokenizer` step) and no `##<CJK>` segmentation.
public final class WholeWordTables: Sendable {
    /// The WordPiece tokenizer; for byte-level BPE, `byteLevel` is set instead and this is nil.
    public let tokenizer: BertTokenizer?
    public let byteLevel: ByteLevelBPETokenizer?
    /// jieba's `cut` (HMM on), when whole-word segmentation is on.
    public let segmenter: JiebaSegmenter?
    /// Longest window of tokens matched against a word (`get_whole_word_mask_tokens(max_word_length=6)`).
    public let maxWordLength = 6
    /// Base vocabulary size (lines of vocab.txt): picks the id dtype.
    public let vocabularySize: Int
    /// Vocabulary plus PaddleNLP's `##<CJK>` extension (`extend_chinese_char()`), when whole-word segmentation is on.
    public let extendedVocabularySize: Int

    /// Per id: the id of `"##" + token` (vocab first, then the `##<CJK>` extension, else `[UNK]`, as
    /// `convert_tokens_to_ids` gives it).
    let continuationIds: [Int32]
    /// Per id: the token holds a character of U+4E00…U+9FA5 (`re.findall("[\u4E00-\u9FA5]", token)`).
    let containsChinese: [Bool]
    /// Token scalars, flat: token `id` is `tokenScalars[tokenStarts[id]..<tokenStarts[id + 1]]`.
    let tokenScalars: [UInt32]
    let tokenStarts: [Int32]
    /// PaddleNLP's extra word splits around symbols.
    let symbolSplitter: PaddleSymbolSplitter

    /// - Throws: `PrepareError.tokenizer` when the vocabulary lacks `[UNK]` (ids of unknown `##` pieces need it), or
    ///   when whole-word segmentation is asked of a byte-level BPE tokenizer.
    public init(tokenizer: any TextTokenizer, segmenter: JiebaSegmenter?, source: String) throws {
        self.tokenizer = tokenizer as? BertTokenizer
        byteLevel = tokenizer as? ByteLevelBPETokenizer
        self.segmenter = segmenter
        if byteLevel != nil && segmenter != nil {
            throw PrepareError.tokenizer(
                path: source, reason: "Chinese whole-word segmentation (##<CJK> ids) needs a WordPiece vocab.txt; "
                    + "byte-level BPE has no ## pieces: leave out --cn_whole_word_segment")
        }
        guard self.tokenizer != nil || byteLevel != nil else {
            throw PrepareError.tokenizer(path: source, reason: "only WordPiece and byte-level BPE tokenizers are supported")
        }
        symbolSplitter = PaddleSymbolSplitter(lowercase: self.tokenizer?.normalizer.lowercase ?? false)
        let vocabulary = tokenizer.vocabulary
        vocabularySize = vocabulary.count
        guard let unknownId = vocabulary[tokenizer.unknownToken] ?? (byteLevel != nil ? 0 : nil) else {
            throw PrepareError.tokenizer(path: source, reason: "the vocabulary has no \(tokenizer.unknownToken)")
        }
        var scalars = [UInt32](), starts = [Int32](), chinese = [Bool]()
        scalars.reserveCapacity(vocabulary.count * 3)
        for token in vocabulary.tokens {
            starts.append(Int32(scalars.count))
            var hasChinese = false
            for scalar in token.unicodeScalars {
                scalars.append(scalar.value)
                if scalar.value >= 0x4E00 && scalar.value <= 0x9FA5 { hasChinese = true }
            }
            chinese.append(hasChinese)
        }
        starts.append(Int32(scalars.count))
        tokenScalars = scalars
        tokenStarts = starts
        containsChinese = chinese
        if segmenter != nil {
            let extension_ = vocabulary.chineseCharExtension()
            extendedVocabularySize = vocabulary.count + extension_.baseIds.count
            continuationIds = vocabulary.tokens.map { token in
                let continuation = "##" + token
                return Int32(vocabulary[continuation] ?? extension_.ids[continuation] ?? unknownId)
            }
        } else {
            extendedVocabularySize = vocabulary.count
            continuationIds = []
        }
    }
}
