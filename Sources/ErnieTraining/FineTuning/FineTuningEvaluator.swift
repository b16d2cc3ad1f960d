import ErnieBasics
import ErnieEngine
import ErnieModels
import Foundation

/// The outcome of running the model over a split: metrics (unprefixed: `loss`, `accuracy`, `f1` …) and one JSON
/// prediction object per example.
public struct EvaluationResult {
    public var metrics: [(name: String, value: Double)]
    /// One JSON object (text) per example, in example order.
    public var predictions: [String]
    /// Single-label classification: the predicted class id and its probability per feature.
    public var classes: [(label: Int, confidence: Double)] = []
    /// QA: question id → answer text (the official scripts' prediction file).
    public var answers: [String: String]?

    public func metric(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }
}

/// Batched inference with the task's decoding and metrics (the metrics branch's implementations).
public struct FineTuningEvaluator {
    public let model: FineTuningModel
    public let labels: LabelSpace?
    public let configuration: FineTuningConfiguration
    public let padId: Int32
    public var precision: MatmulPrecision = .fp32

    public init(model: FineTuningModel, labels: LabelSpace?, configuration: FineTuningConfiguration, padId: Int32) {
        self.model = model
        self.labels = labels
        self.configuration = configuration
        self.padId = padId
        precision = configuration.inferencePrecision ?? (configuration.useAmp ? .bf16 : .fp32)
    }

    /// Runs every feature in order; the loss (HF's: batch means weighted by batch size) when all features have
    /// targets, and the task's metrics when the examples are labelled.
    public func run(_ examples: TaskExamples, features: [EncodedFeature], batchSize: Int) throws -> EvaluationResult {
        var lossSum = 0.0, lossCount = 0
        var rowsOfLogits: [[Float]] = []      // per feature (seq-cls, MC: one row; QA: start logits)
        var endLogits: [[Float]] = []         // QA
        var tokenLogits: [[[Float]]] = []     // token-cls: per feature, per token
        var viterbi: [[Int]] = []             // token-cls + CRF: word tags per feature
        let withLoss = !features.isEmpty && features.allSatisfy(Self.hasTargets)
        // bf16 copies / int8 quantisations of the weights, made once per run (the weights may change between runs).
        let weightCache = WeightCache()
        var start = 0
        while start < features.count {
            let slice = Array(features[start..<min(features.count, start + batchSize)])
            start += slice.count
            let batch = FeatureBatch(slice, padId: padId)
            let out = try model(batch, graph: .inference(precision: precision, weightCache: weightCache), withLoss: withLoss)
            if let loss = out.loss {
                lossSum += Double(loss.values[0]) * Double(slice.count)
                lossCount += slice.count
            }
            let values = out.logits.values
            switch model.task {
            case .sequenceClassification, .multipleChoice:
                let width = values.count / slice.count
                for row in 0..<slice.count { rowsOfLogits.append(Array(values[(row * width)..<((row + 1) * width)])) }
            case .questionAnswering:
                let ends = out.endLogits!.values, length = batch.sequence
                for row in 0..<slice.count {
                    rowsOfLogits.append(Array(values[(row * length)..<((row + 1) * length)]))
                    endLogits.append(Array(ends[(row * length)..<((row + 1) * length)]))
                }
            case .tokenClassification:
                let classes = labels!.count, length = batch.sequence
                for row in 0..<slice.count {
                    tokenLogits.append((0..<slice[row].rows[0].inputIds.count).map { position in
                        let base = (row * length + position) * classes
                        return Array(values[base..<(base + classes)])
                    })
                }
                if model.crf != nil { viterbi += try model.decodeWords(batch, logits: out.logits) }
            }
        }
        var result = EvaluationResult(metrics: [], predictions: [])
        if lossCount > 0 { result.metrics.append(("loss", lossSum / Double(lossCount))) }
        switch examples {
        case .sequence(let e): sequenceResults(e, features: features, logits: rowsOfLogits, into: &result)
        case .token(let e): tokenResults(e, features: features, logits: tokenLogits, viterbi: viterbi, into: &result)
        case .questionAnswering(let e): questionAnsweringResults(e, features: features, start: rowsOfLogits, end: endLogits, into: &result)
        case .multipleChoice(let e): multipleChoiceResults(e, features: features, logits: rowsOfLogits, into: &result)
        }
        return result
    }

