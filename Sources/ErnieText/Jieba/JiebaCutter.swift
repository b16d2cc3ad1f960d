import Foundation

/// Word boundaries as scalar index ranges `starts[i]..<ends[i]` (no `String` per word in hot loops).
public struct WordSpans: Sendable, Equatable {
    public var starts: [Int32] = []
    public var ends: [Int32] = []

    public init() {}

    public var count: Int { starts.count }

    public mutating func removeAll() {
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func append(_ start: Int, _ end: Int) {
        starts.append(Int32(start))
        ends.append(Int32(end))
    }
}

/// jieba 0.42.1's accurate mode (`Tokenizer.cut(sentence, cut_all=False, HMM=…)`) over Unicode scalars:
///
/// 1. split the sentence into runs of `[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]` and everything else; outside the runs every
///    scalar is a word, except `\r\n`, which stays together;
/// 2. in a run: the DAG of dictionary words starting at each position, then the maximum-probability route
///    (`log(freq) - log(total)` summed right to left; ties go to the longer word);
/// 3. with the HMM, consecutive single characters of the route are regrouped: a lone one stays, a dictionary word is
///    split into characters, anything else goes through `finalseg` (Viterbi over Han runs, alphanumeric runs like
///    `3.14%` kept whole); without it, consecutive single ASCII letters/digits are joined.
struct JiebaCutter {
    let dictionary: JiebaDictionary
    let logTotal: Double
    let hmm: JiebaHMMModel?
    /// Route table: the dictionary trie with each edge carrying its child's `log(freq) - log(total)` (`-infinity` for a
    /// bare prefix), so that a DAG step touches one cache line. Empty while a dictionary is being built (`suggest_freq`),
    /// where the slower `dictionary.child` + `log` path is used.
    let routeTable: RouteTable
    let precomputed: Bool

    struct RouteEdge {
        var key: UInt64
        var logProbability: Double
        var child: Int32
    }

    struct RouteTable {
        var rootChildren: [Int32]
        var rootLog: [Double]
        var edges: [RouteEdge]
        var mask: Int
    }

    init(dictionary: JiebaDictionary, precomputed: Bool, hmm: JiebaHMMModel?) {
        self.dictionary = dictionary
        self.logTotal = log(Double(dictionary.total))
        self.hmm = hmm
        self.precomputed = precomputed
        self.routeTable = precomputed ? Self.routeTable(of: dictionary) : RouteTable(rootChildren: [], rootLog: [], edges: [], mask: 0)
    }

    /// `log(freq) - log(total)` for every word node, as jieba's `calc` evaluates it; `-infinity` marks bare prefixes
    /// (not words, never on a route).
    static func routeTable(of dictionary: JiebaDictionary) -> RouteTable {
        let logTotal = log(Double(dictionary.total))
        let logs = dictionary.frequencies.map { $0 > 0 ? log(Double($0)) - logTotal : -Double.infinity }
        let rootLog = dictionary.rootChildren.map { $0 == 0 ? -Double.infinity : logs[Int($0)] }
        let edges = dictionary.edges.map { edge in
            RouteEdge(key: edge.key, logProbability: edge.key == 0 ? 0 : logs[Int(edge.child)], child: edge.child)
        }
        precondition(rootLog.count == 0x10000 && edges.count == dictionary.mask + 1, "route table of an inconsistent dictionary")
        return RouteTable(rootChildren: dictionary.rootChildren, rootLog: rootLog, edges: edges, mask: dictionary.mask)
    }

    struct Scratch {
        var routeLog: [Double] = []
        var routeEnd: [Int32] = []
        var states: [UInt8] = []
        var backpointers: [UInt8] = []
        init() {}
    }

    /// Scalars that `re_han_default` keeps in a block: CJK U+4E00–U+9FD5, ASCII letters, digits and `+#&._%-`.
    @inline(__always)
    static func isBlockScalar(_ value: UInt32) -> Bool {
        if value < 128 { return blockASCII[Int(value)] }
        return value >= 0x4E00 && value <= 0x9FD5
    }

