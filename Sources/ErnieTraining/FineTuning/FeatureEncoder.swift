import ErnieModels
import ErnieText
import Foundation

/// Turns examples into model rows with the task's targets (HF run_glue / run_ner / run_qa / run_swag preprocessing),
/// counting skipped, truncated and unmappable inputs in `issues` instead of failing.
public struct FeatureEncoder {
    public let tokenizer: any TextTokenizer
    public let maxSeqLength: Int
    public let issues: DataIssues

    public init(tokenizer: any TextTokenizer, maxSeqLength: Int, issues: DataIssues) {
        self.tokenizer = tokenizer
        self.maxSeqLength = maxSeqLength
        self.issues = issues
    }

    // MARK: - Sequence classification

    /// One feature per example. With `requireLabels` (training, evaluation) examples without a usable label or with an
    /// empty text are skipped; otherwise (prediction) every example is kept, and a single known class label is still
    /// attached so a labelled test file gets metrics (unknown or missing labels are simply predicted).
    /// - Returns: the features and, for each, the index of its example in `examples`.
    public func sequenceFeatures(_ examples: [SequenceExample], labels: LabelSpace, requireLabels: Bool) throws -> [EncodedFeature] {
        var features: [EncodedFeature] = []
        features.reserveCapacity(examples.count)
        for (index, example) in examples.enumerated() {
            var feature = EncodedFeature(rows: [], exampleIndex: index)
            if requireLabels {
                guard !example.text.allSatisfy(\.isWhitespace) else {
                    issues.note(DataIssue.emptyText, file: example.file, line: example.line)
                    continue
                }
                guard let names = example.labels, !names.isEmpty || labels.problem == .multiLabelClassification else {
                    issues.note(DataIssue.missingLabel, file: example.file, line: example.line)
                    continue
                }
                switch labels.problem {
                case .regression:
                    guard names.count == 1, let value = Float(names[0]) else {
                        issues.note(DataIssue.unknownLabel, file: example.file, line: example.line, detail: "\"\(names.joined(separator: ","))\" is not a number")
                        continue
                    }
                    feature.values = [value]
                case .singleLabelClassification:
                    guard names.count == 1, let id = labels.index(of: names[0]) else {
                        issues.note(DataIssue.unknownLabel, file: example.file, line: example.line, detail: "\"\(names.joined(separator: ","))\"")
                        continue
                    }
                    feature.classLabel = Int32(id)
                case .multiLabelClassification:
                    var hot = [Float](repeating: 0, count: labels.count)
                    let missing = names.filter { labels.index(of: $0) == nil }
                    guard missing.isEmpty else {
                        issues.note(DataIssue.unknownLabel, file: example.file, line: example.line, detail: "\"\(missing[0])\"")
                        continue
                    }
                    for name in names { hot[labels.index(of: name)!] = 1 }
                    feature.values = hot
                }
            } else if labels.problem == .singleLabelClassification, let names = example.labels, names.count == 1,
                      let id = labels.index(of: names[0]) {
                feature.classLabel = Int32(id)
            }
            let encoding = try tokenizer.encode(example.text, pair: example.pair, truncation: Truncation(maxLength: maxSeqLength))
            if !encoding.overflowing.isEmpty { issues.note(DataIssue.truncated, file: example.file, line: example.line) }
            feature.rows = [TokenRow(encoding)]
            features.append(feature)
        }
        return features
    }

    // MARK: - Token classification

    /// One feature per example: the words are tokenized as if pre-split (HF `is_split_into_words`): joined by spaces,
    /// which BERT's pre-tokenizer always splits on, and each token mapped back to its word by offset. The first token of
    /// a word carries the word's label, later ones −100 (HF's `label_all_tokens=False`). Inputs longer than
    /// max_seq_length lose their last tokens (counted); words that give no token (e.g. a lone space character) are
    /// counted and predicted `O`.
    public func tokenFeatures(_ examples: [TokenClassificationExample], labels: LabelSpace, requireLabels: Bool) throws -> [EncodedFeature] {
        let cls = Int32(tokenizer.vocabulary[tokenizer.classifierToken]!), sep = Int32(tokenizer.vocabulary[tokenizer.separatorToken]!)
        var features: [EncodedFeature] = []
        for (index, example) in examples.enumerated() {
            if requireLabels {
                guard !example.tokens.isEmpty else { issues.note(DataIssue.emptyText, file: example.file, line: example.line); continue }
                guard example.labels.count == example.tokens.count else {
                    issues.note(DataIssue.missingLabel, file: example.file, line: example.line)
                    continue
                }
                if let unknown = example.labels.first(where: { labels.index(of: $0) == nil }) {
                    issues.note(DataIssue.unknownLabel, file: example.file, line: example.line, detail: "\"\(unknown)\"")
                    continue
                }
            }
            var text = "", wordStarts: [Int] = []
            var offset = 0
            for word in example.tokens {
                if !text.isEmpty { text += " "; offset += 1 }
                wordStarts.append(offset)
                text += word
                offset += word.unicodeScalars.count
            }
            let pieces = tokenizer.pieces(of: text)
            let room = maxSeqLength - 2
            if pieces.count > room { issues.note(DataIssue.truncated, file: example.file, line: example.line) }
            let kept = min(room, pieces.count)
            var ids: [Int32] = [cls], wordIndices: [Int?] = [nil], tokenLabels: [Int32] = [-100]
            var word = 0, lastWord = -1
            var seenWords = 0
            for position in 0..<kept {
                let start = Int(pieces.starts[position])
                while word + 1 < wordStarts.count && wordStarts[word + 1] <= start { word += 1 }
                ids.append(pieces.ids[position])
                if word != lastWord {
                    wordIndices.append(word)
                    tokenLabels.append(requireLabels ? Int32(labels.index(of: example.labels[word])!) : -100)
                    lastWord = word
                    seenWords += 1
                } else {
                    wordIndices.append(nil)
                    tokenLabels.append(-100)
                }
            }
            ids.append(sep); wordIndices.append(nil); tokenLabels.append(-100)
            if kept == pieces.count && seenWords < example.tokens.count {
                issues.note(DataIssue.wordsWithoutTokens, file: example.file, line: example.line)
            }
            var feature = EncodedFeature(rows: [TokenRow(inputIds: ids, tokenTypeIds: [Int32](repeating: 0, count: ids.count))],
                                         exampleIndex: index)
            feature.wordIndices = wordIndices
            feature.tokenLabels = tokenLabels
            features.append(feature)
        }
        return features
    }

