import Dispatch
import Foundation

extension UnigramTrainer {
    /// A piece (UTF-8) and its score; the library's `SentencePieces`.
    typealias ScoredPieces = [(piece: [UInt8], score: Float)]

    /// Runs the training: the serialized `.model` and a summary.
    /// - Throws: `SentencePieceError.invalidTrainerOptions` when there is nothing to train on or the vocabulary
    ///   cannot reach `vocab_size` (with `hard_vocab_limit`), with the library's advice.
    public func train() throws -> (model: [UInt8], summary: UnigramTrainingSummary) {
        var summary = UnigramTrainingSummary()
        summary.skippedTooLong = tooLongLines
        // Normalised lines that came out empty are dropped the library's way (swapped with the last one).
        var sentences = sentencesForTraining()
        guard !sentences.isEmpty else { throw SentencePieceError.invalidTrainerOptions("no sentences to train on") }
        summary.sentences = sentences.count

        // Required characters: by frequency until character_coverage; the rest become U+2585.
        var counts: [UInt32: Int64] = [:]
        var total: Int64 = 0
        for (text, frequency) in sentences {
            for scalar in String(decoding: text, as: UTF8.self).unicodeScalars where scalar.value != 0x20 {
                counts[scalar.value, default: 0] += frequency
                total += frequency
            }
        }
        var required: [UInt32: Int64] = [:]
        var accumulated: Int64 = 0
        for (character, count) in counts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            if Double(accumulated) / Double(total) >= options.characterCoverage { break }
            accumulated += count
            if character == Self.boundaryCharacter { continue }
            required[character] = count
        }
        summary.characterCoverage = Double(accumulated) / Double(max(total, 1))
        summary.requiredCharacters = required.count
        guard required.count + metaPieces.count <= options.vocabSize else {
            throw SentencePieceError.invalidTrainerOptions("Vocabulary size is smaller than required_chars. \(options.vocabSize) vs \(required.count + metaPieces.count). Increase vocab_size or decrease character_coverage with --character_coverage option.")
        }
        let scripts = UnicodeScripts.scripts(of: Array(required.keys))
        var characterSentences: [[UInt32]] = sentences.map { sentence in
            String(decoding: sentence.text, as: UTF8.self).unicodeScalars.map { required[$0.value] != nil ? $0.value : Self.unknownCharacter }
        }
        for index in sentences.indices { sentences[index].text = Self.utf8(characterSentences[index]) }

