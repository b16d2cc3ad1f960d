import ErnieBasics
import ErnieEngine
import ErnieText
import Foundation

/// Moves an engine model's parameters to and from a Hugging Face directory (config.json + model.safetensors
/// [+ the tokenizer files]), by the names of its `ParameterTable`.
public enum PretrainedWeights {
    /// Copies every parameter the checkpoint in `directory` provides into `store` (names resolved as transformers
    /// does: prefixes, gamma/beta, aliases). Parameters it lacks keep their initial values and are listed in the report.
    /// - Throws: with `strict`, missing or unexpected keys; always, shape mismatches (naming file and tensor).
    @discardableResult
    public static func load(_ store: ParameterStore, table: ParameterTable, from directory: URL,
                            strict: Bool = false) throws -> StateDictLoadReport {
        try checkMatches(store, table)
        let checkpoint = try ModelCheckpoint.openWeights(directory: directory)
        let report = try ModelCheckpoint.resolve(checkpoint, table: table, options: StateDictLoadOptions(strict: strict))
        for (name, tensor) in store.ordered {
            guard let key = report.sources[name] else { continue }
            try checkpoint.readFloats(named: key, into: UnsafeMutableBufferPointer(start: tensor.data, count: tensor.count))
        }
        return report
    }

    /// The base model (`BertModel`, no head) of `directory`: its config, the check that the config fits the
    /// checkpoint, and the weights the checkpoint holds (an `*For…` checkpoint's encoder included).
    public static func loadBaseModel(from directory: URL, strict: Bool = false)
        throws -> (model: BertModel, config: BertConfig, report: StateDictLoadReport) {
        let config = try ModelCheckpoint.loadConfig(directory: directory)
        let table = ParameterTable(config: config, head: .base)
        try ModelCheckpoint.checkFits(directory: directory, table: table)
        let model = BertModel(try BertArchitecture(config))
        let report = try load(model.store, table: table, from: directory, strict: strict)
        return (model, config, report)
    }

    /// Writes config.json and model.safetensors (F32, transformers' saved names) into `directory`, plus the
    /// tokenizer files (vocab.txt, tokenizer.json, tokenizer_config.json, special_tokens_map.json) when given.
    /// The caller makes the directory appear atomically (see `AtomicDirectory`).
    public static func save(_ store: ParameterStore, table: ParameterTable, to directory: URL,
                            tokenizer: TokenizerFiles? = nil, durable: Bool = true) throws {
        try checkMatches(store, table)
        try ModelCheckpoint.save(directory: directory, table: table, durable: durable) { spec in
            let tensor = store[spec.name]!
            return .borrowed(.float32, UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * 4))
        }
        try tokenizer?.write(to: directory, durable: durable)
    }

    /// The engine model and the table must describe the same parameters (a programmer error otherwise).
    static func checkMatches(_ store: ParameterStore, _ table: ParameterTable) throws {
        for spec in table.parameters {
            guard let tensor = store[spec.name], tensor.shape == spec.shape else {
                throw ModelError.invalidConfiguration(
                    "parameter \(spec.name) \(spec.shape) of the \(table.head.rawValue) table is \(store[spec.name].map { "\($0.shape)" } ?? "absent") in the model")
            }
        }
        guard store.names.count == table.parameters.count else {
            let extra = Set(store.names).subtracting(table.names).sorted()
            throw ModelError.invalidConfiguration("the model has parameters the \(table.head.rawValue) table lacks: \(extra)")
        }
    }
}
