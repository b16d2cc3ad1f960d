/// The CMRC 2018 evaluation: mixed segmentation, punctuation removal, longest-common-substring F1.
///
/// - Text is Python-lowercased and stripped.
/// - CMRC's punctuation list is removed: `- : _ * ^ / \ ~ ` + =` and the full-width `，。：？！“”；’《》·、「」（）－～『』`.
///   The list is the official one, gaps included: ASCII `. , ! ? " '` and `‘ …` are *not* removed (the script lists
///   "……" as one two-character entry, which a single character never equals).
/// - Segmentation: each character in U+4E00…U+9FA5 is a token; runs of other characters are split into words by
///   ``CMRC2018/englishWords(_:)``, the stand-in for `nltk.word_tokenize`.
/// - F1 = 2PR / (P + R) with P = L / prediction tokens, R = L / answer tokens, where L is the length of the longest
///   common *contiguous* run of tokens (the script's `find_lcs`); 0 when L = 0.
/// - EM: the punctuation-free texts are equal (spaces kept).
public enum CMRC2018 {
    /// CMRC's punctuation characters (single code points of the official list).
    static let punctuation: Set<UInt32> = Set("-:_*^/\\~`+=，。：？！“”；’《》·、「」（）－～『』".unicodeScalars.map(\.value))

    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool { (0x4E00...0x9FA5).contains(scalar.value) }

    /// `remove_punctuation`: lowercase, strip, drop CMRC's punctuation.
    public static func removePunctuation(_ text: String) -> [Unicode.Scalar] {
        pythonStripped(pythonLowercased(Array(text.unicodeScalars))).filter { !punctuation.contains($0.value) }
    }

    /// `mixed_segmentation(text, rm_punc=True)`: tokens of the lowercased, stripped text without punctuation.
    public static func segments(_ text: String) -> [[Unicode.Scalar]] {
        var tokens: [[Unicode.Scalar]] = [], pending: [Unicode.Scalar] = []
        for scalar in pythonStripped(pythonLowercased(Array(text.unicodeScalars))) where !punctuation.contains(scalar.value) {
            if isChineseCharacter(scalar) {
                tokens += englishWords(pending)
                pending = []
                tokens.append([scalar])
            } else {
                pending.append(scalar)
            }
        }
        return tokens + englishWords(pending)
    }

    /// Token F1 in [0, 1] (`calc_f1_score` for one answer).
    public static func f1(prediction: String, answer: String) -> Double {
        let answerTokens = segments(answer).map { $0.map(\.value) }
        let predictionTokens = segments(prediction).map { $0.map(\.value) }
        let common = longestCommonRun(answerTokens, predictionTokens)
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(predictionTokens.count)
        let recall = Double(common) / Double(answerTokens.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// Length of the longest common contiguous subsequence (substring) of two token lists, by dynamic programming.
    static func longestCommonRun<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        guard !a.isEmpty && !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1), current = previous
        var best = 0
        for i in a.indices {
            for j in b.indices {
                current[j + 1] = a[i] == b[j] ? previous[j] + 1 : 0
                best = max(best, current[j + 1])
            }
            swap(&previous, &current)
        }
        return best
    }