    static let blockASCII: [Bool] = (0..<128).map { value in
        (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
            || "+#&._%-".unicodeScalars.contains { $0.value == UInt32(value) }
    }

    @inline(__always)
    static func isASCIIAlphanumeric(_ value: UInt32) -> Bool {
        value < 128 && value != 0x2B && value != 0x23 && value != 0x26 && value != 0x2E && value != 0x5F && value != 0x25
            && value != 0x2D && blockASCII[Int(value)]
    }

    /// Appends the words of `text` to `spans` (indices into `text`).
    func cut(_ text: UnsafeBufferPointer<UInt32>, useHMM: Bool, into spans: inout WordSpans, scratch: inout Scratch) {
        let count = text.count
        var index = 0
        while index < count {
            let value = text[index]
            if Self.isBlockScalar(value) {
                var end = index + 1
                while end < count && Self.isBlockScalar(text[end]) { end += 1 }
                cutBlock(text, index..<end, useHMM: useHMM, into: &spans, scratch: &scratch)
                index = end
            } else if value == 0x0D && index + 1 < count && text[index + 1] == 0x0A {
                spans.append(index, index + 2)
                index += 2
            } else {
                spans.append(index, index + 1)
                index += 1
            }
        }
    }

    /// One trie step: the child of `node` for `scalar` and its route log probability (`-infinity` for a prefix).
    @inline(__always)
    private func step(_ node: Int32, _ scalar: UInt32) -> (child: Int32, logProbability: Double)? {
        if precomputed {
            // The hot loop of segmentation reads without bounds checks: the root table has 0x10000 entries (checked
            // when it is built) and probing stays below mask + 1 = edges.count.
            if node == 0 && scalar < 0x10000 {
                let child = routeTable.rootChildren.withUnsafeBufferPointer { $0[Int(scalar)] }
                return child == 0 ? nil : (child, routeTable.rootLog.withUnsafeBufferPointer { $0[Int(scalar)] })
            }
            let key = (UInt64(node) << 21 | UInt64(scalar)) &+ 1
            let mask = routeTable.mask
            return routeTable.edges.withUnsafeBufferPointer { edges in
                var index = JiebaDictionary.slot(key, mask)
                while true {
                    let edge = edges[index]
                    if edge.key == key { return (edge.child, edge.logProbability) }
                    if edge.key == 0 { return nil }
                    index = (index &+ 1) & mask
                }
            }
        }
        guard let child = dictionary.child(node, scalar) else { return nil }
        let frequency = dictionary.frequencies[Int(child)]
        return (child, frequency > 0 ? log(Double(frequency)) - logTotal : -Double.infinity)
    }

    /// jieba's `get_DAG` + `calc` + `__cut_DAG` / `__cut_DAG_NO_HMM` on one block.
    private func cutBlock(_ text: UnsafeBufferPointer<UInt32>, _ block: Range<Int>, useHMM: Bool,
                          into spans: inout WordSpans, scratch: inout Scratch) {
        let start = block.lowerBound, length = block.count
        // route[i] = (best log probability of text[i...], end of the first word); route[length] = (0, 0).
        if scratch.routeLog.count < length + 1 {
            scratch.routeLog = [Double](repeating: 0, count: length + 1)
            scratch.routeEnd = [Int32](repeating: 0, count: length + 1)
        }
        let unknownLog = 0.0 - logTotal  // log(FREQ.get(char) or 1) for a character that is not a word
        scratch.routeLog.withUnsafeMutableBufferPointer { routeLog in
            scratch.routeEnd.withUnsafeMutableBufferPointer { routeEnd in
                routeLog[length] = 0
                for position in stride(from: length - 1, through: 0, by: -1) {
                    var best = -Double.infinity
                    var bestEnd = -1
                    var node: Int32 = 0
                    var cursor = position
                    while cursor < length, let (next, wordLog) = step(node, text[start + cursor]) {
                        node = next
                        if wordLog != -Double.infinity {
                            let candidate = wordLog + routeLog[cursor + 1]
                            // max over (probability, end) tuples: a tie goes to the larger end.
                            if candidate >= best {
                                best = candidate
                                bestEnd = cursor
                            }
                        }
                        cursor += 1
                    }
                    if bestEnd < 0 {
                        best = unknownLog + routeLog[position + 1]
                        bestEnd = position
                    }
                    routeLog[position] = best
                    routeEnd[position] = Int32(bestEnd)
                }
            }
        }
        var position = 0
        var pending = -1  // start of the buffered run of single characters
        if useHMM {
            while position < length {
                let next = Int(scratch.routeEnd[position]) + 1
                if next - position == 1 {
                    if pending < 0 { pending = position }
                } else {
                    if pending >= 0 {
                        flushSingles(text, start + pending..<start + position, into: &spans, scratch: &scratch)
                        pending = -1
                    }
                    spans.append(start + position, start + next)
                }
                position = next
            }
            if pending >= 0 { flushSingles(text, start + pending..<start + length, into: &spans, scratch: &scratch) }
        } else {
            while position < length {
                let next = Int(scratch.routeEnd[position]) + 1
                if next - position == 1 && Self.isASCIIAlphanumeric(text[start + position]) {
                    if pending < 0 { pending = position }
                } else {
                    if pending >= 0 {
                        spans.append(start + pending, start + position)
                        pending = -1
                    }
                    spans.append(start + position, start + next)
                }
                position = next
            }
            if pending >= 0 { spans.append(start + pending, start + length) }
        }
    }

    /// A buffered run of single characters (HMM mode): one stays as is; a dictionary word is split into characters;
    /// anything else goes through `finalseg.cut`.
    private func flushSingles(_ text: UnsafeBufferPointer<UInt32>, _ run: Range<Int>, into spans: inout WordSpans,
                              scratch: inout Scratch) {
        if run.count == 1 {
            spans.append(run.lowerBound, run.upperBound)
            return
        }
        let node = dictionary.node(of: UnsafeBufferPointer(rebasing: text[run]))
        if let node, dictionary.frequencies[Int(node)] > 0 {
            for index in run { spans.append(index, index + 1) }
        } else {
            finalSegmentation(text, run, into: &spans, scratch: &scratch)
        }
    }

    /// jieba's `finalseg.cut`: Han runs through the HMM; between them `[a-zA-Z0-9]+(?:\.\d+)?%?` matches and the text
    /// between matches are words.
    private func finalSegmentation(_ text: UnsafeBufferPointer<UInt32>, _ run: Range<Int>, into spans: inout WordSpans,
                                   scratch: inout Scratch) {
        let isHan = { (value: UInt32) in value >= 0x4E00 && value <= 0x9FD5 }
        var index = run.lowerBound
        while index < run.upperBound {
            if isHan(text[index]) {
                var end = index + 1
                while end < run.upperBound && isHan(text[end]) { end += 1 }
                hmmCut(text, index..<end, into: &spans, scratch: &scratch)
                index = end
                continue
            }
            var end = index
            var between = index
            while end < run.upperBound && !isHan(text[end]) {
                if Self.isASCIIAlphanumeric(text[end]) {
                    if between < end { spans.append(between, end) }
                    var matchEnd = end
                    while matchEnd < run.upperBound && Self.isASCIIAlphanumeric(text[matchEnd]) { matchEnd += 1 }
                    if matchEnd + 1 < run.upperBound && text[matchEnd] == 0x2E && Self.isDigit(text[matchEnd + 1]) {
                        matchEnd += 1
                        while matchEnd < run.upperBound && Self.isDigit(text[matchEnd]) { matchEnd += 1 }
                    }
                    if matchEnd < run.upperBound && text[matchEnd] == 0x25 { matchEnd += 1 }
                    spans.append(end, matchEnd)
                    end = matchEnd
                    between = matchEnd
                } else {
                    end += 1
                }
            }
            if between < end { spans.append(between, end) }
            index = end
        }
    }

    @inline(__always)
    private static func isDigit(_ value: UInt32) -> Bool { value >= 0x30 && value <= 0x39 }

    /// finalseg's `__cut`: Viterbi states → words (B opens, E closes, S is a word, a trailing open word is kept).
    private func hmmCut(_ text: UnsafeBufferPointer<UInt32>, _ run: Range<Int>, into spans: inout WordSpans,
                        scratch: inout Scratch) {
        guard let hmm else {
            for index in run { spans.append(index, index + 1) }
            return
        }
        hmm.viterbi(UnsafeBufferPointer(rebasing: text[run]), states: &scratch.states,
                    backpointers: &scratch.backpointers)
        var begin = 0, next = 0
        let base = run.lowerBound
        for offset in 0..<run.count {
            switch Int(scratch.states[offset]) {
            case JiebaHMMModel.begin: begin = offset
            case JiebaHMMModel.end:
                emitHMMWord(text, base + begin, base + offset + 1, into: &spans)
                next = offset + 1
            case JiebaHMMModel.single:
                emitHMMWord(text, base + offset, base + offset + 1, into: &spans)
                next = offset + 1
            default: break
            }
        }
        if next < run.count { emitHMMWord(text, base + next, run.upperBound, into: &spans) }
    }

    @inline(__always)
    private func emitHMMWord(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, into spans: inout WordSpans) {
        if !dictionary.forceSplitWords.isEmpty && dictionary.forceSplitWords.contains(Array(text[start..<end])) {
            for index in start..<end { spans.append(index, index + 1) }
        } else {
            spans.append(start, end)
        }
    }
}
