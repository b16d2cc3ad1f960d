import ErnieEngine
import ErnieModels
import ErnieText
import Foundation

/// The encoder with one task head (the transformers `*For…` classes), plus the optional CRF, with loading from and
/// saving to Hugging Face directories.
public final class FineTuningModel {
    enum Head {
        case sequence(BertForSequenceClassification)
        case token(BertForTokenClassification)
        case questionAnswering(BertForQuestionAnswering)
        case multipleChoice(BertForMultipleChoice)
    }

    public let task: FineTuningTask
    /// The config saved with the model (labels, problem type, dropout).
    public let config: BertConfig
    public let table: ParameterTable
    let head: Head
    /// `crf.transitions` [L, L], `crf.start_transitions` [L], `crf.end_transitions` [L] (torchcrf names), saved in
    /// `crf.safetensors` beside the model (transformers ignores the file).
    public let crf: ParameterStore?
    public static let crfFileName = "crf.safetensors"

    /// Builds the model with HF's initialisation (normal(0, initializer_range) weights, zero biases), seeded.
    public init(task: FineTuningTask, config: BertConfig, useCrf: Bool = false, seed: UInt64) throws {
        self.task = task
        self.config = config
        table = ParameterTable(config: config, head: task.head)
        let architecture = try BertArchitecture(config)
        let prefix = config.modelType.parameterPrefix + "."
        let dropout = config.classifierDropout.map { Float($0) }
        switch task {
        case .sequenceClassification:
            head = .sequence(BertForSequenceClassification(architecture, prefix: prefix, labels: config.labelCount, classifierDropout: dropout, seed: seed))
        case .tokenClassification:
            // DistilBERT's token classifier uses `dropout`, not `seq_classif_dropout`.
            let tokenDropout = config.modelType == .distilbert ? Float(config.hiddenDropoutProbability) : dropout
            head = .token(BertForTokenClassification(architecture, prefix: prefix, labels: config.labelCount, classifierDropout: tokenDropout, seed: seed))
        case .questionAnswering:
            head = .questionAnswering(BertForQuestionAnswering(architecture, prefix: prefix, dropout: Float(config.questionAnsweringDropout ?? 0), seed: seed))
        case .multipleChoice:
            head = .multipleChoice(BertForMultipleChoice(architecture, prefix: prefix, classifierDropout: dropout, seed: seed))
        }
        if useCrf {
            let store = ParameterStore()
            var random = RandomGenerator(seed: seed &+ 0xC0F)
            let count = config.labelCount
            // torchcrf's init: uniform(−0.1, 0.1).
            for (name, shape) in [("crf.transitions", [count, count]), ("crf.start_transitions", [count]), ("crf.end_transitions", [count])] {
                store.make(name, shape: shape, kind: .weight, .uniform(low: -0.1, high: 0.1), random: &random)
            }
            crf = store
        } else {
            crf = nil
        }
    }

    /// The encoder + head parameters (the transformers model).
    public var parameters: ParameterStore {
        switch head {
        case .sequence(let model): model.parameters
        case .token(let model): model.parameters
        case .questionAnswering(let model): model.parameters
        case .multipleChoice(let model): model.parameters
        }
    }

    /// Every trainable tensor (model, then CRF).
    public var allParameters: [(name: String, tensor: Tensor)] {
        parameters.ordered + (crf?.ordered ?? [])
    }

    /// Every trainable tensor with its weight-decay flag from the declaration (model, then CRF).
    public var trainable: [(name: String, tensor: Tensor, decays: Bool)] {
        parameters.trainable + (crf?.trainable ?? [])
    }

    /// Copies the weights `directory` holds, as transformers' `from_pretrained` resolves names; the head (or anything
    /// else the checkpoint lacks or holds with another shape) keeps its fresh initialisation and is listed in the
    /// report; the checkpoint's extra keys (e.g. a pretraining checkpoint's `cls.*`) are listed as unexpected.
    @discardableResult
    public func load(from directory: URL) throws -> StateDictLoadReport {
        let checkpoint = try ModelCheckpoint.openWeights(directory: directory)
        let report = try ModelCheckpoint.resolve(checkpoint, table: table, options: StateDictLoadOptions(ignoreMismatchedSizes: true))
        for (name, tensor) in parameters.ordered {
            guard let key = report.sources[name] else { continue }
            try checkpoint.readFloats(named: key, into: UnsafeMutableBufferPointer(start: tensor.data, count: tensor.count))
        }
        if let crf {
            let file = directory.appendingPathComponent(Self.crfFileName)
            if FileManager.default.fileExists(atPath: file.path) {
                let saved = try SafetensorsFile(contentsOf: file)
                for (name, tensor) in crf.ordered where saved.info(named: name)?.shape == tensor.shape {
                    try saved.readFloats(named: name, into: UnsafeMutableBufferPointer(start: tensor.data, count: tensor.count))
                }
            }
        }
        return report
    }

