/// Turns the sentences of one index-map row into a training sample exactly as PaddleNLP's `ErnieDataset` does
/// (`build_training_sample`: `get_a_and_b_segments`, `truncate_segments`, `create_tokens_and_tokentypes`,
/// `create_masked_lm_predictions` with whole-word, n-gram and `to_chinese_char` masking), drawing from a numpy
/// `RandomState((seed + row) % 2³²)` in the same order, so a sample depends only on (seed, row).
public struct MaskedSampleBuilder: Sendable {
    public let vocabulary: MaskingVocabulary
    public let settings: MaskingSettings
    /// numpy's `cdf` for `choice(ngrams, p=pvals)`: p ∝ 1/n, normalised twice as PaddleNLP does, reversed when
    /// favouring longer n-grams.
    let ngramCumulative: [Double]

    public init(vocabulary: MaskingVocabulary, settings: MaskingSettings) throws {
        guard settings.maxNgrams >= 1 else { throw DataError.invalidArgument(name: "--max_ngrams", reason: "must be ≥ 1") }
        guard settings.maskedLMProb >= 0, settings.maskedLMProb <= 1 else {
            throw DataError.invalidArgument(name: "--masked_lm_prob", reason: "\(settings.maskedLMProb) is not in [0, 1]")
        }
        guard settings.maxSeqLen >= 5 else { throw DataError.invalidArgument(name: "--max_seq_len", reason: "must be ≥ 5") }
        self.vocabulary = vocabulary
        self.settings = settings
        var pvals = (1...settings.maxNgrams).map { 1.0 / Double($0) }
        let total = NumpyArithmetic.pairwiseSum(pvals[...])
        pvals = pvals.map { $0 / total }
        if settings.favorLongerNgram { pvals.reverse() }
        let again = NumpyArithmetic.pairwiseSum(pvals[...])
        let p = pvals.map { $0 / again }
        var cumulative: [Double] = []
        var running = 0.0
        for value in p {
            running += value
            cumulative.append(running)
        }
        let last = cumulative.last!
        ngramCumulative = cumulative.map { $0 / last }
    }

    /// Builds the sample for corpus tokens `tokens` (the row's sentences concatenated; `sentenceLengths` splits them).
    /// - Parameters:
    ///   - targetLength: the row's target length (≤ max_seq_len − 3).
    ///   - seed: `(seed + row) % 2³²`.
    ///   - source: the ids file, for errors.
    ///   - randomSegment: NSP only — tokens of a random other document's span, given the generator and the length
    ///     wanted; nil when the split has no other document.
    /// - Throws: `DataError.vocabularyMismatch` for ids outside the vocabulary, `.unusableData` for a one-sentence
    ///   row with a pair objective.
    public func build(
        tokens: [Int32], sentenceLengths: [Int], targetLength: Int, seed: UInt32, source: String,
        randomSegment: ((inout NumpyRandomState, Int) -> [Int32]?)? = nil
    ) throws -> PretrainingSample {
        for id in tokens where id < 0 || Int(id) >= vocabulary.idCount {
            throw DataError.vocabularyMismatch(
                path: source, reason: "id \(id) is outside the vocabulary's \(vocabulary.idCount) ids (\(vocabulary.baseCount) + ##CJK extension)")
        }
        var random = NumpyRandomState(seed: seed)
        var segmentA: [Int32], segmentB: [Int32]
        var label: Int32 = 0
        switch settings.pairObjective {
        case .sentenceOrder, .nextSentence:
            let count = sentenceLengths.count
            guard count > 1 else {
                throw DataError.unusableData(
                    reason: "a sample of \(source) has one sentence but the pair objective needs two",
                    fix: "split documents into sentences, or pass --binary_head false")
            }
            let aEnd = count >= 3 ? random.randint(1, count) : 1
            let split = sentenceLengths[0..<aEnd].reduce(0, +)
            segmentA = Array(tokens[0..<split])
            segmentB = Array(tokens[split...])
            if settings.pairObjective == .sentenceOrder {
                if random.random() < 0.5 {
                    swap(&segmentA, &segmentB)
                    label = 1
                }
            } else if random.random() < 0.5, let replacement = randomSegment?(&random, targetLength - segmentA.count) {
                segmentB = replacement
                label = 1
            }
        case .none:
            segmentA = tokens
            segmentB = []
        }
        guard !segmentA.isEmpty else {
            throw DataError.unusableData(reason: "a sample of \(source) has an empty first segment", fix: "remove empty sentences")
        }
        // truncate_segments: shrink the longer segment (ties: B), dropping its front or back at random.
        var aRange = 0..<segmentA.count, bRange = 0..<segmentB.count
        while aRange.count + bRange.count > targetLength {
            let front = { (range: Range<Int>) in (range.lowerBound + 1)..<range.upperBound }
            let back = { (range: Range<Int>) in range.lowerBound..<(range.upperBound - 1) }
            if aRange.count > bRange.count {
                aRange = random.random() < 0.5 ? front(aRange) : back(aRange)
            } else {
                bRange = random.random() < 0.5 ? front(bRange) : back(bRange)
            }
        }
        var inputIds: [Int32] = [vocabulary.clsId]
        inputIds.reserveCapacity(aRange.count + bRange.count + 3)
        inputIds += segmentA[aRange]
        inputIds.append(vocabulary.sepId)
        var tokenTypes = [Int32](repeating: 0, count: inputIds.count)
        if !bRange.isEmpty {
            inputIds += segmentB[bRange]
            inputIds.append(vocabulary.sepId)
            tokenTypes += [Int32](repeating: 1, count: bRange.count + 1)
        }
        var sample = PretrainingSample(
            inputIds: inputIds, tokenTypeIds: tokenTypes, maskedPositions: [], maskedLabels: [], sentenceOrderLabel: label)
        mask(&sample, targetLength: targetLength, random: &random)
        return sample
    }

