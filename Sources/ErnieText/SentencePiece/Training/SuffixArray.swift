/// The suffix array of a text of code points and the internal nodes of its suffix tree, as the unigram trainer's
/// seed extraction needs them (what SentencePiece gets from esaxx): every substring that occurs at least twice and is
/// right-branching, with its number of occurrences.
struct SuffixArray {
    /// Suffix start positions in lexicographic order of the suffixes.
    let order: [Int32]

    /// Prefix doubling with two counting-sort passes per round: O(n log n), stops as soon as every rank is unique.
    init(_ text: [UInt32]) {
        let n = text.count
        guard n > 0 else { order = []; return }
        // Initial ranks: the code points, compacted to 0..<distinct.
        let distinct = Array(Set(text)).sorted()
        var compact = [UInt32: Int32](minimumCapacity: distinct.count)
        for (index, value) in distinct.enumerated() { compact[value] = Int32(index) }
        var rank = text.map { compact[$0]! }
        var order = [Int32](repeating: 0, count: n)
        var scratch = [Int32](repeating: 0, count: n)
        var nextRank = [Int32](repeating: 0, count: n)
        var classes = distinct.count
        // Sort by the first code point.
        Self.countingSort(keys: { rank[Int($0)] }, input: Array(0..<Int32(n)), output: &order, buckets: classes)
        var width = 1
        while classes < n {
            // Sort by (rank[i], rank[i + width]), -1 past the end: the second key first (stable), then the first.
            var byPosition = [Int32](repeating: 0, count: n)
            var filled = 0
            for position in (n - width)..<n { byPosition[filled] = Int32(position); filled += 1 }
            for suffix in order where Int(suffix) >= width { byPosition[filled] = suffix - Int32(width); filled += 1 }
            let currentRank = rank
            Self.countingSort(keys: { currentRank[Int($0)] }, input: byPosition, output: &scratch, buckets: classes)
            order = scratch
            nextRank[Int(order[0])] = 0
            var current: Int32 = 0
            for index in 1..<n {
                let previous = Int(order[index - 1]), this = Int(order[index])
                let previousSecond = previous + width < n ? currentRank[previous + width] : -1
                let thisSecond = this + width < n ? currentRank[this + width] : -1
                if currentRank[previous] != currentRank[this] || previousSecond != thisSecond { current += 1 }
                nextRank[this] = current
            }
            swap(&rank, &nextRank)
            classes = Int(current) + 1
            width *= 2
        }
        self.order = order
    }

    private static func countingSort(keys: (Int32) -> Int32, input: [Int32], output: inout [Int32], buckets: Int) {
        var counts = [Int](repeating: 0, count: buckets + 1)
        for element in input { counts[Int(keys(element)) + 1] += 1 }
        for bucket in 1...buckets { counts[bucket] += counts[bucket - 1] }
        for element in input {
            let key = Int(keys(element))
            output[counts[key]] = element
            counts[key] += 1
        }
    }

    /// `lcp[i]` = length of the common prefix of suffixes `order[i - 1]` and `order[i]` (`lcp[0]` = 0), by Kasai's
    /// algorithm.
    func longestCommonPrefixes(of text: [UInt32]) -> [Int32] {
        let n = text.count
        var rank = [Int32](repeating: 0, count: n)
        for (index, suffix) in order.enumerated() { rank[Int(suffix)] = Int32(index) }
        var lcp = [Int32](repeating: 0, count: n)
        var common = 0
        for position in 0..<n {
            let index = Int(rank[position])
            guard index > 0 else { common = 0; continue }
            let other = Int(order[index - 1])
            while position + common < n, other + common < n, text[position + common] == text[other + common] { common += 1 }
            lcp[index] = Int32(common)
            if common > 0 { common -= 1 }
        }
        return lcp
    }

    /// One internal node: the substring `text[start..<start + depth]` occurs `count` (≥ 2) times.
    struct Node {
        var start: Int32
        var depth: Int32
        var count: Int32
    }

    /// The internal nodes (lcp intervals of depth > 0), in the order their intervals close.
    func internalNodes(of text: [UInt32]) -> [Node] {
        let n = order.count
        guard n > 1 else { return [] }
        let lcp = longestCommonPrefixes(of: text)
        var nodes: [Node] = []
        var stack: [(depth: Int32, left: Int)] = [(0, 0)]
        for index in 1...n {
            let depth = index < n ? lcp[index] : 0
            var left = index - 1
            while depth < stack[stack.count - 1].depth {
                let top = stack.removeLast()
                nodes.append(Node(start: order[top.left], depth: top.depth, count: Int32(index - top.left)))
                left = top.left
            }
            if depth > stack[stack.count - 1].depth { stack.append((depth, left)) }
        }
        return nodes
    }
}
