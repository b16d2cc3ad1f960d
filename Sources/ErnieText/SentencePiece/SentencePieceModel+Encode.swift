/// Encoding: normalise, segment (unigram Viterbi or BPE), then `PopulateSentencePieceText`'s unknown handling.
extension SentencePieceModel {
    /// Buffers reused from one `encode` to the next (one per thread).
    public struct Scratch {
        var normalized: [UInt8] = []
        var normalizedToOriginal: [Int32] = []
        // Unigram: the best path ending at each byte.
        var bestScores: [Float] = []
        var bestStarts: [Int32] = []
        var bestIds: [Int32] = []
        // BPE.
        var symbols: [BPESymbol] = []
        var agenda = BinaryHeap<BPEPair>()
        var unusedMerges: [Int32: (left: Range<Int32>, right: Range<Int32>)] = [:]
        /// The segmentation: ids and their ranges in `normalized`.
        var segmentIds: [Int32] = []
        var segmentRanges: [Range<Int32>] = []
        /// The result: id, range of the piece's text in `normalized` (empty for a byte piece: its text is the
        /// vocabulary's), and byte offsets into the input.
        public internal(set) var ids: [Int32] = []
        var pieceRanges: [Range<Int32>] = []
        public internal(set) var begins: [Int32] = []
        public internal(set) var ends: [Int32] = []
        /// `encode(scalars:)`'s UTF-8 copy of its input and each byte's scalar index.
        var utf8: [UInt8] = []
        var origins: [Int32] = []

        public init() {}
    }

    /// The tokens of `text`, as `SentencePieceProcessor.encode` gives them.
    public func encode(_ text: String) -> [SentencePieceToken] {
        var scratch = Scratch()
        var utf8 = Array(text.utf8)
        utf8.withUnsafeMutableBufferPointer { encode(utf8: UnsafeBufferPointer($0), scratch: &scratch) }
        return (0..<scratch.ids.count).map { index in
            SentencePieceToken(piece: piece(at: index, of: scratch), id: Int(scratch.ids[index]),
                               begin: Int(scratch.begins[index]), end: Int(scratch.ends[index]))
        }
    }

    /// The text of result `index`: the vocabulary's piece, or for an unknown run its normalised text.
    public func piece(at index: Int, of scratch: Scratch) -> String {
        let range = scratch.pieceRanges[index]
        if range.isEmpty || Int(scratch.ids[index]) != unknownId { return pieces[Int(scratch.ids[index])] }
        return String(decoding: scratch.normalized[Int(range.lowerBound)..<Int(range.upperBound)], as: UTF8.self)
    }

    /// Encodes `scalars` (Unicode scalar values) into `scratch.ids`, `begins` and `ends`, the offsets counting
    /// scalars (Python string indices) instead of bytes.
    public func encode(scalars: UnsafeBufferPointer<UInt32>, scratch: inout Scratch) {
        scratch.utf8.removeAll(keepingCapacity: true)
        scratch.origins.removeAll(keepingCapacity: true)
        UTF8Text.append(scalars, to: &scratch.utf8, origins: &scratch.origins)
        let utf8 = scratch.utf8
        utf8.withUnsafeBufferPointer { encode(utf8: $0, scratch: &scratch) }
        for index in scratch.ids.indices {
            scratch.begins[index] = scratch.origins[Int(scratch.begins[index])]
            scratch.ends[index] = scratch.origins[Int(scratch.ends[index])]
        }
    }

    /// Encodes UTF-8 `utf8` into `scratch.ids`, `begins` and `ends` (byte offsets into `utf8`).
    public func encode(utf8: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) {
        normalizer.normalize(utf8, into: &scratch.normalized, normalizedToOriginal: &scratch.normalizedToOriginal)
        scratch.segmentIds.removeAll(keepingCapacity: true)
        scratch.segmentRanges.removeAll(keepingCapacity: true)
        scratch.normalized.withUnsafeBufferPointer { normalized in
            switch algorithm {
            case .bpe: segmentBPE(normalized, scratch: &scratch)
            default: segmentUnigram(normalized, scratch: &scratch)
            }
        }
        populate(&scratch)
    }

