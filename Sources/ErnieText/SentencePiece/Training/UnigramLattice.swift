import Foundation

/// The unigram trainer's current vocabulary (SentencePiece's `TrainerModel`): pieces with log-probability scores and
/// their trie, and the lattice computations over one word that EM and pruning need — marginals (forward-backward),
/// the Viterbi path and the two best paths. A character no piece covers gets id 0 at `min score − 10`, as the
/// trainer's model (its `unk_id_` is 0) does.
struct UnigramVocabulary {
    /// Pieces (UTF-8) and scores, by id.
    let pieces: [[UInt8]]
    let scores: [Float]
    let trie: PieceTrie
    let minimumScore: Float

    init(_ entries: [(piece: [UInt8], score: Float)]) {
        precondition(!entries.isEmpty, "a unigram vocabulary needs pieces")
        pieces = entries.map(\.piece)
        scores = entries.map(\.score)
        minimumScore = scores.min()!
        trie = PieceTrie(entries.enumerated().map { ($0.element.piece, $0.offset) })
    }

    var count: Int { pieces.count }

    /// The lattice of one word: nodes by begin character, ids and scores (reused between words).
    struct Lattice {
        /// Node k spans characters `begins[k]..<ends[k]`; nodes are ordered by begin, then by length.
        var begins: [Int32] = []
        var ends: [Int32] = []
        var ids: [Int32] = []
        var scores: [Float] = []
        /// Character count of the word.
        var length = 0
        var characterOfByte: [Int32] = []
        // Forward-backward and Viterbi tables by character position.
        var forward: [Float] = []
        var backward: [Float] = []
    }

    /// `PopulateNodes`: every piece that starts at each character, and an unknown node where no single-character
    /// piece does.
    func populate(_ word: UnsafeBufferPointer<UInt8>, into lattice: inout Lattice) {
        lattice.begins.removeAll(keepingCapacity: true)
        lattice.ends.removeAll(keepingCapacity: true)
        lattice.ids.removeAll(keepingCapacity: true)
        lattice.scores.removeAll(keepingCapacity: true)
        lattice.characterOfByte.removeAll(keepingCapacity: true)
        var characters: Int32 = 0
        var byte = 0
        while byte < word.count {
            let length = min(UTF8Text.sequenceLength(word[byte]), word.count - byte)
            for _ in 0..<length { lattice.characterOfByte.append(characters) }
            characters += 1
            byte += length
        }
        lattice.characterOfByte.append(characters)
        lattice.length = Int(characters)
        let unknownScore = minimumScore - 10
        trie.withView { trie in
            var start = 0
            var character: Int32 = 0
            while start < word.count {
                let characterLength = min(UTF8Text.sequenceLength(word[start]), word.count - start)
                var hasSingle = false
                var node = PieceTrie.root
                var position = start
                while position < word.count {
                    node = trie.child(node, word[position])
                    if node < 0 { break }
                    position += 1
                    let id = trie.values[Int(node)]
                    guard id >= 0 else { continue }
                    let end = lattice.characterOfByte[position]
                    // A piece ending inside a character (only from a malformed word) is not a node.
                    guard position == word.count || lattice.characterOfByte[position - 1] != end else { continue }
                    lattice.begins.append(character)
                    lattice.ends.append(end)
                    lattice.ids.append(id)
                    lattice.scores.append(scores[Int(id)])
                    if end == character + 1 { hasSingle = true }
                }
                if !hasSingle {
                    lattice.begins.append(character)
                    lattice.ends.append(character + 1)
                    lattice.ids.append(0)
                    lattice.scores.append(unknownScore)
                }
                start += characterLength
                character += 1
            }
        }
    }

    /// SentencePiece's `LogSumExp`: exact below a difference of 50, else the larger.
    @inline(__always)
    private static func logSumExp(_ x: Float, _ y: Float) -> Float {
        let low = min(x, y), high = max(x, y)
        if high > low + 50 { return high }
        return high + Float(log(exp(Double(low - high)) + 1.0))
    }

