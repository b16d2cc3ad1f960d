import Foundation

/// Builds an ERNIE-style `vocab.txt` from a corpus (PaddleNLP `model_zoo/ernie-1.0/vocab/` recipe):
///
///     [PAD] [CLS] [SEP] [MASK] [UNK]                       ids 0–4
///     CJK characters by corpus frequency                    (optionally the rest of U+4E00…U+9FA5)
///     other characters seen at least `minCharacterFrequency` times (punctuation, digits, letters, symbols)
///     WordPiece subwords for non-CJK words: `##` continuation characters, then pieces learned by byte-pair merging
///     (a piece that starts a word is written as is, one inside a word gets `##`)
///
/// Text is normalized and split exactly as the tokenizer will see it (`BertNormalizer` + `BertPreTokenizer`). The vocab
/// is capped so that its size plus PaddleNLP's `##<CJK>` extension stays within `maxTokenIds` (65535 keeps token files
/// uint16).
public struct VocabularyBuilder {
    public struct Options: Sendable {
        /// Wanted number of entries (before the `##<CJK>` extension).
        public var vocabSize: Int = 40000
        public var lowercase: Bool = true
        public var minCJKFrequency: Int = 1
        /// Append every U+4E00…U+9FA5 character not seen in the corpus after the frequent ones.
        public var includeAllCJK: Bool = false
        /// Non-CJK characters need this many occurrences to get an entry (PaddleNLP uses 200 on large corpora).
        public var minCharacterFrequency: Int = 5
        /// Stop merging subwords when the most frequent pair is rarer than this.
        public var minSubwordFrequency: Int = 2
        /// vocab entries + `##<CJK>` extension ids must not exceed this (65535: ids fit uint16).
        public var maxTokenIds: Int = 65535

        public init() {}
    }

    /// What `build()` produced.
    public struct Summary: Sendable, CustomStringConvertible {
        public var cjkCharacters = 0
        public var otherCharacters = 0
        public var continuationCharacters = 0
        public var mergedSubwords = 0
        public var total = 0
        public var chineseExtension = 0
        public var capped = false

        public var description: String {
            "vocab: \(total) entries (\(cjkCharacters) CJK characters, \(otherCharacters) other characters, "
                + "\(continuationCharacters) ## characters, \(mergedSubwords) merged subwords); "
                + "with the ##CJK extension: \(total + chineseExtension) ids"
                + (capped ? " (capped to stay within the uint16 id range)" : "")
        }
    }

    public static let specialTokens = ["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"]

    public let options: Options
    private let splitter: BertTokenizer
    private var cjkCounts = [UInt32: Int]()
    private var characterCounts = [UInt32: Int]()
    private var wordCounts = [[UInt32]: Int]()

    public init(options: Options = Options()) throws {
        self.options = options
        // Only the normalizer and pre-tokenizer are used: a vocabulary of the special tokens is enough.
        splitter = try BertTokenizer(vocabulary: Vocabulary(tokens: Self.specialTokens),
                                     normalizer: BertNormalizer(lowercase: options.lowercase), addedTokens: [])
    }

    /// Counts the words of one text (a line of the corpus).
    public mutating func add(_ text: UnsafeBufferPointer<UInt32>) {
        var sink = CollectingSink()
        var scratch = BertTokenizer.Scratch()
        splitter.normalizeAndSplit(text, range: 0..<text.count, into: &sink, scratch: &scratch)
        for word in sink.words {
            if word.count == 1 && BertCharacterTable.isChinese(word[0]) {
                cjkCounts[word[0], default: 0] += 1
                continue
            }
            for scalar in word { characterCounts[scalar, default: 0] += 1 }
            if word.count > 1 { wordCounts[word, default: 0] += 1 }
        }
    }

    public mutating func add(_ text: String) {
        let scalars = text.unicodeScalars.map(\.value)
        scalars.withUnsafeBufferPointer { add($0) }
    }

    /// The vocabulary tokens in id order, and a summary.
    public func build() -> (tokens: [String], summary: Summary) {
        var summary = Summary()
        var tokens = Self.specialTokens
        var seen = Set(tokens)
        func add(_ token: String) -> Bool {
            guard seen.insert(token).inserted else { return false }
            tokens.append(token)
            return true
        }
        func text(_ scalars: [UInt32]) -> String {
            String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
        }
        // CJK characters by frequency (ties by code point), then optionally the rest of the basic block.
        var cjk = cjkCounts.filter { $0.value >= options.minCJKFrequency }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .map(\.key)
        if options.includeAllCJK {
            let present = Set(cjk)
            cjk += (0x4E00...0x9FA5).filter { !present.contains($0) }
        }
        // Room: entries + extension ≤ maxTokenIds, where each CJK character of U+4E00…U+9FA5 adds one extension id.
        let isExtended = { (scalar: UInt32) in scalar >= 0x4E00 && scalar <= 0x9FA5 }
        var budget = options.vocabSize
        while true {
            let cjkKept = min(cjk.count, max(0, budget - tokens.count))
            let extended = cjk.prefix(cjkKept).filter(isExtended).count
            if budget + extended <= options.maxTokenIds { break }
            budget = options.maxTokenIds - extended
            summary.capped = true
        }
        for scalar in cjk where tokens.count < budget {
            if add(text([scalar])) { summary.cjkCharacters += 1 }
        }
        summary.chineseExtension = tokens.filter { $0.unicodeScalars.count == 1 && isExtended($0.unicodeScalars.first!.value) }.count
        // Other characters by frequency.
        let frequentCharacters = characterCounts.filter { $0.value >= options.minCharacterFrequency }
            .sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
        for scalar in frequentCharacters where tokens.count < budget {
            if add(text([scalar])) { summary.otherCharacters += 1 }
        }
        // Subwords over words made only of those characters.
        let alphabet = Set(frequentCharacters)
        let words = wordCounts.filter { $0.key.allSatisfy(alphabet.contains) }
        var learner = SubwordLearner(words: words)
        for piece in learner.continuationCharacters() where tokens.count < budget {
            if add("##" + text([piece])) { summary.continuationCharacters += 1 }
        }
        while tokens.count < budget, let merged = learner.mergeNext(minimumCount: options.minSubwordFrequency) {
            if add((merged.initial ? "" : "##") + text(merged.scalars)) { summary.mergedSubwords += 1 }
        }
        summary.total = tokens.count
        return (tokens, summary)
    }
}

