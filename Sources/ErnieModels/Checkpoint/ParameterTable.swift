/// What a parameter is, which decides its init and whether AdamW decays it.
public enum ParameterKind: String, Sendable {
    /// An embedding table [num, H]: normal(0, initializer_range) init (padding row zero), decayed.
    case embedding
    /// A Linear weight [out, in] (PyTorch layout, y = x·Wᵀ + b): normal init, decayed.
    case linearWeight
    /// A Linear bias (or the MLM output bias): zero init, not decayed.
    case bias
    /// LayerNorm gain: ones, not decayed.
    case layerNormWeight
    /// LayerNorm shift: zeros, not decayed.
    case layerNormBias
}

/// One trainable tensor of a model, named exactly as in transformers' `named_parameters()`.
public struct ParameterSpec: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let kind: ParameterKind

    public var elementCount: Int { shape.reduce(1, *) }

    /// HF Trainer's grouping: weight decay on everything but biases and LayerNorm parameters.
    public var weightDecay: Bool { kind == .embedding || kind == .linearWeight }
}

/// The parameters of a BERT/ERNIE model with a given head, in `named_parameters()` order, with shapes from the
/// config; the names the engine binds its tensors to and that checkpoints use.
///
/// Tied tensors appear once: `cls.predictions.decoder.weight` is the word-embedding matrix and
/// `cls.predictions.decoder.bias` is `cls.predictions.bias` (`aliases`). `savedNames` are the keys of the
/// `model.safetensors` transformers' `save_pretrained` writes: the parameters, without the aliases.
public struct ParameterTable: Sendable {
    public let config: BertConfig
    public let head: ModelHead
    /// Parameters in `named_parameters()` order.
    public let parameters: [ParameterSpec]
    /// State-dict alias → the parameter it shares storage with.
    public let aliases: [String: String]
    /// Non-persistent buffers (`embeddings.position_ids`, `embeddings.token_type_ids`): never saved, and ignored
    /// when a (legacy) checkpoint holds them.
    public let buffers: [String]
    private let indexByName: [String: Int]

    /// Builds the table; the config should have passed `validate()`.
    public init(config: BertConfig, head: ModelHead) {
        self.config = config
        self.head = head
        let prefix = head.prefixesEncoder ? config.modelType.parameterPrefix + "." : ""
        let hidden = config.hiddenSize
        var parameters = [ParameterSpec]()
        func add(_ name: String, _ shape: [Int], _ kind: ParameterKind) {
            parameters.append(ParameterSpec(name: name, shape: shape, kind: kind))
        }
        func linear(_ name: String, out: Int, in input: Int) {
            add(name + ".weight", [out, input], .linearWeight)
            add(name + ".bias", [out], .bias)
        }
        func layerNorm(_ name: String) {
            add(name + ".weight", [hidden], .layerNormWeight)
            add(name + ".bias", [hidden], .layerNormBias)
        }

        // BertEmbeddings / ErnieEmbeddings
        let embeddings = prefix + "embeddings."
        add(embeddings + "word_embeddings.weight", [config.vocabularySize, hidden], .embedding)
        add(embeddings + "position_embeddings.weight", [config.maxPositionEmbeddings, hidden], .embedding)
        add(embeddings + "token_type_embeddings.weight", [config.typeVocabularySize, hidden], .embedding)
        if config.modelType == .ernie && config.useTaskId {
            add(embeddings + "task_type_embeddings.weight", [config.taskTypeVocabularySize, hidden], .embedding)
        }
        layerNorm(embeddings + "LayerNorm")
        // BertEncoder: post-LN layers
        for layer in 0..<config.layerCount {
            let base = prefix + "encoder.layer.\(layer)."
            linear(base + "attention.self.query", out: hidden, in: hidden)
            linear(base + "attention.self.key", out: hidden, in: hidden)
            linear(base + "attention.self.value", out: hidden, in: hidden)
            linear(base + "attention.output.dense", out: hidden, in: hidden)
            layerNorm(base + "attention.output.LayerNorm")
            linear(base + "intermediate.dense", out: config.intermediateSize, in: hidden)
            linear(base + "output.dense", out: hidden, in: config.intermediateSize)
            layerNorm(base + "output.LayerNorm")
        }
        if head.hasPooler { linear(prefix + "pooler.dense", out: hidden, in: hidden) }

        var aliases = [String: String]()
        let wordEmbeddings = embeddings + "word_embeddings.weight"
        if head.hasMaskedLMHead {
            // BertLMPredictionHead registers its own `bias` before its submodules.
            add("cls.predictions.bias", [config.vocabularySize], .bias)
            linear("cls.predictions.transform.dense", out: hidden, in: hidden)
            layerNorm("cls.predictions.transform.LayerNorm")
            if config.tieWordEmbeddings {
                aliases["cls.predictions.decoder.weight"] = wordEmbeddings
            } else {
                add("cls.predictions.decoder.weight", [config.vocabularySize, hidden], .linearWeight)
            }
            aliases["cls.predictions.decoder.bias"] = "cls.predictions.bias"
        }
        switch head {
        case .pretraining, .nextSentencePrediction: linear("cls.seq_relationship", out: 2, in: hidden)
        case .sequenceClassification, .tokenClassification: linear("classifier", out: config.labelCount, in: hidden)
        case .questionAnswering: linear("qa_outputs", out: 2, in: hidden)
        case .multipleChoice: linear("classifier", out: 1, in: hidden)
        case .base, .maskedLM: break
        }
        self.parameters = parameters
        self.aliases = aliases
        buffers = [embeddings + "position_ids", embeddings + "token_type_ids"]
        indexByName = Dictionary(uniqueKeysWithValues: parameters.enumerated().map { ($1.name, $0) })
    }

    /// The `bert.` / `ernie.` prefix of encoder names ("" for the base model).
    public var encoderPrefix: String { head.prefixesEncoder ? config.modelType.parameterPrefix + "." : "" }

    /// The parameter called `name` (aliases resolve to their target).
    public subscript(name: String) -> ParameterSpec? {
        if let index = indexByName[name] { return parameters[index] }
        return aliases[name].flatMap { indexByName[$0] }.map { parameters[$0] }
    }

    /// Parameter names in `named_parameters()` order.
    public var names: [String] { parameters.map(\.name) }

    /// `state_dict()` keys: the parameters plus the tied aliases (what a `.bin` checkpoint holds).
    public var stateDictKeys: [String] { names + aliases.keys.sorted() }

    /// The keys (sorted) of the `model.safetensors` that transformers writes for this model.
    public var savedNames: [String] { names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }

    /// Total number of trainable scalars.
    public var elementCount: Int { parameters.reduce(0) { $0 + $1.elementCount } }
}