    static func hasTargets(_ feature: EncodedFeature) -> Bool {
        feature.classLabel != nil || feature.values != nil || feature.tokenLabels?.contains { $0 != -100 } == true
            || feature.startPosition != nil
    }

    // MARK: - Per task

    func sequenceResults(_ examples: [SequenceExample], features: [EncodedFeature], logits: [[Float]], into result: inout EvaluationResult) {
        let labels = labels!
        switch labels.problem {
        case .singleLabelClassification:
            var references: [Int] = [], predictions: [Int] = []
            for (feature, row) in zip(features, logits) {
                let probabilities = softmax(row)
                let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
                if let label = feature.classLabel { references.append(Int(label)); predictions.append(best) }
                result.classes.append((best, probabilities[best]))
                result.predictions.append(record(examples[feature.exampleIndex], fields: [
                    ("label", JSONWriter.quoted(labels.labels[best])), ("confidence", JSONWriter.number(probabilities[best]))]))
            }
            if !references.isEmpty {
                result.metrics += [("accuracy", accuracy(references: references, predictions: predictions)),
                                   ("f1_macro", f1Score(references: references, predictions: predictions, average: .macro,
                                                        labels: Array(0..<labels.count))),
                                   ("mcc", matthewsCorrelation(references: references, predictions: predictions))]
            }
        case .regression:
            var references: [Double] = [], predictions: [Double] = []
            for (feature, row) in zip(features, logits) {
                if let value = feature.values?.first { references.append(Double(value)); predictions.append(Double(row[0])) }
                result.predictions.append(record(examples[feature.exampleIndex], fields: [("value", JSONWriter.number(Double(row[0])))]))
            }
            if !references.isEmpty {
                let squared = zip(references, predictions).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                result.metrics += [("pearson", pearsonCorrelation(references, predictions)),
                                   ("spearmanr", spearmanCorrelation(references, predictions)),
                                   ("mse", squared / Double(references.count))]
            }
        case .multiLabelClassification:
            var exact = 0, labelled = 0
            var references: [Int] = [], predictions: [Int] = []   // per (example, label) 0/1 pairs for micro F1
            for (feature, row) in zip(features, logits) {
                let probabilities = sigmoid(row)
                let chosen = probabilities.indices.filter { probabilities[$0] >= 0.5 }
                if let targets = feature.values {
                    labelled += 1
                    if targets.indices.allSatisfy({ (targets[$0] >= 0.5) == (probabilities[$0] >= 0.5) }) { exact += 1 }
                    references += targets.map { $0 >= 0.5 ? 1 : 0 }
                    predictions += probabilities.map { $0 >= 0.5 ? 1 : 0 }
                }
                result.predictions.append(record(examples[feature.exampleIndex], fields: [
                    ("labels", "[" + chosen.map { JSONWriter.quoted(labels.labels[$0]) }.joined(separator: ", ") + "]"),
                    ("confidences", "[" + chosen.map { JSONWriter.number(probabilities[$0]) }.joined(separator: ", ") + "]")]))
            }
            if labelled > 0 {
                result.metrics += [("subset_accuracy", Double(exact) / Double(labelled)),
                                   ("f1_micro", f1Score(references: references, predictions: predictions, average: .micro, labels: [1]))]
            }
        }
    }

