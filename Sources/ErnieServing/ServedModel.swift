import ErnieBasics
import ErnieEngine
import ErnieModels
import ErnieText
import ErnieTraining
import Foundation

/// What the model gives for one feature (one row).
public enum FeatureOutput: Sendable {
    /// Embedding: the pooled vector [hidden] (not normalised).
    case vector([Float])
    /// Sequence classification: the logits [labels].
    case logits([Float])
    /// Token classification: logits per token [tokens][labels], and the CRF's tags per word when there is a CRF.
    case tokens(logits: [[Float]], wordTags: [Int]?)
    /// Question answering: start and end logits per token.
    case span(start: [Float], end: [Float])
}

/// A model folder loaded for serving: the tokenizer, the encoder with its head (or the bare encoder for embeddings),
/// and a forward pass over a padded batch. The weights are converted to bf16 once (`--dtype bf16`).
///
/// `forward` is called from one thread at a time (the batch runner's); everything else is read-only after `init`.
public final class ServedModel: @unchecked Sendable {
    public let task: ServedTask
    public let config: BertConfig
    public let tokenizer: any TextTokenizer
    /// Classification and NER: label names and the problem type (softmax, sigmoid or regression).
    public let labels: LabelSpace?
    public let pooling: Pooling
    public let precision: MatmulPrecision
    /// Tokens per row at most (`--max_input_length`, at most `max_position_embeddings`).
    public let maxInputLength: Int
    let padId: Int32
    private let encoder: BertModel?
    private let head: FineTuningModel?
    private let weightCache = WeightCache()

    public init(_ configuration: ServingConfiguration) throws {
        let directory = URL(fileURLWithPath: configuration.modelDirectory)
        let config = try ModelCheckpoint.loadConfig(directory: directory)
        self.config = config
        let task = try configuration.task ?? Self.task(of: config, folder: configuration.modelDirectory)
        self.task = task
        precision = configuration.dtype
        let limit = configuration.maxInputLength ?? config.maxSequenceLength
        guard limit >= 2, limit <= config.maxSequenceLength else {
            throw ServingError(.validation, "--max_input_length \(limit) must be between 2 and the \(config.maxSequenceLength) positions of the model's max_position_embeddings")
        }
        maxInputLength = limit
        switch task {
        case .embedding:
            tokenizer = try TokenizerLoader.load(directory)
            let (model, _, report) = try PretrainedWeights.loadBaseModel(from: directory)
            let pooling = try configuration.pooling ?? Self.sentenceTransformersPooling(directory) ?? .mean
            self.pooling = pooling
            if pooling == .pooler && !config.modelType.hasPooler(.base) {
                throw ServingError(.validation, "\(config.modelType.rawValue) models have no pooler: give --pooling cls or mean")
            }
            let needed = report.missingKeys.filter { pooling == .pooler || !$0.contains("pooler.") }
            guard needed.isEmpty else {
                throw ServingError(.validation, "\(configuration.modelDirectory) lacks weights for \(needed.joined(separator: ", "))")
            }
            encoder = model
            head = nil
            labels = nil
        case .sequenceClassification, .tokenClassification, .questionAnswering:
            let fineTuning: FineTuningTask = switch task {
            case .sequenceClassification: .sequenceClassification
            case .tokenClassification: .tokenClassification
            default: .questionAnswering
            }
            // The same loading (and refusals) as `ernie predict`, so both give the same outputs.
            let predictor = try Predictor(FineTuningConfiguration(taskName: fineTuning, modelNameOrPath: configuration.modelDirectory, outputDir: ""))
            tokenizer = predictor.tokenizer
            labels = predictor.labels
            head = predictor.model
            encoder = nil
            pooling = .cls
        }
        padId = Int32(tokenizer.vocabulary[tokenizer.paddingToken] ?? 0)
    }