    /// `create_masked_lm_predictions(…, do_whole_word_mask=True, to_chinese_char=True)`.
    func mask(_ sample: inout PretrainingSample, targetLength: Int, random: inout NumpyRandomState) {
        let tokens = sample.inputIds
        let count = tokens.count
        // Candidate words: a `##` piece joins the previous candidate (even across [SEP], as in PaddleNLP).
        var candidateStarts: [Int] = []
        var candidatePositions: [Int] = []
        candidateStarts.reserveCapacity(count + 1)
        candidatePositions.reserveCapacity(count)
        var output = tokens
        for (position, token) in tokens.enumerated() {
            if token == vocabulary.clsId || token == vocabulary.sepId { continue }
            var continuation = vocabulary.isContinuation[Int(token)]
            if continuation, let endsWithLetter = vocabulary.endsWithLetter {
                continuation = position > 0 && endsWithLetter[Int(tokens[position - 1])]
            }
            if !candidateStarts.isEmpty && continuation {
                candidatePositions.append(position)
            } else {
                candidateStarts.append(candidatePositions.count)
                candidatePositions.append(position)
            }
            if continuation { output[position] = vocabulary.characterId[Int(token)] }
        }
        let candidates = candidateStarts.count
        candidateStarts.append(candidatePositions.count)
        sample.inputIds = output
        guard settings.maskedLMProb > 0 else { return }

        let original = output
        let budget = min(
            settings.maskedLMProb * Double(targetLength),
            max(1, (Double(count) * settings.maskedLMProb).rounded(.toNearestOrEven)))
        var order = Array(0..<candidates)
        random.shuffle(&order)
        var covered = [Bool](repeating: false, count: count)
        var masked: [(position: Int, label: Int32)] = []
        for start in order {
            if Double(masked.count) >= budget { break }
            // The span of n words starting at candidate `start` (fewer at the end), as a range of candidatePositions.
            func span(_ n: Int) -> Range<Int> { candidateStarts[start]..<candidateStarts[min(start + n, candidates)] }
            var n = random.choice(cumulative: ngramCumulative) + 1
            var positions = span(n)
            n -= 1
            while Double(masked.count + positions.count) > budget {
                if n == 0 { break }
                positions = span(n)
                n -= 1
            }
            if Double(masked.count + positions.count) > budget { continue }
            if positions.contains(where: { covered[candidatePositions[$0]] }) { continue }
            for index in positions {
                let position = candidatePositions[index]
                covered[position] = true
                let replacement: Int32
                if random.random() < 0.8 {
                    replacement = vocabulary.maskId
                } else if random.random() < 0.5 {
                    replacement = output[position]
                } else {
                    replacement = Int32(random.randint(0, vocabulary.baseCount))
                }
                output[position] = replacement
                masked.append((position, original[position]))
            }
        }
        // PaddleNLP shuffles the n-grams once more here; nothing draws afterwards, so that draw is skipped.
        masked.sort { $0.position < $1.position }
        sample.inputIds = output
        sample.maskedPositions = masked.map { Int32($0.position) }
        sample.maskedLabels = masked.map { $0.label }
    }
}
