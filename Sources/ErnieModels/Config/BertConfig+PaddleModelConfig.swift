import ErnieBasics
import Foundation

extension BertConfig {
    /// The config file of folders PaddleNLP saved before 2.5 (`save_pretrained` then wrote no config.json).
    public static let paddleModelConfigName = "model_config.json"

    /// Reads PaddleNLP's `model_config.json`: the encoder's constructor arguments, either flat (a saved `ErnieModel`)
    /// or as `init_args[0]` of a task model (`{"init_args": [{…, "init_class": "ErnieModel"}], "init_class":
    /// "ErnieForSequenceClassification", "num_classes": 2}`). The argument names are transformers' (vocab_size,
    /// hidden_size, …, task_type_vocab_size, use_task_id); the head comes from the outer `init_class`.
    /// - Throws: `ConfigError` naming the file when it holds no encoder arguments.
    public init(paddleModelConfig url: URL) throws {
        let source = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw ConfigError.unreadable(path: source, reason: error.localizedDescription) }
        let json: JSONValue
        do { json = try JSONParser.parse(data) } catch { throw ConfigError.invalidJSON(source: source, message: error.description) }
        guard let outer = json.objectValue else { throw ConfigError.notAnObject(source: source) }
        let nested = outer["init_args"]?.arrayValue?.first?.objectValue
        guard let arguments = outer["hidden_size"] != nil ? outer : nested, arguments["hidden_size"] != nil else {
            throw ConfigError.invalidValue(source: source, key: "init_args", message: "no encoder arguments (hidden_size …) at the top or in init_args[0]")
        }
        var converted = JSONObject()
        for (key, value) in arguments where key != "init_class" && key != "init_args" { converted[key] = value }
        let encoderClass = arguments["init_class"]?.stringValue ?? "ErnieModel"
        let modelClass = nested != nil ? outer["init_class"]?.stringValue ?? encoderClass : encoderClass
        converted["model_type"] = .string(encoderClass.hasPrefix("Bert") ? "bert" : "ernie")
        converted["architectures"] = .array([.string(modelClass)])
        if let classes = outer["num_classes"]?.intValue ?? outer["num_labels"]?.intValue, classes > 0 {
            converted["id2label"] = .object(JSONObject((0..<classes).map { ("\($0)", .string("LABEL_\($0)")) }))
            converted["label2id"] = .object(JSONObject((0..<classes).map { ("LABEL_\($0)", .integer($0)) }))
        }
        if let dropout = outer["dropout"], !dropout.isNull { converted["classifier_dropout"] = dropout }
        try self.init(json: .object(converted), source: source)
    }
}