    /// `PopulateMarginal`: adds `frequency ×` each node's posterior to `expected[id]`; returns `frequency × log Z`.
    func addMarginals(_ lattice: inout Lattice, frequency: Float, to expected: inout [Float]) -> Float {
        let length = lattice.length
        let nodes = lattice.ids.count
        lattice.forward.removeAll(keepingCapacity: true)
        lattice.forward.append(contentsOf: repeatElement(-.infinity, count: length + 1))
        lattice.backward.removeAll(keepingCapacity: true)
        lattice.backward.append(contentsOf: repeatElement(-.infinity, count: length + 1))
        lattice.forward[0] = 0
        lattice.backward[length] = 0
        // Nodes are in begin order, so every node ending at a position is seen before any node beginning there.
        for node in 0..<nodes {
            let begin = Int(lattice.begins[node]), end = Int(lattice.ends[node])
            let value = lattice.forward[begin] + lattice.scores[node]
            let current = lattice.forward[end]
            lattice.forward[end] = current == -.infinity ? value : Self.logSumExp(current, value)
        }
        for node in stride(from: nodes - 1, through: 0, by: -1) {
            let begin = Int(lattice.begins[node]), end = Int(lattice.ends[node])
            let value = lattice.scores[node] + lattice.backward[end]
            let current = lattice.backward[begin]
            lattice.backward[begin] = current == -.infinity ? value : Self.logSumExp(current, value)
        }
        let z = lattice.forward[length]
        for node in 0..<nodes {
            let begin = Int(lattice.begins[node]), end = Int(lattice.ends[node])
            let logPosterior = lattice.forward[begin] + lattice.scores[node] + lattice.backward[end] - z
            expected[Int(lattice.ids[node])] += frequency * Float(exp(Double(logPosterior)))
        }
        return frequency * z
    }

    /// The Viterbi path's ids (the first best node wins ties, as SentencePiece's `Viterbi`).
    func viterbi(_ lattice: inout Lattice) -> [Int32] {
        let length = lattice.length
        var best = [Float](repeating: 0, count: length + 1)
        var backNode = [Int32](repeating: -1, count: length + 1)
        for node in lattice.ids.indices {
            let begin = Int(lattice.begins[node]), end = Int(lattice.ends[node])
            guard begin == 0 || backNode[begin] >= 0 else { continue }
            let candidate = best[begin] + lattice.scores[node]
            if backNode[end] < 0 || candidate > best[end] {
                best[end] = candidate
                backNode[end] = Int32(node)
            }
        }
        var path: [Int32] = []
        var position = length
        while position > 0 {
            let node = Int(backNode[position])
            path.append(lattice.ids[node])
            position = Int(lattice.begins[node])
        }
        return path.reversed()
    }

    /// The best and second-best paths' ids (`NBest(2)`); one path when the lattice has only one.
    func twoBest(_ lattice: inout Lattice) -> [[Int32]] {
        let length = lattice.length
        // Up to two entries per position: score and back pointer (node, rank of the entry at its begin).
        struct Entry { var score: Float; var node: Int32; var rank: Int8 }
        var entries = [[Entry]](repeating: [], count: length + 1)
        entries[0] = [Entry(score: 0, node: -1, rank: 0)]
        for node in lattice.ids.indices {
            let begin = Int(lattice.begins[node]), end = Int(lattice.ends[node])
            for (rank, entry) in entries[begin].enumerated() {
                let candidate = Entry(score: entry.score + lattice.scores[node], node: Int32(node), rank: Int8(rank))
                var list = entries[end]
                if list.count < 2 {
                    list.append(candidate)
                } else if candidate.score > list[1].score {
                    list[1] = candidate
                } else {
                    continue
                }
                if list.count == 2 && list[1].score > list[0].score { list.swapAt(0, 1) }
                entries[end] = list
            }
        }
        return entries[length].map { last in
            var path: [Int32] = []
            var position = length
            var entry = last
            while position > 0 {
                let node = Int(entry.node)
                path.append(lattice.ids[node])
                position = Int(lattice.begins[node])
                entry = entries[position][Int(entry.rank)]
            }
            return path.reversed()
        }
    }
}
