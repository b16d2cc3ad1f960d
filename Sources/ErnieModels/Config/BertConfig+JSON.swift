import ErnieBasics
import Foundation

extension BertConfig {
    /// Members ernie models as properties; everything else goes to `extraFields`.
    static let commonKeys: Set<String> = [
        "model_type", "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
        "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob", "max_position_embeddings",
        "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id", "position_embedding_type",
        "use_cache", "classifier_dropout", "id2label", "label2id", "num_labels", "problem_type", "architectures",
        "transformers_version",
    ]
    /// ErnieConfig's additions; for `model_type` bert they are not BertConfig fields and stay in `extraFields`.
    static let ernieKeys: Set<String> = ["task_type_vocab_size", "use_task_id"]
    /// AlbertConfig's additions (its classifier dropout is `classifier_dropout_prob`).
    static let albertKeys: Set<String> = ["embedding_size", "num_hidden_groups", "inner_group_num", "classifier_dropout_prob"]

    /// Reads and validates `config.json`.
    /// - Throws: `ConfigError` naming the file and field.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(jsonData: data, source: url.path)
    }

    /// Parses and validates the text of a `config.json`.
    public init(jsonData: Data, source: String = "config.json") throws {
        let value: JSONValue
        do { value = try JSONParser.parse(jsonData) } catch {
            throw ConfigError.invalidJSON(source: source, message: error.description)
        }
        try self.init(json: value, source: source)
    }

    /// DistilBertConfig's names for BertConfig's fields (its `seq_classif_dropout` is the classifier dropout).
    static let distilBertNames: [(distil: String, bert: String)] = [
        ("dim", "hidden_size"), ("n_layers", "num_hidden_layers"), ("n_heads", "num_attention_heads"),
        ("hidden_dim", "intermediate_size"), ("activation", "hidden_act"), ("dropout", "hidden_dropout_prob"),
        ("attention_dropout", "attention_probs_dropout_prob"), ("seq_classif_dropout", "classifier_dropout"),
    ]
    static let distilBertKeys: Set<String> = ["qa_dropout", "sinusoidal_pos_embds"]

    /// Reads a parsed `config.json` object: absent fields take HF's defaults, unknown ones go to `extraFields`.
    public init(json: JSONValue, source: String = "config.json") throws {
        guard var object = json.objectValue else { throw ConfigError.notAnObject(source: source) }
        if object["model_type"]?.stringValue == ModelType.distilbert.rawValue {
            for (distil, bert) in Self.distilBertNames {
                if let value = object[distil] { object[bert] = value; object[distil] = nil }
            }
        }
        let reader = ConfigReader(object: object, source: source)
        let modelTypeName = try reader.string("model_type") ?? "bert"
        guard let modelType = ModelType(rawValue: modelTypeName) else {
            throw ConfigError.unsupportedValue(
                source: source, key: "model_type", value: "\"\(modelTypeName)\"", supported: ModelType.allCases.map(\.rawValue))
        }
        self = Self.familyDefaults(modelType)
        vocabularySize = try reader.int("vocab_size") ?? vocabularySize
        hiddenSize = try reader.int("hidden_size") ?? hiddenSize
        layerCount = try reader.int("num_hidden_layers") ?? layerCount
        attentionHeadCount = try reader.int("num_attention_heads") ?? attentionHeadCount
        intermediateSize = try reader.int("intermediate_size") ?? intermediateSize
        hiddenActivation = try reader.enumeration("hidden_act", HiddenActivation.self) ?? hiddenActivation
        hiddenDropoutProbability = try reader.double("hidden_dropout_prob") ?? hiddenDropoutProbability
        attentionDropoutProbability = try reader.double("attention_probs_dropout_prob") ?? attentionDropoutProbability
        maxPositionEmbeddings = try reader.int("max_position_embeddings") ?? maxPositionEmbeddings
        typeVocabularySize = try reader.int("type_vocab_size") ?? typeVocabularySize
        initializerRange = try reader.double("initializer_range") ?? initializerRange
        layerNormEpsilon = try reader.double("layer_norm_eps") ?? layerNormEpsilon
        if object["pad_token_id"] != nil { padTokenId = try reader.int("pad_token_id", nullable: true) }
        positionEmbeddingType = try reader.enumeration("position_embedding_type", PositionEmbeddingType.self)
            ?? positionEmbeddingType
        useCache = try reader.bool("use_cache") ?? useCache
        if object["classifier_dropout"] != nil { classifierDropout = try reader.double("classifier_dropout", nullable: true) }
        problemType = try reader.enumeration("problem_type", ProblemType.self, nullable: true)
        architectures = try reader.stringArray("architectures")
        transformersVersion = try reader.string("transformers_version")
        try readLabels(reader)
        var known = Self.commonKeys
        if modelType == .ernie {
            known.formUnion(Self.ernieKeys)
            taskTypeVocabularySize = try reader.int("task_type_vocab_size") ?? taskTypeVocabularySize
            useTaskId = try reader.bool("use_task_id") ?? useTaskId
        }
        if modelType == .albert {
            known.formUnion(Self.albertKeys)
            embeddingSize = try reader.int("embedding_size") ?? embeddingSize
            hiddenGroupCount = try reader.int("num_hidden_groups") ?? hiddenGroupCount
            innerGroupCount = try reader.int("inner_group_num") ?? innerGroupCount
            if object["classifier_dropout_prob"] != nil { classifierDropout = try reader.double("classifier_dropout_prob", nullable: true) }
        }
        if modelType == .nezha {
            known.formUnion(["max_relative_position", "relative_position_table"])
            maxRelativePosition = try reader.int("max_relative_position") ?? maxRelativePosition
            switch try reader.string("relative_position_table") {
            case nil, "functional": learnsRelativePositions = false
            case "learned": learnsRelativePositions = true
            case let other?:
                throw ConfigError.unsupportedValue(source: source, key: "relative_position_table", value: "\"\(other)\"",
                                                   supported: ["functional", "learned"])
            }
        }
        if modelType == .ernieM {
            known.insert("act_dropout")
            activationDropout = try reader.double("act_dropout", nullable: true) ?? activationDropout
        }
        if modelType == .distilbert {
            known.formUnion(Self.distilBertKeys)
            sinusoidalPositions = try reader.bool("sinusoidal_pos_embds") ?? sinusoidalPositions
            if object["qa_dropout"] != nil { questionAnsweringDropout = try reader.double("qa_dropout", nullable: true) }
        }
        for (key, value) in object where !known.contains(key) { extraFields[key] = value }
        try validate(source: source)
    }

    /// `id2label` / `label2id` / `num_labels` as `PretrainedConfig.__init__` resolves them.
    private mutating func readLabels(_ reader: ConfigReader) throws {
        let source = reader.source
        if let names = try reader.object("id2label") {
            var labels = [Int: String]()
            for (key, value) in names {
                guard let id = Int(key) else {
                    throw ConfigError.invalidValue(source: source, key: "id2label", message: "has the key \"\(key)\"; keys must be label ids 0, 1, …")
                }
                guard let name = value.stringValue else {
                    throw ConfigError.wrongType(source: source, key: "id2label.\(key)", expected: "a string", found: value.typeName)
                }
                labels[id] = name
            }
            labelsById = labels
        } else if let count = try reader.int("num_labels") {
            guard count >= 0 else {
                throw ConfigError.invalidValue(source: source, key: "num_labels", message: "must be ≥ 0, found \(count)")
            }
            // Checked before the default names are built, one per label.
            if let limit = BertArchitecture.sizeLimits["num_labels"], count > limit {
                throw ConfigError.invalidValue(source: source, key: "num_labels", message: "must be at most \(limit), found \(count)")
            }
            labelsById = Self.defaultLabels(count: count)
        }
        if let ids = try reader.object("label2id") {
            var byLabel = [String: Int]()
            for (key, value) in ids {
                guard let id = value.intValue else {
                    throw ConfigError.wrongType(source: source, key: "label2id.\(key)", expected: "an integer", found: value.typeName)
                }
                byLabel[key] = id
            }
            idsByLabel = byLabel
        } else {
            idsByLabel = Dictionary(labelsById.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// The `config.json` object as transformers' `save_pretrained` writes it (members in its order): every
    /// BertConfig field, `id2label`/`label2id` unless they are the two default labels, `problem_type` and
    /// `architectures` when set, ERNIE's task fields for `model_type` ernie, `transformers_version`, extra fields.
    public func jsonValue() -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("model_type", .string(modelType.rawValue)),
            ("vocab_size", .integer(vocabularySize)),
            ("hidden_size", .integer(hiddenSize)),
            ("num_hidden_layers", .integer(layerCount)),
            ("num_attention_heads", .integer(attentionHeadCount)),
            ("intermediate_size", .integer(intermediateSize)),
            ("hidden_act", .string(hiddenActivation.rawValue)),
            ("hidden_dropout_prob", .float(hiddenDropoutProbability)),
            ("attention_probs_dropout_prob", .float(attentionDropoutProbability)),
            ("max_position_embeddings", .integer(maxPositionEmbeddings)),
            ("type_vocab_size", .integer(typeVocabularySize)),
            ("initializer_range", .float(initializerRange)),
            ("layer_norm_eps", .float(layerNormEpsilon)),
            ("pad_token_id", padTokenId.map { .integer($0) } ?? .null),
            ("position_embedding_type", .string(positionEmbeddingType.rawValue)),
            ("use_cache", .bool(useCache)),
            ("classifier_dropout", classifierDropout.map { .float($0) } ?? .null),
            ("transformers_version", .string(transformersVersion ?? Self.transformersVersion)),
        ]
        if modelType == .ernie {
            members.append(("task_type_vocab_size", .integer(taskTypeVocabularySize)))
            members.append(("use_task_id", .bool(useTaskId)))
        }
        if modelType == .albert {
            members.removeAll { $0.0 == "classifier_dropout" }
            members.append(("classifier_dropout_prob", classifierDropout.map { .float($0) } ?? .null))
            members.append(("embedding_size", .integer(embeddingSize ?? hiddenSize)))
            members.append(("num_hidden_groups", .integer(hiddenGroupCount)))
            members.append(("inner_group_num", .integer(innerGroupCount)))
        }
        if modelType == .nezha {
            members.removeAll { $0.0 == "position_embedding_type" }
            members.append(("max_relative_position", .integer(maxRelativePosition)))
            if learnsRelativePositions { members.append(("relative_position_table", .string("learned"))) }
        }
        if modelType == .ernieM {
            // ErnieMConfig's fields.
            members.removeAll { ["type_vocab_size", "position_embedding_type", "use_cache"].contains($0.0) }
            members.append(("act_dropout", .float(activationDropout)))
        }
        if modelType == .distilbert {
            members.removeAll { ["type_vocab_size", "layer_norm_eps", "position_embedding_type", "use_cache"].contains($0.0) }
            members = members.map { key, value in (Self.distilBertNames.first { $0.bert == key }?.distil ?? key, value) }
            members.append(("qa_dropout", questionAnsweringDropout.map { .float($0) } ?? .null))
            members.append(("sinusoidal_pos_embds", .bool(sinusoidalPositions)))
        }
        let defaultLabels = Self.defaultLabels(count: 2)
        if labelsById != defaultLabels {
            // Python sorts the int keys numerically before turning them into strings.
            members.append(("id2label", .object(JSONObject(labelsById.sorted { $0.key < $1.key }.map { (String($0.key), .string($0.value)) }))))
        }
        if idsByLabel != Dictionary(uniqueKeysWithValues: defaultLabels.map { ($0.value, $0.key) }) {
            members.append(("label2id", .object(JSONObject(idsByLabel.map { ($0.key, .integer($0.value)) }).sortedByKeys())))
        }
        if let problemType { members.append(("problem_type", .string(problemType.rawValue))) }
        if let architectures { members.append(("architectures", .array(architectures.map { .string($0) }))) }
        for (key, value) in extraFields where !members.contains(where: { $0.0 == key }) {
            members.append((key, value.sortedByKeys()))
        }
        members.sort { JSONObject.codePointOrder($0.0, $1.0) }
        return .object(JSONObject(members))
    }

    /// The text of `config.json` exactly as transformers writes it (`json.dumps(indent=2, sort_keys=True) + "\n"`).
    public func jsonString() -> String {
        JSONWriter.pythonIndented(jsonValue()) + "\n"
    }

    /// Writes `config.json` atomically (temporary file + rename).
    public func write(to url: URL) throws {
        do { try AtomicFile.write(jsonString().utf8, to: url) } catch {
            throw ConfigError.unwritable(path: url.path, reason: "\(error)")
        }
    }
}