    /// The task a folder's config.json names: its `architectures` head, or embedding for a base or pretraining model.
    static func task(of config: BertConfig, folder: String) throws -> ServedTask {
        guard let name = config.architectures?.first else { return .embedding }
        guard let (_, head) = ModelHead.parse(architecture: name) else {
            throw ServingError(.validation, "\(folder)/config.json names architecture \(name), which ernie does not serve")
        }
        switch head {
        case .base, .pretraining, .maskedLM, .nextSentencePrediction: return .embedding
        case .sequenceClassification: return .sequenceClassification
        case .tokenClassification: return .tokenClassification
        case .questionAnswering: return .questionAnswering
        case .multipleChoice:
            throw ServingError(.validation, "\(folder) is a multiple-choice model (\(name)); ernie serves embedding, seq-cls, token-cls and qa models")
        }
    }

    /// sentence-transformers' `1_Pooling/config.json` (as TEI reads it), when the folder has one.
    static func sentenceTransformersPooling(_ directory: URL) throws -> Pooling? {
        let file = directory.appendingPathComponent("1_Pooling/config.json")
        guard let data = try? Data(contentsOf: file) else { return nil }
        guard case .object(let object) = try JSONParser.parse(data) else { return nil }
        if object["pooling_mode_cls_token"]?.boolValue == true { return .cls }
        if object["pooling_mode_mean_tokens"]?.boolValue == true { return .mean }
        throw ServingError(.validation, "\(file.path): only CLS and mean pooling are served; give --pooling")
    }

    /// Runs one padded batch; one output per feature, in order.
    public func forward(_ batch: FeatureBatch) throws -> [FeatureOutput] {
        var batch = batch
        // Without padding the mask changes nothing; leaving it out skips the masked attention path.
        if batch.inputs.attentionMask?.allSatisfy({ $0 == 1 }) == true { batch.inputs.attentionMask = nil }
        if !config.usesTokenTypes { batch.inputs.tokenTypeIds = nil }
        let graph = Graph.inference(precision: precision, weightCache: weightCache)
        let rows = batch.inputs.batch, length = batch.sequence
        if let encoder {
            let (sequence, pooled) = try encoder(batch.inputs, graph: graph)
            let hidden = config.hiddenSize
            let states = sequence.values
            return (0..<rows).map { row in
                switch pooling {
                case .cls: return .vector(Array(states[(row * length * hidden)..<(row * length * hidden + hidden)]))
                case .pooler: return .vector(Array(pooled!.values[(row * hidden)..<((row + 1) * hidden)]))
                case .mean:
                    let count = batch.features[row].rows[0].inputIds.count
                    var sum = [Float](repeating: 0, count: hidden)
                    for position in 0..<count {
                        let base = (row * length + position) * hidden
                        for index in 0..<hidden { sum[index] += states[base + index] }
                    }
                    return .vector(sum.map { $0 / Float(count) })
                }
            }
        }
        let model = head!
        let out = try model(batch, graph: graph, withLoss: false)
        let values = out.logits.values
        switch task {
        case .sequenceClassification:
            let width = values.count / rows
            return (0..<rows).map { .logits(Array(values[($0 * width)..<(($0 + 1) * width)])) }
        case .tokenClassification:
            let classes = labels!.count
            let tags = model.crf != nil ? try model.decodeWords(batch, logits: out.logits) : nil
            return (0..<rows).map { row in
                let logits = (0..<batch.features[row].rows[0].inputIds.count).map { position in
                    let base = (row * length + position) * classes
                    return Array(values[base..<(base + classes)])
                }
                return .tokens(logits: logits, wordTags: tags?[row])
            }
        case .questionAnswering:
            let ends = out.endLogits!.values
            return (0..<rows).map { row in
                .span(start: Array(values[(row * length)..<((row + 1) * length)]), end: Array(ends[(row * length)..<((row + 1) * length)]))
            }
        case .embedding:
            preconditionFailure("embedding models have an encoder")
        }
    }

    /// The name `/info` gives the task, TEI's `model_type` key.
    var modelTypeName: String {
        switch task {
        case .embedding: "embedding"
        case .sequenceClassification: "classifier"
        case .tokenClassification: "token_classifier"
        case .questionAnswering: "question_answering"
        }
    }
}
