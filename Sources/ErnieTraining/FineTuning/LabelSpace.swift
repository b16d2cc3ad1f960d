import ErnieModels
import Foundation

/// The classes of a classification task and how targets are formed (`problem_type`).
public struct LabelSpace: Sendable, Equatable {
    /// Names in class-id order (for regression: one placeholder name).
    public var labels: [String]
    public var problem: ProblemType
    private var indexByName: [String: Int]

    public init(labels: [String], problem: ProblemType) {
        self.labels = labels
        self.problem = problem
        indexByName = Dictionary(labels.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func index(of label: String) -> Int? { indexByName[label] }

    public var count: Int { labels.count }

    /// Resolves the label list: `--label_list` file first, then config.json's labels unless they are HF's defaults
    /// (`LABEL_0` …) or the config came from a checkpoint of another head, then the data's labels sorted (as HF's
    /// run_glue / run_ner do; integers by value).
    /// - Parameters:
    ///   - dataLabels: every label name met in the training (or, without training, validation) data.
    ///   - configIsHeadOfThisTask: whether config.json belongs to a model with this task's head (its id2label is then
    ///     the trained classifier's).
    public static func resolve(file: String?, config: BertConfig, configIsHeadOfThisTask: Bool, dataLabels: Set<String>,
                               problem: ProblemType) throws -> LabelSpace {
        if problem == .regression { return LabelSpace(labels: ["LABEL_0"], problem: .regression) }
        if let file {
            let labels = try readLabelList(path: file)
            guard !labels.isEmpty else { throw DatasetError(file: file, "the label list is empty") }
            return LabelSpace(labels: labels, problem: problem)
        }
        let configLabels = config.labels
        let isDefault = configLabels == (0..<configLabels.count).map { "LABEL_\($0)" }
        if configIsHeadOfThisTask && !isDefault { return LabelSpace(labels: configLabels, problem: problem) }
        guard !dataLabels.isEmpty else {
            if configIsHeadOfThisTask { return LabelSpace(labels: configLabels, problem: problem) }
            throw TrainingError.missingInput("no labels: the data has none and the model is not a trained classifier; pass --label_list")
        }
        // Integer labels sort by value ("2" before "10"), others by code points.
        let integers = dataLabels.compactMap { Int($0) }
        let sorted = integers.count == dataLabels.count ? integers.sorted().map(String.init) : dataLabels.sorted()
        return LabelSpace(labels: sorted, problem: problem)
    }
}