/// Byte-pair-style merging over word-initial and continuation symbols (what HF's WordPiece trainer does).
struct SubwordLearner {
    struct Symbol: Hashable {
        var scalars: [UInt32]
        var initial: Bool
    }

    private var symbols = [Symbol]()
    private var symbolIds = [Symbol: Int32]()
    private var words: [[Int32]]
    private var counts: [Int]
    private var pairCounts = [UInt64: Int]()
    private var pairWords = [UInt64: Set<Int32>]()
    private var heap = BinaryHeap<PairCount>()

    init(words: [[UInt32]: Int]) {
        // Deterministic order: by count, then scalars.
        let sorted = words.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
        self.words = []
        self.counts = sorted.map(\.value)
        for (word, _) in sorted {
            var ids = [Int32]()
            for (index, scalar) in word.enumerated() { ids.append(intern(Symbol(scalars: [scalar], initial: index == 0))) }
            self.words.append(ids)
        }
        for (index, word) in self.words.enumerated() { addPairs(of: word, wordIndex: Int32(index), sign: 1) }
        for (pair, count) in pairCounts { heap.push(PairCount(count: count, pair: pair)) }
    }

    private mutating func intern(_ symbol: Symbol) -> Int32 {
        if let id = symbolIds[symbol] { return id }
        let id = Int32(symbols.count)
        symbols.append(symbol)
        symbolIds[symbol] = id
        return id
    }

    private static func key(_ left: Int32, _ right: Int32) -> UInt64 { UInt64(UInt32(left)) << 32 | UInt64(UInt32(right)) }

    private mutating func addPairs(of word: [Int32], wordIndex: Int32, sign: Int) {
        guard word.count > 1 else { return }
        for index in 0..<(word.count - 1) {
            let pair = Self.key(word[index], word[index + 1])
            pairCounts[pair, default: 0] += sign * counts[Int(wordIndex)]
            if sign > 0 { pairWords[pair, default: []].insert(wordIndex) }
        }
    }

    /// Continuation characters (`##c`) by frequency.
    func continuationCharacters() -> [UInt32] {
        var frequency = [UInt32: Int]()
        for (word, count) in zip(words, counts) {
            for id in word.dropFirst() { frequency[symbols[Int(id)].scalars[0], default: 0] += count }
        }
        return frequency.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
    }

    /// Merges the most frequent adjacent pair; returns the new symbol, or nil when no pair occurs `minimumCount` times.
    mutating func mergeNext(minimumCount: Int) -> Symbol? {
        while let top = heap.pop() {
            let (count, pair) = (top.count, top.pair)
            guard pairCounts[pair] == count else { continue }  // stale entry
            guard count >= minimumCount && count > 0 else { return nil }
            let left = Int32(truncatingIfNeeded: pair >> 32), right = Int32(truncatingIfNeeded: pair & 0xFFFF_FFFF)
            let merged = Symbol(scalars: symbols[Int(left)].scalars + symbols[Int(right)].scalars,
                                initial: symbols[Int(left)].initial)
            let mergedId = intern(merged)
            var touched = Set<UInt64>()
            for wordIndex in (pairWords[pair] ?? []).sorted() {
                let old = words[Int(wordIndex)]
                addPairs(of: old, wordIndex: wordIndex, sign: -1)
                var new = [Int32]()
                var index = 0
                while index < old.count {
                    if index + 1 < old.count && old[index] == left && old[index + 1] == right {
                        new.append(mergedId)
                        index += 2
                    } else {
                        new.append(old[index])
                        index += 1
                    }
                }
                words[Int(wordIndex)] = new
                addPairs(of: new, wordIndex: wordIndex, sign: 1)
                for position in 0..<max(0, new.count - 1) { touched.insert(Self.key(new[position], new[position + 1])) }
                for position in 0..<max(0, old.count - 1) { touched.insert(Self.key(old[position], old[position + 1])) }
            }
            for key in touched {
                if let count = pairCounts[key], count > 0 { heap.push(PairCount(count: count, pair: key)) }
            }
            return merged
        }
        return nil
    }
}

/// A pair key and its count in `BinaryHeap` order: the higher count first, then the smaller key (deterministic ties).
struct PairCount: HeapOrdered {
    var count: Int
    var pair: UInt64

    func precedes(_ other: PairCount) -> Bool { count != other.count ? count > other.count : pair < other.pair }
}
