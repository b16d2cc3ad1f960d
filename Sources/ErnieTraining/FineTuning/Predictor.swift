import ErnieModels
import ErnieText
import Foundation

/// `ernie predict`: a fine-tuned directory (as `ernie finetune` writes it) applied to a file, one JSON object per
/// example. Labels come from config.json's id2label; the CRF is used when `crf.safetensors` is present.
public final class Predictor {
    public let model: FineTuningModel
    public let labels: LabelSpace?
    public let tokenizer: any TextTokenizer
    let configuration: FineTuningConfiguration

    /// - Parameter configuration: task name, model directory, max_seq_length, eval batch size and QA settings are used.
    public init(_ configuration: FineTuningConfiguration) throws {
        self.configuration = configuration
        let directory = URL(fileURLWithPath: configuration.modelNameOrPath)
        guard ModelCheckpoint.weightsFile(in: directory) != nil else {
            throw TrainingError.missingInput("\(configuration.modelNameOrPath) holds no model.safetensors (nor an exported model.onnx): give a fine-tuned model directory")
        }
        let config = try ModelCheckpoint.loadConfig(directory: directory)
        if let saved = config.architectures?.first.flatMap({ ModelHead.parse(architecture: $0)?.1 }), saved != configuration.taskName.head {
            throw TrainingError.invalidConfiguration(
                "\(configuration.modelNameOrPath) is a \(config.architectures!.first!), not a model for --task_name \(configuration.taskName.rawValue)")
        }
        tokenizer = try TokenizerLoader.load(directory)
        switch configuration.taskName {
        case .sequenceClassification:
            labels = LabelSpace(labels: config.labels, problem: config.problemType ?? (config.labelCount == 1 ? .regression : .singleLabelClassification))
        case .tokenClassification:
            labels = LabelSpace(labels: config.labels, problem: .singleLabelClassification)
        case .questionAnswering, .multipleChoice:
            labels = nil
        }
        let crf = FileManager.default.fileExists(atPath: directory.appendingPathComponent(FineTuningModel.crfFileName).path)
        try ModelCheckpoint.checkFits(directory: directory, table: ParameterTable(config: config, head: configuration.taskName.head))
        model = try FineTuningModel(task: configuration.taskName, config: config, useCrf: crf && configuration.taskName == .tokenClassification, seed: 0)
        let report = try model.load(from: directory)
        guard report.uninitializedParameters.isEmpty else {
            throw TrainingError.missingInput("\(configuration.modelNameOrPath) lacks trained weights for \(report.uninitializedParameters.joined(separator: ", "))")
        }
    }

    /// Predictions for every example of `input` (and metrics when it is labelled); skipped records go to `issues`.
    public func predict(input: String, issues: DataIssues) throws -> EvaluationResult {
        let examples = try TaskExamples.read(configuration.taskName, path: input, issues: issues).prefix(configuration.maxPredictSamples)
        let encoder = FeatureEncoder(tokenizer: tokenizer, maxSeqLength: configuration.maxSeqLength, issues: issues)
        // Labels of labelled sequence input come attached (FeatureEncoder), so the metrics can be computed.
        var features = try examples.features(encoder, labels: labels, configuration: configuration,
                                             choiceCount: max(1, examples.maxChoices), requireLabels: false)
        if case .token(let list) = examples, let labels {
            let labelled = features.map { feature -> EncodedFeature in
                let example = list[feature.exampleIndex]
                guard example.labels.count == example.tokens.count, example.labels.allSatisfy({ labels.index(of: $0) != nil }) else { return feature }
                var copy = feature
                copy.tokenLabels = feature.wordIndices!.map { $0.map { Int32(labels.index(of: example.labels[$0])!) } ?? -100 }
                return copy
            }
            features = labelled
        }
        let padId = Int32(tokenizer.vocabulary[tokenizer.paddingToken] ?? 0)
        let evaluator = FineTuningEvaluator(model: model, labels: labels, configuration: configuration, padId: padId)
        return try evaluator.run(examples, features: features, batchSize: configuration.perDeviceEvalBatchSize)
    }
}