    /// Word segmentation of the non-Chinese runs, following the Penn Treebank conventions of `nltk.word_tokenize`
    /// (NLTKWordTokenizer) on the characters CMRC's punctuation removal leaves:
    /// whitespace separates; `? ! ; @ # $ % & ( ) [ ] { } < >`, the quotes `« » “ ” ‘ ’ „` and the dashes U+2012…U+2015
    /// are tokens of their own; `,` is split off unless a digit follows; a run of two or more `.` is a token; a single
    /// `.` is split off only as the text's final period (before closing brackets or quotes only); `"` and `''` become ``` `` ```
    /// at the start or after a space, an opening bracket or quote, and `''` elsewhere; the clitics 's 'm 'd 'll 're 've n't
    /// (either case) are split off a word's end, and a `'` ending a word is split off.
    /// Not reproduced: NLTK's sentence splitting (Punkt) before tokenising, which only matters for multi-sentence
    /// answers, and the rare MacIntyre contractions (cannot, gonna, 'tis, …).
    public static func englishWords(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        let text = scalars
        let finalPeriod = finalPeriodIndex(text)
        var spaced: [Unicode.Scalar] = []  // the text with spaces around every split point, then split on whitespace
        var i = 0
        func isolate(_ piece: some Sequence<Unicode.Scalar>) { spaced.append(" "); spaced.append(contentsOf: piece); spaced.append(" ") }
        while i < text.count {
            let c = text[i]
            let next: Unicode.Scalar? = i + 1 < text.count ? text[i + 1] : nil
            switch c {
            case "?", "!", ";", "@", "#", "$", "%", "&", "(", ")", "[", "]", "{", "}", "<", ">",
                 "«", "»", "“", "”", "‘", "’", "„", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}":
                isolate([c])
            case ",":
                if let next, next.properties.numericType == .decimal { spaced.append(c) } else { isolate([c]) }
            case "\"", "'" where c == "\"" || next == "'":
                // `"` and `''` are quotes; NLTK opens one at the very start or after a literal space, an opening
                // bracket or a starting quote (`''` not at the very start), and closes it elsewhere.
                let opening = i == 0 ? c == "\"" : " ([{<«“‘„".unicodeScalars.contains(text[i - 1])
                isolate((opening ? "``" : "''").unicodeScalars)
                if c == "'" { i += 1 }
            case ".":
                var end = i
                while end < text.count && text[end] == "." { end += 1 }
                if end - i >= 2 { isolate(text[i..<end]); i = end; continue }
                if i == finalPeriod { isolate([c]) } else { spaced.append(c) }
            default:
                spaced.append(c)
            }
            i += 1
        }
        return pythonSplit(spaced).flatMap(splitClitics)
    }

    /// The index of the text's final period: a `.` not preceded by `.`, followed only by closing brackets, quotes and
    /// whitespace.
    private static func finalPeriodIndex(_ text: [Unicode.Scalar]) -> Int? {
        var j = text.count - 1
        while j >= 0 && (isPythonWhitespace(text[j]) || "])}>\"'»”’".unicodeScalars.contains(text[j])) { j -= 1 }
        guard j >= 1, text[j] == ".", text[j - 1] != "." else { return nil }
        return j
    }

    private static func splitClitics(_ word: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        // A leading quote before a word character opens a quotation unless a clitic-like 're 've 'll 'm 't 's 'd 'n follows.
        if word.count > 1, word[0] == "'", isPythonWordCharacter(word[1]) {
            let rest = Array(word.dropFirst())
            let isClitic = ["re", "ve", "ll", "m", "t", "s", "d", "n"].contains { clitic in
                let c = Array(clitic.unicodeScalars)
                return rest.count >= c.count && rest.prefix(c.count).map { pythonLowercased([$0]) }.elementsEqual(c.map { [$0] })
                    && (rest.count == c.count || !isPythonWordCharacter(rest[c.count]))
            }
            if !isClitic { return [["'"]] + splitClitics(rest) }
        }
        for clitic in ["n't", "N'T", "'ll", "'LL", "'re", "'RE", "'ve", "'VE", "'s", "'S", "'m", "'M", "'d", "'D"] {
            let suffix = Array(clitic.unicodeScalars)
            if word.count > suffix.count, word.suffix(suffix.count).elementsEqual(suffix), word[word.count - suffix.count - 1] != "'" {
                return [Array(word.dropLast(suffix.count)), suffix]
            }
        }
        if word.count > 1, word.last == "'", word[word.count - 2] != "'" { return [Array(word.dropLast()), ["'"]] }
        return [word]
    }
}