        let seeds = makeSeedPieces(characterSentences, frequencies: sentences.map(\.frequency), scripts: scripts)
        summary.seedPieces = seeds.count
        characterSentences = []
        var vocabulary = UnigramVocabulary(seeds)
        let words = options.splitByWhitespace ? splitByWhitespace(sentences) : sentences
        let desiredSize = Int(Double(options.vocabSize) * 1.1)
        while true {
            for _ in 0..<options.numSubIterations {
                let expected = expectations(vocabulary, words)
                vocabulary = UnigramVocabulary(Self.maximization(vocabulary, expected))
            }
            summary.emRounds += 1
            if vocabulary.count <= desiredSize { break }
            vocabulary = UnigramVocabulary(prune(vocabulary, words, desiredSize: desiredSize))
        }
        let final = finalize(vocabulary, required: required)
        let model = try serialize(final)
        summary.pieces = final.count + metaPieces.count
        return (model, summary)
    }

    private func sentencesForTraining() -> [(text: [UInt8], frequency: Int64)] {
        var sentences = self.sentences
        var index = 0
        while index < sentences.count {
            if sentences[index].text.isEmpty {
                sentences.swapAt(index, sentences.count - 1)
                sentences.removeLast()
            }
            index += 1
        }
        return sentences
    }

    static func utf8(_ characters: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count * 3)
        var origins: [Int32] = []
        characters.withUnsafeBufferPointer { UTF8Text.append($0, to: &bytes, origins: &origins) }
        return bytes
    }

    // MARK: Seeds

    /// `MakeSeedSentencePieces`: every character (by frequency), then the `seed_sentencepiece_size` best valid
    /// substrings (occurrences × length) of the suffix tree's internal nodes; scores become log probabilities.
    private func makeSeedPieces(_ sentences: [[UInt32]], frequencies: [Int64], scripts: [UInt32: Int16]) -> ScoredPieces {
        var text: [UInt32] = []
        var characterCounts: [UInt32: Int64] = [:]
        for (sentence, frequency) in zip(sentences, frequencies) {
            for character in sentence {
                text.append(character)
                if character != Self.unknownCharacter && character != 0 { characterCounts[character, default: 0] += frequency }
            }
            text.append(0)
        }
        var seeds: [(piece: [UInt8], score: Float)] = characterCounts
            .map { (piece: Self.utf8([$0.key]), count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.piece.lexicographicallyPrecedes($1.piece) }
            .map { ($0.piece, Float($0.count)) }

        let nodes = SuffixArray(text).internalNodes(of: text)
        var candidates: [(node: Int, score: Int64)] = []
        for (index, node) in nodes.enumerated() {
            let start = Int(node.start), length = Int(node.depth)
            guard length > 1, start + length < text.count else { continue }
            let substring = text[start..<(start + length)]
            guard !substring.contains(0), isValidPiece(substring, scripts: scripts) else { continue }
            candidates.append((index, Int64(node.count) * Int64(length)))
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.node < $1.node }
        for candidate in candidates.prefix(options.seedSentencePieceSize) {
            let node = nodes[candidate.node]
            seeds.append((Self.utf8(Array(text[Int(node.start)..<Int(node.start + node.depth)])), Float(candidate.score)))
        }
        // ToLogProb: a float sum, logs in double.
        var sum: Float = 0
        for seed in seeds { sum += seed.score }
        let logSum = log(Double(sum))
        return seeds.map { ($0.piece, Float(log(Double($0.score)) - logSum)) }
    }

    /// `IsValidSentencePiece`: length, no reserved characters, `▁` only where whitespace may go, and (by the split
    /// options) no mix of scripts or of digits and other characters.
    func isValidPiece<C: Collection>(_ piece: C, scripts: [UInt32: Int16]) -> Bool where C.Element == UInt32 {
        guard !piece.isEmpty, piece.count <= options.maxSentencePieceLength else { return false }
        let any: Int16 = -1
        var previous = any
        let allWhitespace = piece.allSatisfy { $0 == Self.spaceCharacter }
        let last = piece.count - 1
        for (position, character) in piece.enumerated() {
            if character == Self.unknownCharacter || character == 0 || character == Self.boundaryCharacter
                || character == 0x20 || character > 0x10FFFF || (0xD800...0xDFFF).contains(character) {
                return false
            }
            if character == Self.spaceCharacter {
                if !options.allowWhitespaceOnlyPieces || !allWhitespace {
                    if options.treatWhitespaceAsSuffix {
                        if (options.splitByWhitespace && position < last) || (!options.splitByWhitespace && position < last && position == 0) { return false }
                    } else {
                        if (options.splitByWhitespace && position > 0) || (!options.splitByWhitespace && position > 0 && position == last) { return false }
                    }
                }
                continue
            }
            var script = scripts[character] ?? UnicodeScripts.common
            if script == UnicodeScripts.hiragana || script == UnicodeScripts.katakana || character == 0x30FC {
                script = UnicodeScripts.han
            } else if script == UnicodeScripts.inherited {
                script = previous
            }
            let isDigit = (0x30...0x39).contains(character) || (0xFF10...0xFF19).contains(character)
            if !options.splitByNumber && isDigit { script = any }
            if options.splitDigits && isDigit && piece.count > 1 { return false }
            if options.splitByUnicodeScript && script != any && previous != any && previous != script { return false }
            previous = script
        }
        return true
    }

    /// `SplitSentencesByWhitespace`: the words (each starting, or with `treat_whitespace_as_suffix` ending, at `▁`)
    /// and their total frequencies, most frequent first.
    private func splitByWhitespace(_ sentences: [(text: [UInt8], frequency: Int64)]) -> [(text: [UInt8], frequency: Int64)] {
        var words: [[UInt8]: Int64] = [:]
        let space = SentencePieceNormalizer.spaceSymbol
        for (text, frequency) in sentences {
            var current: [UInt8] = []
            var inSpaces = false
            var position = 0
            func isSpace(_ at: Int) -> Bool { at + 3 <= text.count && text[at] == space[0] && text[at + 1] == space[1] && text[at + 2] == space[2] }
            while position < text.count {
                let length = min(UTF8Text.sequenceLength(text[position]), text.count - position)
                let space = length == 3 && isSpace(position)
                if options.treatWhitespaceAsSuffix {
                    if space {
                        inSpaces = true
                    } else if inSpaces {
                        if options.allowWhitespaceOnlyPieces { words[current, default: 0] += frequency; current = [] }
                        inSpaces = false
                    }
                    current.append(contentsOf: text[position..<(position + length)])
                    if position + length < text.count && space && !options.allowWhitespaceOnlyPieces {
                        words[current, default: 0] += frequency
                        current = []
                    }
                } else {
                    if position == 0 || (space && (!inSpaces || !options.allowWhitespaceOnlyPieces)) {
                        if position > 0 { words[current, default: 0] += frequency }
                        current = []
                        inSpaces = true
                    }
                    if inSpaces && !space { inSpaces = false }
                    current.append(contentsOf: text[position..<(position + length)])
                }
                position += length
            }
            if !current.isEmpty || !text.isEmpty { words[current, default: 0] += frequency }
        }
        return words.map { (text: $0.key, frequency: $0.value) }
            .sorted { $0.frequency != $1.frequency ? $0.frequency > $1.frequency : $0.text.lexicographicallyPrecedes($1.text) }
    }

    // MARK: EM

    /// Runs `body(share, result)` for each of `numThreads` interleaved shares, concurrently.
    private func forEachShare<Result: Sendable>(_ makeResult: () -> Result,
                                                _ body: @escaping @Sendable (Int, inout Result) -> Void) -> [Result] {
        var results = (0..<options.numThreads).map { _ in makeResult() }
        results.withUnsafeMutableBufferPointer { buffer in
            let results = SharedPointer(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: buffer.count) { share in body(share, &results.base[share]) }
        }
        return results
    }

    /// The E-step: each piece's expected count over all words.
    private func expectations(_ vocabulary: UnigramVocabulary, _ words: [(text: [UInt8], frequency: Int64)]) -> [Float] {
        let shares = options.numThreads
        let results = forEachShare({ [Float](repeating: 0, count: vocabulary.count) }) { share, expected in
            var lattice = UnigramVocabulary.Lattice()
            var index = share
            while index < words.count {
                words[index].text.withUnsafeBufferPointer { vocabulary.populate($0, into: &lattice) }
                _ = vocabulary.addMarginals(&lattice, frequency: Float(words[index].frequency), to: &expected)
                index += shares
            }
        }
        var expected = results[0]
        for share in 1..<shares {
            for id in expected.indices { expected[id] += results[share][id] }
        }
        return expected
    }

    /// The M-step: pieces expected fewer than 0.5 times go; scores become digamma(count) − digamma(total).
    private static func maximization(_ vocabulary: UnigramVocabulary, _ expected: [Float]) -> ScoredPieces {
        var kept: ScoredPieces = []
        var sum: Float = 0
        for id in expected.indices where expected[id] >= 0.5 {
            kept.append((vocabulary.pieces[id], expected[id]))
            sum += expected[id]
        }
        let logSum = digamma(Double(sum))
        return kept.map { ($0.piece, Float(digamma(Double($0.score)) - logSum)) }
    }

    static func digamma(_ value: Double) -> Double {
        var x = value
        var result = 0.0
        while x < 7 { result -= 1 / x; x += 1 }
        x -= 0.5
        let xx = 1 / x, xx2 = xx * xx, xx4 = xx2 * xx2
        result += log(x) + (1.0 / 24.0) * xx2 - (7.0 / 960.0) * xx4 + (31.0 / 8064.0) * xx4 * xx2 - (127.0 / 30720.0) * xx4 * xx4
        return result
    }

    // MARK: Pruning

    /// `PruneSentencePieces`: drops pieces whose Viterbi segmentation is split anyway, then keeps the pieces whose
    /// removal (their occurrences re-segmented by their second-best path) costs the most likelihood, down to
    /// max(desired size, shrinking factor × size).
    private func prune(_ vocabulary: UnigramVocabulary, _ words: [(text: [UInt8], frequency: Int64)], desiredSize: Int) -> ScoredPieces {
        let count = vocabulary.count
        var alwaysKeep = [Bool](repeating: true, count: count)
        var alternatives = [[Int32]](repeating: [], count: count)
        var lattice = UnigramVocabulary.Lattice()
        for id in 0..<count {
            vocabulary.pieces[id].withUnsafeBufferPointer { vocabulary.populate($0, into: &lattice) }
            let best = vocabulary.twoBest(&lattice)
            if best.count == 1 {
                alwaysKeep[id] = true
            } else if best[0].count >= 2 {
                alwaysKeep[id] = false
            } else if best[0].count == 1 {
                alwaysKeep[id] = true
                alternatives[id] = best[1]
            }
        }

        struct Share { var total: Float = 0; var frequencies: [Float]; var inverted: [[Int32]] }
        let shares = options.numThreads
        let results = forEachShare({ Share(frequencies: [Float](repeating: 0, count: count), inverted: [[Int32]](repeating: [], count: count)) }) { share, result in
            var lattice = UnigramVocabulary.Lattice()
            var index = share
            while index < words.count {
                words[index].text.withUnsafeBufferPointer { vocabulary.populate($0, into: &lattice) }
                result.total += Float(words[index].frequency)
                for id in vocabulary.viterbi(&lattice) where id >= 0 {
                    result.frequencies[Int(id)] += Float(words[index].frequency)
                    result.inverted[Int(id)].append(Int32(index))
                }
                index += shares
            }
        }
        var total: Float = 0
        var frequencies = [Float](repeating: 0, count: count)
        var inverted = [[Int32]](repeating: [], count: count)
        for result in results {
            total += result.total
            for id in 0..<count {
                frequencies[id] += result.frequencies[id]
                inverted[id].append(contentsOf: result.inverted[id])
            }
        }

        var sum: Float = 0
        for frequency in frequencies { sum += frequency }
        let logSum = Float(log(Double(sum)))
        var candidates: [(id: Int, loss: Float)] = []
        var kept: ScoredPieces = []
        for id in 0..<count {
            if frequencies[id] == 0 || !alwaysKeep[id] { continue }
            if alternatives[id].isEmpty {
                kept.append((vocabulary.pieces[id], vocabulary.scores[id]))
                continue
            }
            var share: Float = 0
            for word in inverted[id] { share += Float(words[Int(word)].frequency) }
            share /= total
            let logProbability = Float(log(Double(frequencies[id]))) - logSum
            let logSumAlternative = Float(log(Double(sum + frequencies[id] * Float(alternatives[id].count - 1))))
            var logProbabilityAlternative: Float = 0
            for alternative in alternatives[id] {
                logProbabilityAlternative += Float(log(Double(frequencies[Int(alternative)] + frequencies[id]))) - logSumAlternative
            }
            candidates.append((id, share * (logProbability - logProbabilityAlternative)))
        }
        let prunedSize = max(desiredSize, Int(options.shrinkingFactor * Float(count)))
        candidates.sort { $0.loss != $1.loss ? $0.loss > $1.loss : $0.id < $1.id }
        for candidate in candidates {
            if kept.count == prunedSize { break }
            kept.append((vocabulary.pieces[candidate.id], vocabulary.scores[candidate.id]))
        }
        return kept
    }

    // MARK: Final vocabulary

    /// `FinalizeSentencePieces`: the required characters (a missing one just below the lowest score, frequent ones
    /// first), then the best pieces up to `vocab_size` minus the meta pieces; sorted by score.
    private func finalize(_ vocabulary: UnigramVocabulary, required: [UInt32: Int64]) -> ScoredPieces {
        var scores: [[UInt8]: Float] = [:]
        for id in 0..<vocabulary.count { scores[vocabulary.pieces[id]] = vocabulary.scores[id] }
        var final: [[UInt8]: Float] = [:]
        var penalty: Float = 0
        for (character, _) in required.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            let piece = Self.utf8([character])
            if let score = scores[piece] {
                final[piece] = score
            } else {
                final[piece] = vocabulary.minimumScore + penalty
                penalty += 0.0001
            }
        }
        let wanted = options.vocabSize - metaPieces.count
        let byScore = (0..<vocabulary.count).sorted {
            vocabulary.scores[$0] != vocabulary.scores[$1] ? vocabulary.scores[$0] > vocabulary.scores[$1]
                : vocabulary.pieces[$0].lexicographicallyPrecedes(vocabulary.pieces[$1])
        }
        for id in byScore {
            if final[vocabulary.pieces[id]] != nil { continue }
            if final.count >= wanted { break }
            final[vocabulary.pieces[id]] = vocabulary.scores[id]
        }
        return final.map { (piece: $0.key, score: $0.value) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.piece.lexicographicallyPrecedes($1.piece) }
    }
}

/// A pointer handed to concurrent shares, each of which writes only its own element.
private struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}