    func tokenResults(_ examples: [TokenClassificationExample], features: [EncodedFeature], logits: [[[Float]]], viterbi: [[Int]],
                      into result: inout EvaluationResult) {
        let labels = labels!
        let outside = labels.labels.contains("O") ? "O" : labels.labels[0]
        var references: [[String]] = [], predictions: [[String]] = []
        for (number, feature) in features.enumerated() {
            let example = examples[feature.exampleIndex]
            var predicted = [String](repeating: outside, count: example.tokens.count)
            var present: [Int] = []
            var confidence = [Double](repeating: 0, count: example.tokens.count)
            let starts = (feature.wordIndices ?? []).enumerated().compactMap { position, word in word.map { (position, $0) } }
            for (rank, (position, word)) in starts.enumerated() {
                let probabilities = softmax(logits[number][position])
                let tag = model.crf != nil ? viterbi[number][rank] : probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
                predicted[word] = labels.labels[tag]
                confidence[word] = probabilities[tag]
                present.append(word)
            }
            if example.labels.count == example.tokens.count {
                // HF run_ner scores the words that reached the model (truncated ones are left out of both sides).
                references.append(present.map { example.labels[$0] })
                predictions.append(present.map { predicted[$0] })
            }
            result.predictions.append("{\"line\": \(example.line), \"tokens\": [" + example.tokens.map { JSONWriter.quoted($0) }.joined(separator: ", ")
                + "], \"labels\": [" + predicted.map { JSONWriter.quoted($0) }.joined(separator: ", ") + "], \"confidences\": ["
                + confidence.map(JSONWriter.number).joined(separator: ", ") + "]}")
        }
        if !references.isEmpty {
            let scores = EntityScores(references: references, predictions: predictions)
            let flatReferences = references.flatMap { $0 }, flatPredictions = predictions.flatMap { $0 }
            result.metrics += [("precision", scores.micro.precision), ("recall", scores.micro.recall), ("f1", scores.micro.f1),
                               ("accuracy", accuracy(references: flatReferences, predictions: flatPredictions))]
        }
    }

    func questionAnsweringResults(_ examples: [QuestionAnsweringExample], features: [EncodedFeature], start: [[Float]], end: [[Float]],
                                  into result: inout EvaluationResult) {
        let windows = features.indices.map { (features[$0].exampleIndex, features[$0].contextOffsets ?? [], start[$0], end[$0]) }
        let candidates = QuestionAnsweringPostprocessing.candidates(
            contexts: examples.map(\.context), windows: windows, nBestSize: configuration.nBestSize, maxAnswerLength: configuration.maxAnswerLength)
        var answers: [String: String] = [:]
        for (example, list) in zip(examples, candidates) {
            let best = list.first
            answers[example.id] = best?.text ?? ""
            result.predictions.append("{\"id\": \(JSONWriter.quoted(example.id)), \"answer\": \(JSONWriter.quoted(best?.text ?? "")), "
                + "\"confidence\": \(JSONWriter.number(best?.probability ?? 0)), \"start\": \(best.map { "\($0.range.lowerBound)" } ?? "null")}")
        }
        result.answers = answers
        let references = examples.filter { !$0.answers.isEmpty }.map { (id: $0.id, answers: $0.answers) }
        if !references.isEmpty {
            let chinese = configuration.qaMetric.map { $0 == "cmrc2018" } ?? TaskExamples.questionAnswering(examples).looksChinese
            let scores = (chinese ? QAMetric.cmrc2018 : QAMetric.squadV1).evaluate(predictions: answers, references: references)
            result.metrics += [("exact_match", scores.exactMatch), ("f1", scores.f1)]
        }
    }

    func multipleChoiceResults(_ examples: [MultipleChoiceExample], features: [EncodedFeature], logits: [[Float]],
                               into result: inout EvaluationResult) {
        var references: [Int] = [], predictions: [Int] = []
        for (feature, row) in zip(features, logits) {
            let example = examples[feature.exampleIndex]
            let probabilities = softmax(Array(row.prefix(example.choices.count)))
            let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
            if let label = example.label { references.append(label); predictions.append(best) }
            result.predictions.append("{\"id\": \(JSONWriter.quoted(example.id)), \"label\": \(best), \"answer\": \(JSONWriter.quoted(example.choices[best])), "
                + "\"confidence\": \(JSONWriter.number(probabilities[best]))}")
        }
        if !references.isEmpty { result.metrics.append(("accuracy", accuracy(references: references, predictions: predictions))) }
    }

    func record(_ example: SequenceExample, fields: [(String, String)]) -> String {
        var parts = ["\"line\": \(example.line)", "\"text\": " + JSONWriter.quoted(example.text)]
        if let pair = example.pair { parts.append("\"text_pair\": " + JSONWriter.quoted(pair)) }
        return "{" + (parts + fields.map { "\"\($0.0)\": \($0.1)" }).joined(separator: ", ") + "}"
    }
}
