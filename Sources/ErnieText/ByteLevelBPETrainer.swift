/// Learns a byte-level BPE vocabulary exactly as `tokenizers.ByteLevelBPETokenizer().train(files, vocab_size,
/// min_frequency, special_tokens)` does (HF's `BpeTrainer` with the `ByteLevel` pre-tokenizer and its 256-byte initial
/// alphabet):
///
///     ids: the special tokens, then the 256 byte characters by code point, then merged tokens in merge order
///     words: GPT-2's regex over each input line *with its newline* (HF reads files with `read_line`)
///     merge: the pair with the highest count, the smaller (left id, right id) among equals, until the vocabulary is
///            full or the best count is below `minFrequency`
///
/// HF's queue quirks are kept, so the merges match line for line: a queue entry remembers the words it was counted
/// in, a stale entry goes back with its fresh count, and a pair merged twice (from two entries) keeps its last rank.
public struct ByteLevelBPETrainer {
    public struct Options: Sendable {
        /// Entries wanted, special tokens and the 256 bytes included.
        public var vocabSize: Int = 30000
        /// A pair seen fewer times is not merged.
        public var minFrequency: Int = 2
        public var specialTokens: [String] = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]

        public init() {}
    }

    public let options: Options
    private var wordCounts = [[UInt8]: Int]()
    private var characters: [UInt32] = []
    private var classes: [UInt8] = []

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Counts the words of one input sequence (a line of a file, newline included).
    public mutating func add(_ text: UnsafeBufferPointer<UInt32>) {
        characters.removeAll(keepingCapacity: true)
        classes.removeAll(keepingCapacity: true)
        for value in text {
            characters.append(value)
            classes.append(ByteLevelPreTokenizer.classOf(value))
        }
        var counts = wordCounts
        wordCounts = [:]
        characters.withUnsafeBufferPointer { characters in
            classes.withUnsafeBufferPointer { classes in
                var start = 0
                var word = [UInt8]()
                while start < characters.count {
                    let end = ByteLevelPreTokenizer.wordEnd(characters, classes: classes, from: start)
                    word.removeAll(keepingCapacity: true)
                    for index in start..<end { word.append(contentsOf: UTF8.encode(Unicode.Scalar(characters[index])!)!) }
                    counts[word, default: 0] += 1
                    start = end
                }
            }
        }
        wordCounts = counts
    }

    public mutating func add(_ text: String) {
        let scalars = text.unicodeScalars.map(\.value)
        scalars.withUnsafeBufferPointer { add($0) }
    }

    /// The vocabulary (tokens by id, in the byte alphabet) and the merges in rank order.
    public func train() -> (tokens: [String], merges: [BPEMerge]) {
        var tokens = [String]()
        var ids = [String: Int32]()
        func intern(_ token: String) -> Int32 {
            if let id = ids[token] { return id }
            let id = Int32(tokens.count)
            tokens.append(token)
            ids[token] = id
            return id
        }
        for token in options.specialTokens { _ = intern(token) }
        let alphabet = ByteLevelAlphabet.characters.sorted()
        for character in alphabet { _ = intern(String(Unicode.Scalar(character)!)) }
        let byteIds = ByteLevelAlphabet.characters.map { ids[String(Unicode.Scalar($0)!)]! }

        var words = [[Int32]](), counts = [Int]()
        for (word, count) in wordCounts {
            words.append(word.map { byteIds[Int($0)] })
            counts.append(count)
        }
        // Pair counts and, per pair, the words it occurs in.
        var pairCounts = [UInt64: Int]()
        var positions = [UInt64: Set<Int32>]()
        for (index, word) in words.enumerated() where word.count > 1 {
            for position in 0..<(word.count - 1) {
                let pair = BPEMergeTable.key(word[position], word[position + 1])
                pairCounts[pair, default: 0] += counts[index]
                positions[pair, default: []].insert(Int32(index))
            }
        }
        var queue = MergeQueue()
        for (pair, words) in positions where pairCounts[pair]! > 0 {
            queue.push(count: pairCounts[pair]!, pair: pair, words: Array(words))
        }
        var merges = [(pair: UInt64, merged: Int32)]()
        while tokens.count < options.vocabSize, var top = queue.pop() {
            let actual = pairCounts[top.pair] ?? 0
            if top.count != actual {
                top.count = actual
                queue.push(top)
                continue
            }
            if top.count < 1 || options.minFrequency > top.count { break }
            let left = Int32(truncatingIfNeeded: top.pair >> 32), right = Int32(truncatingIfNeeded: top.pair & 0xFFFF_FFFF)
            let merged = intern(tokens[Int(left)] + tokens[Int(right)])
            merges.append((top.pair, merged))
            var formed = [UInt64: Set<Int32>]()
            for index in queue.words(of: top) {
                Self.merge(&words[Int(index)], left, right, merged) { pair, change in
                    pairCounts[pair, default: 0] += change * counts[Int(index)]
                    if change > 0 { formed[pair, default: []].insert(index) }
                }
            }
            for (pair, words) in formed {
                let count = pairCounts[pair]!
                if count > 0 { queue.push(count: count, pair: pair, words: Array(words)) }
            }
        }
        // HF keeps merges in a map by pair: a pair merged twice keeps its last rank.
        var lastRank = [UInt64: Int]()
        for (rank, merge) in merges.enumerated() { lastRank[merge.pair] = rank }
        let result = merges.enumerated().filter { lastRank[$0.element.pair] == $0.offset }.map { _, merge in
            BPEMerge(tokens[Int(merge.pair >> 32)], tokens[Int(merge.pair & 0xFFFF_FFFF)])
        }
        return (tokens, result)
    }

    /// HF's `Word::merge`: every occurrence of (left, right), left to right, becomes `merged`; `change(pair, ±1)`
    /// reports the pairs it breaks and forms.
    static func merge(_ word: inout [Int32], _ left: Int32, _ right: Int32, _ merged: Int32,
                      _ change: (UInt64, Int) -> Void) {
        var index = 0
        while index < word.count {
            if word[index] == left && index + 1 < word.count && word[index + 1] == right {
                if index > 0 {
                    change(BPEMergeTable.key(word[index - 1], left), -1)
                    change(BPEMergeTable.key(word[index - 1], merged), 1)
                }
                word[index] = merged
                word.remove(at: index + 1)
                if index < word.count - 1 {
                    change(BPEMergeTable.key(right, word[index + 1]), -1)
                    change(BPEMergeTable.key(merged, word[index + 1]), 1)
                }
            }
            index += 1
        }
    }
}

/// HF `BpeTrainer`'s priority queue: the highest count first, then the smaller pair; each entry carries the words
/// it was counted in.
struct MergeQueue {
    struct Entry: HeapOrdered {
        var count: Int
        var pair: UInt64
        var words: Int

        func precedes(_ other: Entry) -> Bool { count != other.count ? count > other.count : pair < other.pair }
    }

    private var heap = BinaryHeap<Entry>()
    private var wordSets = [[Int32]]()

    func words(of entry: Entry) -> [Int32] { wordSets[entry.words] }

    mutating func push(count: Int, pair: UInt64, words: [Int32]) {
        wordSets.append(words)
        push(Entry(count: count, pair: pair, words: wordSets.count - 1))
    }

    mutating func push(_ entry: Entry) { heap.push(entry) }

    mutating func pop() -> Entry? { heap.pop() }
}