extension BertConfig: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(json: JSONValue(from: decoder), source: "decoded config")
    }

    public func encode(to encoder: any Encoder) throws {
        try jsonValue().encode(to: encoder)
    }
}

/// Typed member access with errors that name the file, the key and the expected type.
struct ConfigReader {
    let object: JSONObject
    let source: String

    private func typeError(_ key: String, _ expected: String, _ value: JSONValue) -> ConfigError {
        .wrongType(source: source, key: key, expected: expected, found: value.typeName)
    }

    /// nil when absent; a `null` member is an error unless `nullable`.
    private func member(_ key: String, nullable: Bool, expected: String) throws -> JSONValue? {
        guard let value = object[key] else { return nil }
        if value == .null {
            if nullable { return nil }
            throw typeError(key, expected, value)
        }
        return value
    }

    func int(_ key: String, nullable: Bool = false) throws -> Int? {
        guard let value = try member(key, nullable: nullable, expected: "an integer") else { return nil }
        guard let number = value.intValue else { throw typeError(key, "an integer", value) }
        return number
    }

    func double(_ key: String, nullable: Bool = false) throws -> Double? {
        guard let value = try member(key, nullable: nullable, expected: "a number") else { return nil }
        guard let number = value.doubleValue else { throw typeError(key, "a number", value) }
        return number
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = try member(key, nullable: false, expected: "true or false") else { return nil }
        guard let flag = value.boolValue else { throw typeError(key, "true or false", value) }
        return flag
    }

    func string(_ key: String) throws -> String? {
        guard let value = try member(key, nullable: false, expected: "a string") else { return nil }
        guard let text = value.stringValue else { throw typeError(key, "a string", value) }
        return text
    }

    func object(_ key: String) throws -> JSONObject? {
        guard let value = try member(key, nullable: true, expected: "an object") else { return nil }
        guard let members = value.objectValue else { throw typeError(key, "an object", value) }
        return members
    }

    func stringArray(_ key: String) throws -> [String]? {
        guard let value = try member(key, nullable: true, expected: "an array of strings") else { return nil }
        guard let items = value.arrayValue else { throw typeError(key, "an array of strings", value) }
        return try items.map { item in
            guard let text = item.stringValue else { throw typeError(key, "an array of strings", item) }
            return text
        }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, nullable: Bool = false) throws -> E?
    where E.RawValue == String {
        guard let text = try member(key, nullable: nullable, expected: "a string").map({ value in
            guard let text = value.stringValue else { throw typeError(key, "a string", value) }
            return text
        }) else { return nil }
        guard let value = E(rawValue: text) else {
            throw ConfigError.unsupportedValue(source: source, key: key, value: "\"\(text)\"", supported: E.allCases.map(\.rawValue))
        }
        return value
    }
}
