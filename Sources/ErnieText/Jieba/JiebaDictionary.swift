import Foundation

/// jieba's prefix dictionary (`Tokenizer.FREQ`): every word with its frequency, and every prefix of a word with
/// frequency 0, as a character trie. `total` is the sum of the frequencies of all dictionary lines (duplicates
/// included), as jieba computes it.
///
/// Loads jieba's `dict.txt` format (`word freq [tag]` per line) in a fraction of a second; user dictionaries
/// (`word [freq] [tag]`) are added as `jieba.load_userdict` does, including its frequency suggestion.
public struct JiebaDictionary: Sendable {
    /// Children of the root for BMP scalars (node index, 0 = none).
    private(set) var rootChildren: [Int32]
    /// Other edges: open addressing on `(node << 21 | scalar) + 1` (0 = empty slot), key and child side by side so
    /// that a probe touches one cache line.
    private(set) var edges: [Edge]
    private(set) var mask: Int

    struct Edge: Sendable {
        var key: UInt64 = 0
        var child: Int32 = 0
    }
    /// Frequency per node (0 for a bare prefix); node 0 is the root.
    private(set) var frequencies: [Int]
    /// Sum of all word frequencies (jieba's `total`).
    public private(set) var total: Int
    /// Words added with frequency 0: the HMM never emits them whole (jieba's `Force_Split_Words`).
    private(set) var forceSplitWords: Set<[UInt32]>
    /// Number of distinct words (frequency > 0 or added explicitly).
    public private(set) var wordCount: Int

    /// Number of trie nodes (words and prefixes).
    public var nodeCount: Int { frequencies.count }

    /// An empty dictionary.
    public init() {
        rootChildren = [Int32](repeating: 0, count: 0x10000)
        edges = [Edge](repeating: Edge(), count: 1 << 10)
        mask = (1 << 10) - 1
        frequencies = [0]
        total = 0
        forceSplitWords = []
        wordCount = 0
    }

