/// The parameters of a BERT/ERNIE model with a given head, in `named_parameters()` order, with shapes from the
/// config; the names the engine binds its tensors to and that checkpoints use. Read from the family's declaration.
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

    /// The table of `config`'s model with `head`, from the family's declaration (`BertParameters`); the config
    /// should have passed `validate()`.
    public init(config: BertConfig, head: ModelHead) {
        self.config = config
        self.head = head
        let store = ParameterStore(declarationOnly: true)
        BertParameters.declare(head, BertArchitecture(unchecked: config), encoderPrefix: head.prefixesEncoder ? config.modelType.parameterPrefix + "." : "",
                               labels: config.labelCount, into: ParameterBuilder(store: store, initializerRange: 0, seed: 0))
        parameters = store.specs
        aliases = store.aliases
        buffers = store.buffers
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
