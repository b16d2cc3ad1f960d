import ErnieModels
import Foundation

/// The examples of one split, by task.
public enum TaskExamples {
    case sequence([SequenceExample])
    case token([TokenClassificationExample])
    case questionAnswering([QuestionAnsweringExample])
    case multipleChoice([MultipleChoiceExample])

    /// Reads `path` with the task's reader; malformed records go to `issues`.
    public static func read(_ task: FineTuningTask, path: String, issues: DataIssues) throws -> TaskExamples {
        switch task {
        case .sequenceClassification: .sequence(try SequenceExample.read(path: path, issues: issues))
        case .tokenClassification: .token(try TokenExamples.read(path: path, issues: issues))
        case .questionAnswering: .questionAnswering(try QuestionAnsweringExample.read(path: path, issues: issues))
        case .multipleChoice: .multipleChoice(try MultipleChoiceExample.read(path: path, issues: issues))
        }
    }

    public var count: Int {
        switch self {
        case .sequence(let e): e.count
        case .token(let e): e.count
        case .questionAnswering(let e): e.count
        case .multipleChoice(let e): e.count
        }
    }

    /// The first `limit` examples (HF's `--max_*_samples`).
    public func prefix(_ limit: Int?) -> TaskExamples {
        guard let limit, limit < count else { return self }
        switch self {
        case .sequence(let e): return .sequence(Array(e.prefix(limit)))
        case .token(let e): return .token(Array(e.prefix(limit)))
        case .questionAnswering(let e): return .questionAnswering(Array(e.prefix(limit)))
        case .multipleChoice(let e): return .multipleChoice(Array(e.prefix(limit)))
        }
    }

    /// Label names used (classification tasks).
    public var labelNames: Set<String> {
        switch self {
        case .sequence(let e): Set(e.flatMap { $0.labels ?? [] })
        case .token(let e): Set(e.flatMap(\.labels))
        default: []
        }
    }

    /// The most choices of any question (multiple choice).
    public var maxChoices: Int {
        if case .multipleChoice(let e) = self { return e.map(\.choices.count).max() ?? 0 }
        return 0
    }

    /// The problem type the labels suggest: multi-label for lists, regression for fractional numbers.
    public var inferredProblem: ProblemType? {
        guard case .sequence(let e) = self else { return nil }
        if e.contains(where: \.labelIsList) { return .multiLabelClassification }
        if e.contains(where: \.labelIsFraction) { return .regression }
        return nil
    }

    /// Whether most context characters are CJK (QA: CMRC 2018 scoring rather than SQuAD's).
    public var looksChinese: Bool {
        guard case .questionAnswering(let e) = self else { return false }
        var cjk = 0, total = 0
        for example in e.prefix(200) {
            for scalar in example.context.unicodeScalars where !scalar.properties.isWhitespace {
                total += 1
                if (0x4E00...0x9FFF).contains(scalar.value) { cjk += 1 }
            }
        }
        return total > 0 && cjk * 2 > total
    }

    /// Encodes the split. `requireLabels`: training / evaluation (unusable examples are skipped and counted).
    public func features(_ encoder: FeatureEncoder, labels: LabelSpace?, configuration c: FineTuningConfiguration,
                         choiceCount: Int, requireLabels: Bool) throws -> [EncodedFeature] {
        switch self {
        case .sequence(let e): try encoder.sequenceFeatures(e, labels: labels!, requireLabels: requireLabels)
        case .token(let e): try encoder.tokenFeatures(e, labels: labels!, requireLabels: requireLabels)
        case .questionAnswering(let e):
            try encoder.questionAnsweringFeatures(e, docStride: c.docStride, maxQueryLength: c.maxQueryLength, training: requireLabels)
        case .multipleChoice(let e): try encoder.multipleChoiceFeatures(e, choiceCount: choiceCount, requireLabels: requireLabels)
        }
    }
}