    /// Reads a main dictionary in jieba's `dict.txt` format (`gen_pfdict`): `word freq [tag]`, single spaces.
    /// - Throws: `JiebaError.invalidEntry` with the file and line of a malformed line, as jieba raises ValueError.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw JiebaError.unreadable(path: url.path, reason: "cannot read the file")
        }
        self.init()
        let bytes = [UInt8](data)
        reserve(nodes: bytes.count / 6)
        var scalars = [UInt32]()
        scalars.reserveCapacity(64)
        try bytes.withUnsafeBufferPointer { buffer in
            var lineStart = 0
            var lineNumber = 0
            while lineStart < buffer.count {
                var lineEnd = lineStart
                while lineEnd < buffer.count && buffer[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                lineNumber += 1
                var start = lineStart, end = lineEnd
                while start < end && Self.isASCIISpace(buffer[start]) { start += 1 }
                while end > start && Self.isASCIISpace(buffer[end - 1]) { end -= 1 }
                let invalid = { JiebaError.invalidEntry(path: url.path, line: lineNumber,
                                                        text: String(decoding: buffer[lineStart..<lineEnd], as: UTF8.self)) }
                // word = text before the first space; freq = text up to the next space.
                var space = start
                while space < end && buffer[space] != UInt8(ascii: " ") { space += 1 }
                guard space < end else { throw invalid() }
                var freqEnd = space + 1
                while freqEnd < end && buffer[freqEnd] != UInt8(ascii: " ") { freqEnd += 1 }
                guard let frequency = Self.parseInteger(buffer[(space + 1)..<freqEnd]),
                      Self.decodeUTF8(buffer[start..<space], into: &scalars) else { throw invalid() }
                insert(scalars, frequency: frequency)
                total += frequency
                lineStart = lineEnd + 1
            }
        }
    }

    // MARK: - Lookup

    @inline(__always)
    func child(_ node: Int32, _ scalar: UInt32) -> Int32? {
        if node == 0 && scalar < 0x10000 {
            let next = rootChildren[Int(scalar)]
            return next == 0 ? nil : next
        }
        let key = (UInt64(node) << 21 | UInt64(scalar)) &+ 1
        var index = Self.slot(key, mask)
        while true {
            let edge = edges[index]
            if edge.key == key { return edge.child }
            if edge.key == 0 { return nil }
            index = (index + 1) & mask
        }
    }

    /// The trie node of `scalars` (nil when it is neither a word nor a prefix of one).
    func node(of scalars: UnsafeBufferPointer<UInt32>) -> Int32? {
        var node: Int32 = 0
        for scalar in scalars {
            guard let next = child(node, scalar) else { return nil }
            node = next
        }
        return scalars.isEmpty ? nil : node
    }

    /// jieba's `FREQ.get(word)`: the frequency of a word, 0 for a bare prefix, nil when absent.
    public func frequency(of word: String) -> Int? {
        let scalars = word.unicodeScalars.map(\.value)
        return scalars.withUnsafeBufferPointer { node(of: $0) }.map { frequencies[Int($0)] }
    }

    // MARK: - Building

    private mutating func reserve(nodes: Int) {
        var capacity = edges.count
        while capacity < nodes * 2 { capacity <<= 1 }
        if capacity > edges.count { rehash(capacity: capacity) }
        frequencies.reserveCapacity(nodes)
    }

    /// Sets the frequency of `scalars` (creating it and its prefixes with frequency 0).
    mutating func insert(_ scalars: [UInt32], frequency: Int) {
        guard !scalars.isEmpty else { return }
        var node: Int32 = 0
        for scalar in scalars {
            if let next = child(node, scalar) {
                node = next
            } else {
                let next = Int32(frequencies.count)
                frequencies.append(0)
                setChild(node, scalar, next)
                node = next
            }
        }
        if frequencies[Int(node)] == 0 && frequency != 0 { wordCount += 1 }
        frequencies[Int(node)] = frequency
    }

    @inline(__always)
    static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    private mutating func setChild(_ node: Int32, _ scalar: UInt32, _ next: Int32) {
        if node == 0 && scalar < 0x10000 {
            rootChildren[Int(scalar)] = next
            return
        }
        if frequencies.count * 2 > edges.count { rehash(capacity: edges.count * 2) }
        let key = (UInt64(node) << 21 | UInt64(scalar)) &+ 1
        var index = Self.slot(key, mask)
        while edges[index].key != 0 { index = (index + 1) & mask }
        edges[index] = Edge(key: key, child: next)
    }

    private mutating func rehash(capacity: Int) {
        let old = edges
        edges = [Edge](repeating: Edge(), count: capacity)
        mask = capacity - 1
        for edge in old where edge.key != 0 {
            var index = Self.slot(edge.key, mask)
            while edges[index].key != 0 { index = (index + 1) & mask }
            edges[index] = edge
        }
    }

    // MARK: - User words (jieba's add_word / suggest_freq / load_userdict)

    /// jieba's `add_word(word, freq)`: without a frequency, the one `suggest_freq(word)` gives (just enough for the
    /// word to be cut out whole). Frequency 0 deletes the word and makes the HMM split it.
    public mutating func addWord(_ word: String, frequency: Int? = nil) {
        let scalars = word.unicodeScalars.map(\.value)
        guard !scalars.isEmpty else { return }
        let value = frequency ?? suggestedFrequency(for: scalars)
        insert(scalars, frequency: value)
        total += value
        if value == 0 { forceSplitWords.insert(scalars) }
    }

    /// jieba's `suggest_freq(word, tune=False)`.
    func suggestedFrequency(for scalars: [UInt32]) -> Int {
        let cutter = JiebaCutter(dictionary: self, precomputed: false, hmm: nil)
        var spans = WordSpans()
        var scratch = JiebaCutter.Scratch()
        scalars.withUnsafeBufferPointer { cutter.cut($0, useHMM: false, into: &spans, scratch: &scratch) }
        let floatTotal = Double(total)
        var product = 1.0
        scalars.withUnsafeBufferPointer { buffer in
            for index in 0..<spans.count {
                let piece = UnsafeBufferPointer(rebasing: buffer[Int(spans.starts[index])..<Int(spans.ends[index])])
                let frequency = node(of: piece).map { frequencies[Int($0)] } ?? 1
                product *= Double(frequency) / floatTotal
            }
        }
        let own = scalars.withUnsafeBufferPointer { node(of: $0) }.map { frequencies[Int($0)] } ?? 1
        return max(Int(product * Double(total)) + 1, own)
    }

    /// jieba's `load_userdict`: one `word [freq] [tag]` per line (UTF-8, a BOM allowed, blank lines skipped); the
    /// word may contain spaces (`^(.+?)( [0-9]+)?( [a-z]+)?$`).
    public mutating func loadUserDictionary(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw JiebaError.unreadable(path: url.path, reason: "cannot read the file")
        }
        let bytes = [UInt8](data)
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine[...]
            while let first = line.first, Self.isASCIISpace(first) { line.removeFirst() }
            while let last = line.last, Self.isASCIISpace(last) { line.removeLast() }
            guard let text = String(validating: line, as: UTF8.self) else {
                throw JiebaError.invalidUTF8(path: url.path, line: lineNumber)
            }
            var scalars = Array(text.unicodeScalars)
            while scalars.first == "\u{FEFF}" { scalars.removeFirst() }
            guard !scalars.isEmpty else { continue }
            let (word, frequency) = Self.parseUserLine(scalars)
            addWord(word, frequency: frequency)
        }
    }

    /// Splits a user dictionary line as `^(.+?)( [0-9]+)?( [a-z]+)?$` does: the shortest word such that the rest is
    /// empty, " <digits>", " <lowercase>" or " <digits> <lowercase>".
    static func parseUserLine(_ scalars: [Unicode.Scalar]) -> (word: String, frequency: Int?) {
        func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 0x30 && s.value <= 0x39 }
        func isLower(_ s: Unicode.Scalar) -> Bool { s.value >= 0x61 && s.value <= 0x7A }
        for wordLength in 1...scalars.count {
            var rest = scalars[wordLength...]
            if rest.contains("\n") { continue }
            var frequency: Int? = nil
            if rest.count >= 2, rest.first == " ", isDigit(rest[rest.startIndex + 1]) {
                var end = rest.startIndex + 1
                while end < rest.endIndex && isDigit(rest[end]) { end += 1 }
                frequency = Int(String(String.UnicodeScalarView(rest[(rest.startIndex + 1)..<end])))
                rest = rest[end...]
            }
            if rest.count >= 2, rest.first == " ", rest.dropFirst().allSatisfy(isLower) { rest = rest[rest.endIndex...] }
            if rest.isEmpty {
                return (String(String.UnicodeScalarView(scalars[..<wordLength])), frequency)
            }
        }
        return (String(String.UnicodeScalarView(scalars)), nil)
    }

    // MARK: - Bytes

    @inline(__always)
    static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// Python's `int()` on ASCII: optional sign, digits (underscores between digits allowed).
    static func parseInteger(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        var value = 0
        var negative = false
        var index = bytes.startIndex
        if index < bytes.endIndex && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.endIndex else { return nil }
        var previousDigit = false
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                let (product, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.addingReportingOverflow(Int(byte - 0x30))
                if overflow1 || overflow2 { return nil }
                value = sum
                previousDigit = true
            } else if byte == UInt8(ascii: "_") && previousDigit && index + 1 < bytes.endIndex {
                previousDigit = false
            } else {
                return nil
            }
            index += 1
        }
        return previousDigit ? (negative ? -value : value) : nil
    }

    /// Decodes strict UTF-8 into scalar values; false on invalid input.
    static func decodeUTF8(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, into scalars: inout [UInt32]) -> Bool {
        scalars.removeAll(keepingCapacity: true)
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar.value)
            case .emptyInput: return !scalars.isEmpty
            case .error: return false
            }
        }
    }
}

public enum JiebaError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case invalidEntry(path: String, line: Int, text: String)
    case invalidUTF8(path: String, line: Int)
    case invalidModel(path: String, reason: String)
    case notFound(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .invalidEntry(let path, let line, let text):
            "invalid dictionary entry in \(path) at line \(line): \(text) (expected `word frequency [tag]`)"
        case .invalidUTF8(let path, let line): "\(path):\(line): dictionary file must be UTF-8"
        case .invalidModel(let path, let reason): "\(path): \(reason)"
        case .notFound(let what): what
        }
    }
}
