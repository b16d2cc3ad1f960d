/// A symbol of BPE's working sequence: a range of the normalised text, linked to its neighbours.
struct BPESymbol {
    var previous: Int32
    var next: Int32
    var start: Int32
    var end: Int32
    /// A user-defined symbol: never merged.
    var frozen: Bool
}

/// A candidate merge of two adjacent symbols.
struct BPEPair: HeapOrdered {
    var score: Float
    var left: Int32
    var right: Int32
    /// Bytes of the merged piece (stale when the symbols have changed since).
    var size: Int32

    /// SentencePiece's agenda order: the higher score first, then the leftmost.
    @inline(__always)
    func precedes(_ other: BPEPair) -> Bool {
        score > other.score || (score == other.score && left < other.left)
    }
}

extension SentencePieceModel {
    /// `bpe::Model::SampleEncode` without dropout: start from characters (user-defined symbols whole and frozen),
    /// repeatedly merge the adjacent pair whose merged piece scores highest (leftmost on ties), then split pieces of
    /// type UNUSED back into the two symbols they were merged from.
    func segmentBPE(_ text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) {
        guard !text.isEmpty else { return }
        scratch.symbols.removeAll(keepingCapacity: true)
        scratch.agenda.removeAll()
        scratch.unusedMerges.removeAll(keepingCapacity: true)
        var start = 0
        while start < text.count {
            var length = min(UTF8Text.sequenceLength(text[start]), text.count - start)
            var frozen = false
            if let userDefined = normalizer.userDefined, normalizer.userDefinedFirstBytes[Int(text[start])],
               let match = userDefined.longestMatch(text, from: start) {
                length = match.length
                frozen = true
            }
            let index = Int32(scratch.symbols.count)
            scratch.symbols.append(BPESymbol(previous: index - 1, next: start + length < text.count ? index + 1 : -1,
                                             start: Int32(start), end: Int32(start + length), frozen: frozen))
            start += length
        }

        func addPair(_ left: Int32, _ right: Int32, _ scratch: inout Scratch) {
            guard left >= 0, right >= 0 else { return }
            let leftSymbol = scratch.symbols[Int(left)], rightSymbol = scratch.symbols[Int(right)]
            guard !leftSymbol.frozen, !rightSymbol.frozen,
                  let id = pieceTrie.id(of: text, Int(leftSymbol.start)..<Int(rightSymbol.end)) else { return }
            scratch.agenda.push(BPEPair(score: scores[Int(id)], left: left, right: right, size: rightSymbol.end - leftSymbol.start))
            if types[Int(id)] == .unused {
                scratch.unusedMerges[id] = (leftSymbol.start..<leftSymbol.end, rightSymbol.start..<rightSymbol.end)
            }
        }

        for index in 1..<max(1, scratch.symbols.count) { addPair(Int32(index - 1), Int32(index), &scratch) }
        while let top = scratch.agenda.pop() {
            let left = scratch.symbols[Int(top.left)], right = scratch.symbols[Int(top.right)]
            // Stale: one side was merged away or grew since this pair was queued.
            guard left.end > left.start, right.end > right.start,
                  (left.end - left.start) + (right.end - right.start) == top.size else { continue }
            scratch.symbols[Int(top.left)].end = right.end
            scratch.symbols[Int(top.left)].next = right.next
            if right.next >= 0 { scratch.symbols[Int(right.next)].previous = top.left }
            scratch.symbols[Int(top.right)].end = scratch.symbols[Int(top.right)].start
            addPair(scratch.symbols[Int(top.left)].previous, top.left, &scratch)
            addPair(top.left, scratch.symbols[Int(top.left)].next, &scratch)
        }

        func resegment(_ range: Range<Int32>, _ scratch: inout Scratch) {
            let bounds = Int(range.lowerBound)..<Int(range.upperBound)
            let id = reservedTrie.id(of: text, bounds) ?? pieceTrie.id(of: text, bounds) ?? Int32(unknownId)
            if types[Int(id)] == .unused, let (left, right) = scratch.unusedMerges[id] {
                resegment(left, &scratch)
                resegment(right, &scratch)
            } else {
                scratch.segmentIds.append(id)
                scratch.segmentRanges.append(range)
            }
        }
        var index: Int32 = 0
        while index != -1 {
            let symbol = scratch.symbols[Int(index)]
            resegment(symbol.start..<symbol.end, &scratch)
            index = symbol.next
        }
    }
}