    /// `PopulateSentencePieceText`: unknown pieces become byte pieces (byte fallback) or merge with an unknown
    /// neighbour; offsets go back to the input through the normaliser's alignment.
    private func populate(_ scratch: inout Scratch) {
        scratch.ids.removeAll(keepingCapacity: true)
        scratch.pieceRanges.removeAll(keepingCapacity: true)
        scratch.begins.removeAll(keepingCapacity: true)
        scratch.ends.removeAll(keepingCapacity: true)
        var previousIsUnknown = false
        for (id, range) in zip(scratch.segmentIds, scratch.segmentRanges) {
            let isUnknown = Int(id) == unknownId
            let begin = scratch.normalizedToOriginal[Int(range.lowerBound)]
            let end = scratch.normalizedToOriginal[Int(range.upperBound)]
            if isUnknown && byteFallback {
                for index in range {
                    let last = index == range.upperBound - 1
                    scratch.ids.append(byteIds[Int(scratch.normalized[Int(index)])])
                    scratch.pieceRanges.append(index..<index)
                    scratch.begins.append(begin)
                    scratch.ends.append(last ? end : begin)
                }
            } else if isUnknown && previousIsUnknown {
                let last = scratch.ids.count - 1
                scratch.pieceRanges[last] = scratch.pieceRanges[last].lowerBound..<range.upperBound
                scratch.ends[last] = end
            } else {
                scratch.ids.append(id)
                scratch.pieceRanges.append(range)
                scratch.begins.append(begin)
                scratch.ends.append(end)
            }
            previousIsUnknown = isUnknown
        }
    }

    /// `unigram::Model::EncodeOptimized`: the best path ending at each byte, extended one character at a time by
    /// every piece starting there; a character no piece covers gets the unknown id at `min score − 10`.
    private func segmentUnigram(_ text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) {
        let size = text.count
        guard size > 0 else { return }
        scratch.bestScores.removeAll(keepingCapacity: true)
        scratch.bestStarts.removeAll(keepingCapacity: true)
        scratch.bestIds.removeAll(keepingCapacity: true)
        scratch.bestScores.append(contentsOf: repeatElement(0, count: size + 1))
        scratch.bestStarts.append(contentsOf: repeatElement(-1, count: size + 1))
        scratch.bestIds.append(contentsOf: repeatElement(-1, count: size + 1))
        let unknownScore = minimumScore - 10
        let unknown = Int32(unknownId)
        scratch.bestScores.withUnsafeMutableBufferPointer { bestScores in
        scratch.bestStarts.withUnsafeMutableBufferPointer { bestStarts in
        scratch.bestIds.withUnsafeMutableBufferPointer { bestIds in
        scores.withUnsafeBufferPointer { scores in
        types.withUnsafeBufferPointer { types in
        pieceTrie.withView { trie in
            var start = 0
            while start < size {
                let base = bestScores[start]
                let characterLength = min(UTF8Text.sequenceLength(text[start]), size - start)
                var coversCharacter = false
                var node = PieceTrie.root
                var position = start
                while position < size {
                    node = trie.child(node, text[position])
                    if node < 0 { break }
                    position &+= 1
                    let id = trie.values[Int(node)]
                    guard id >= 0 else { continue }
                    let type = types[Int(id)]
                    let length = position &- start
                    if type == .normal {
                        let candidate = scores[Int(id)] + base
                        if bestStarts[position] == -1 || candidate > bestScores[position] {
                            bestScores[position] = candidate
                            bestStarts[position] = Int32(truncatingIfNeeded: start)
                            bestIds[position] = id
                        }
                    } else if type == .userDefined {
                        // SentencePiece computes this bonus in double: `length * max_score_ - 0.1`.
                        let candidate = Double(Float(length) * maximumScore) - 0.1 + Double(base)
                        if bestStarts[position] == -1 || candidate > Double(bestScores[position]) {
                            bestScores[position] = Float(candidate)
                            bestStarts[position] = Int32(truncatingIfNeeded: start)
                            bestIds[position] = id
                        }
                    } else {
                        continue  // UNUSED
                    }
                    if length == characterLength { coversCharacter = true }
                }
                if !coversCharacter {
                    let target = start + characterLength
                    let candidate = unknownScore + base
                    if bestStarts[target] == -1 || candidate > bestScores[target] {
                        bestScores[target] = candidate
                        bestStarts[target] = Int32(truncatingIfNeeded: start)
                        bestIds[target] = unknown
                    }
                }
                start &+= characterLength
            }
        }}}}}}
        var end = size
        while end > 0 {
            let start = Int(scratch.bestStarts[end])
            scratch.segmentIds.append(scratch.bestIds[end])
            scratch.segmentRanges.append(Int32(start)..<Int32(end))
            end = start
        }
        scratch.segmentIds.reverse()
        scratch.segmentRanges.reverse()
    }
}