    /// Writes config.json, model.safetensors (and crf.safetensors) into `directory`, and the tokenizer files
    /// (vocab.txt, tokenizer.json, tokenizer_config.json, special_tokens_map.json).
    public func save(to directory: URL, tokenizer: TokenizerFiles) throws {
        try ModelCheckpoint.save(directory: directory, table: table) { spec in
            let tensor = parameters[spec.name]!
            return .borrowed(.float32, UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * 4))
        }
        if let crf {
            try SafetensorsWriter.write(crf.ordered.map { SafetensorsTensor(name: $0.name, shape: $0.tensor.shape, floats: $0.tensor.values) },
                                        to: directory.appendingPathComponent(Self.crfFileName))
        }
        try tokenizer.write(to: directory)
    }

    /// What one forward pass gives.
    public struct Output {
        /// seq-cls [batch, labels]; token-cls [batch · seq, labels]; multiple choice [batch, choices];
        /// QA: start logits [batch, seq].
        public var logits: Tensor
        /// QA: end logits [batch, seq].
        public var endLogits: Tensor?
        /// nil when the batch carries no targets.
        public var loss: Tensor?
    }

    /// Runs the model on a batch; computes the loss when every feature has its targets.
    public func callAsFunction(_ batch: FeatureBatch, graph: Graph, withLoss: Bool) throws -> Output {
        let features = batch.features
        var inputs = batch.inputs
        // RoBERTa's one token type and DistilBERT's none: a pair's second segment is not marked.
        if !config.usesTokenTypes { inputs.tokenTypeIds = nil }
        switch head {
        case .sequence(let model):
            var targets: BertForSequenceClassification.Targets?
            if withLoss {
                switch config.problemType ?? .singleLabelClassification {
                case .singleLabelClassification: targets = .classes(features.map { $0.classLabel! })
                case .regression: targets = .values(features.flatMap { $0.values! })
                case .multiLabelClassification: targets = .multiHot(features.flatMap { $0.values! })
                }
            }
            let (logits, loss) = try model(inputs, targets: targets, graph: graph)
            return Output(logits: logits, loss: loss)
        case .token(let model):
            guard let crf else {
                let (logits, loss) = try model(inputs, labels: withLoss ? batch.paddedTokenLabels : nil, graph: graph)
                return Output(logits: logits, loss: loss)
            }
            let (logits, _) = try model(inputs, graph: graph)
            guard withLoss else { return Output(logits: logits) }
            let (positions, lengths) = batch.wordPositions
            let labels = batch.paddedTokenLabels
            let emissions = try graph.gatherRows(logits, indices: positions, operation: "crf word positions")
            let loss = try graph.crfNegativeLogLikelihood(
                emissions: emissions, transitions: crf["crf.transitions"]!, start: crf["crf.start_transitions"]!,
                end: crf["crf.end_transitions"]!, lengths: lengths, tags: positions.map { labels[Int($0)] })
            return Output(logits: logits, loss: loss)
        case .questionAnswering(let model):
            let out = try model(inputs, startPositions: withLoss ? features.map { $0.startPosition! } : nil,
                                endPositions: withLoss ? features.map { $0.endPosition! } : nil, graph: graph)
            return Output(logits: out.start, endLogits: out.end, loss: out.loss)
        case .multipleChoice(let model):
            let choices = batch.rowsPerFeature
            let (scores, _) = try model(inputs, choices: choices, graph: graph)
            // Padding choices get −10⁴ (as HF's attention masks do), so they take no probability.
            var mask = [Float](repeating: 0, count: features.count * choices)
            for (index, feature) in features.enumerated() {
                for choice in (feature.choiceCount ?? choices)..<choices { mask[index * choices + choice] = -10_000 }
            }
            let logits = mask.contains(where: { $0 != 0 }) ? try graph.add(scores, Tensor(shape: scores.shape, values: mask)) : scores
            let loss = withLoss ? try graph.crossEntropy(logits: logits, targets: features.map { $0.classLabel! }) : nil
            return Output(logits: logits, loss: loss)
        }
    }

    /// Token classification with a CRF: the Viterbi tags of each feature's words.
    public func decodeWords(_ batch: FeatureBatch, logits: Tensor) throws -> [[Int]] {
        guard let crf else { preconditionFailure("decodeWords needs a CRF") }
        let (positions, lengths) = batch.wordPositions
        let emissions = try Graph.inference().gatherRows(logits, indices: positions)
        return crfViterbiDecode(emissions: emissions, transitions: crf["crf.transitions"]!, start: crf["crf.start_transitions"]!,
                                end: crf["crf.end_transitions"]!, lengths: lengths)
    }
}