    // MARK: - Question answering

    /// Windows of `[CLS] question [SEP] context [SEP]` over long contexts (HF run_qa: `truncation="only_second"`,
    /// `stride=doc_stride`), questions cut to `maxQueryLength` tokens. For training, each window's start/end token
    /// is the answer's when the window holds all of it, else the [CLS] (0); examples whose answer text is not in the
    /// context are skipped for training. For evaluation (`training` false) every example is kept, and windows get
    /// positions when the example has answers (for the evaluation loss).
    public func questionAnsweringFeatures(_ examples: [QuestionAnsweringExample], docStride: Int, maxQueryLength: Int,
                                          training: Bool) throws -> [EncodedFeature] {
        var features: [EncodedFeature] = []
        for (index, example) in examples.enumerated() {
            let answer = example.firstAnswerRange
            let hasAnswers = !example.answers.isEmpty
            if training && answer == nil {
                issues.note(DataIssue.answerNotFound, file: example.file, line: 0, detail: "id \(example.id)")
                continue
            }
            var question = example.question
            let questionPieces = tokenizer.pieces(of: question)
            if questionPieces.count > maxQueryLength {
                let end = Int(questionPieces.ends[maxQueryLength - 1])
                question = String(String.UnicodeScalarView(question.unicodeScalars.prefix(end)))
            }
            let encoding: Encoding
            do {
                encoding = try tokenizer.encode(question, pair: example.context,
                                                truncation: Truncation(maxLength: maxSeqLength, strategy: .onlySecond, stride: docStride))
            } catch {
                issues.note(DataIssue.malformedLine, file: example.file, line: 0, detail: "id \(example.id): \(error)")
                continue
            }
            if encoding.overflowing.count > 0 { issues.note("contexts split into several windows", file: example.file, line: 0) }
            var answered = false
            for window in encoding.windows {
                var feature = EncodedFeature(rows: [TokenRow(window)], exampleIndex: index)
                let offsets: [Range<Int>?] = window.offsets.indices.map { window.sequenceIds[$0] == 1 ? window.offsets[$0] : nil }
                feature.contextOffsets = offsets
                if hasAnswers {
                    let context = offsets.indices.filter { offsets[$0] != nil }
                    var start: Int32 = 0, end: Int32 = 0
                    if let answer, let first = context.first, let last = context.last,
                       offsets[first]!.lowerBound <= answer.lowerBound, offsets[last]!.upperBound >= answer.upperBound {
                        let startToken = context.last { offsets[$0]!.lowerBound <= answer.lowerBound } ?? first
                        let endToken = context.first { offsets[$0]!.upperBound >= answer.upperBound } ?? last
                        start = Int32(startToken)
                        end = Int32(max(startToken, endToken))
                        answered = true
                    }
                    feature.startPosition = start
                    feature.endPosition = end
                }
                features.append(feature)
            }
            if training && !answered { issues.note(DataIssue.answerOutsideWindows, file: example.file, line: 0, detail: "id \(example.id)") }
        }
        return features
    }

    // MARK: - Multiple choice

    /// One row per choice: `[CLS] context [SEP] question+choice [SEP]` (longest-first truncation, as run_swag).
    /// Examples are padded to `choiceCount` rows with `[CLS] [SEP]` rows whose scores the model masks out.
    public func multipleChoiceFeatures(_ examples: [MultipleChoiceExample], choiceCount: Int, requireLabels: Bool) throws -> [EncodedFeature] {
        var features: [EncodedFeature] = []
        let empty = TokenRow(try tokenizer.encode(""))
        for (index, example) in examples.enumerated() {
            if requireLabels && example.label == nil { issues.note(DataIssue.missingLabel, file: example.file, line: example.line); continue }
            guard example.choices.count <= choiceCount else {
                issues.note("more choices than the model takes, example skipped", file: example.file, line: example.line)
                continue
            }
            var rows: [TokenRow] = []
            var truncated = false
            for choice in example.choices {
                let encoding = try tokenizer.encode(example.context, pair: example.question + choice, truncation: Truncation(maxLength: maxSeqLength))
                truncated = truncated || !encoding.overflowing.isEmpty
                rows.append(TokenRow(encoding))
            }
            if truncated { issues.note(DataIssue.truncated, file: example.file, line: example.line) }
            while rows.count < choiceCount { rows.append(empty) }
            var feature = EncodedFeature(rows: rows, exampleIndex: index)
            feature.classLabel = example.label.map { Int32($0) }
            feature.choiceCount = example.choices.count
            features.append(feature)
        }
        return features
    }
}
