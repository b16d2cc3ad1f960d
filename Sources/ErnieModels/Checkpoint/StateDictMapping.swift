import ErnieBasics
/// Options of `StateDictMapping.resolve`.
public struct StateDictLoadOptions: Sendable {
    /// Missing or unexpected keys become an error instead of a report.
    public var strict: Bool
    /// A shape mismatch leaves the parameter to be initialized (listed in `mismatchedKeys`) instead of throwing,
    /// like transformers' `ignore_mismatched_sizes=True` (e.g. a new number of labels).
    public var ignoreMismatchedSizes: Bool

    public init(strict: Bool = false, ignoreMismatchedSizes: Bool = false) {
        self.strict = strict
        self.ignoreMismatchedSizes = ignoreMismatchedSizes
    }
}

/// A checkpoint tensor whose shape differs from the model's parameter.
public struct ShapeMismatch: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let checkpointShape: [Int]
    public let modelShape: [Int]
    public var description: String { "\(name): checkpoint \(checkpointShape), model \(modelShape)" }
}

/// How a checkpoint's tensors fill a model's parameters, and what transformers would warn about.
public struct StateDictLoadReport: Sendable, Equatable {
    /// Parameter name (model side) → the checkpoint key to read it from.
    public var sources: [String: String]
    /// Model keys the checkpoint does not provide, exactly as transformers' `missing_keys` (sorted; may include
    /// the alias `cls.predictions.decoder.bias` when the MLM bias is absent, as transformers reports it).
    public var missingKeys: [String]
    /// Checkpoint keys the model does not use, exactly as transformers' `unexpected_keys`.
    public var unexpectedKeys: [String]
    /// Shape mismatches left uninitialized (only with `ignoreMismatchedSizes`).
    public var mismatchedKeys: [ShapeMismatch]
    /// Legacy `LayerNorm.gamma`/`beta` checkpoint keys → the model keys they were read as.
    public var renamedKeys: [String: String]
    /// Parameters that got no tensor and need the model's fresh initialization (in parameter order).
    public var uninitializedParameters: [String]
}

/// A checkpoint that does not fit the model.
public enum StateDictError: Error, CustomStringConvertible, Equatable {
    case corrupted(source: String, key: String, prefix: String)
    case shapeMismatch(source: String, mismatches: [ShapeMismatch])
    case strict(source: String, missing: [String], unexpected: [String])
    case conflictingKeys(source: String, first: String, second: String, target: String)
    /// The encoder the checkpoint holds is not the one config.json describes (`ModelCheckpoint.checkFits`).
    case doesNotFitConfig(source: String, details: String)

    public var description: String {
        switch self {
        case .corrupted(let source, let key, let prefix):
            "\(source): no key starts with \"\(prefix)\" yet \"\(key)\" is a head parameter of the model; the checkpoint was probably saved from another model_type (check config.json)"
        case .shapeMismatch(let source, let mismatches):
            "\(source): size mismatch for \(mismatches.map(\.description).joined(separator: "; ")); the config does not match the checkpoint (or allow re-initializing them with ignoreMismatchedSizes)"
        case .strict(let source, let missing, let unexpected):
            "\(source): strict loading failed; missing keys: \(missing), unexpected keys: \(unexpected)"
        case .conflictingKeys(let source, let first, let second, let target):
            "\(source): both \"\(first)\" and \"\(second)\" load into \"\(target)\""
        case .doesNotFitConfig(let source, let details):
            "\(source): \(details); config.json must describe the model these weights were saved from"
        }
    }
}

/// Resolves checkpoint keys to model parameters the way transformers' `from_pretrained` does (4.57,
/// `_get_key_renaming_mapping` and `_find_missing_and_unexpected_keys`):
///
/// - `LayerNorm.gamma` / `LayerNorm.beta` are read as `LayerNorm.weight` / `LayerNorm.bias`;
/// - a checkpoint without any key starting with `bert`/`ernie` loaded into a head model gets the prefix added
///   (base → head); a prefixed checkpoint loaded into the base model has the prefix stripped and its other keys
///   reported unexpected (head → base);
/// - non-persistent buffers (`embeddings.position_ids`, `embeddings.token_type_ids`) are ignored;
/// - a tied alias (`cls.predictions.decoder.weight` / `.bias`) is not missing when its partner is loaded.
public enum StateDictMapping {
    /// - Parameters:
    ///   - table: the model's parameters.
    ///   - checkpointShapes: key → shape of every tensor in the checkpoint.
    ///   - source: names the checkpoint in errors.
    /// - Throws: `StateDictError` for shape mismatches, a prefix-less checkpoint holding the model's head keys
    ///   (transformers' "state dictionary … is corrupted"), and missing/unexpected keys under `strict`.
    public static func resolve(
        table: ParameterTable, checkpointShapes: [String: [Int]], source: String = "checkpoint",
        options: StateDictLoadOptions = StateDictLoadOptions()
    ) throws -> StateDictLoadReport {
        let prefix = table.config.modelType.parameterPrefix
        let dottedPrefix = prefix + "."
        let checkpointKeys = checkpointShapes.keys.sorted(by: JSONObject.codePointOrder)
        let expectedKeys = Set(table.stateDictKeys)
        // transformers tests `startswith(prefix)` without the dot here.
        let hasPrefixModule = checkpointKeys.contains { $0.hasPrefix(prefix) }
        let taskFromBase = !hasPrefixModule && table.head.prefixesEncoder
        let baseFromTask = hasPrefixModule && !table.head.prefixesEncoder

        var baseModelKeys = Set<String>()
        var taskSpecificKeys = Set<String>()
        if taskFromBase {
            for key in expectedKeys {
                if key.hasPrefix(dottedPrefix) { baseModelKeys.insert(String(key.dropFirst(dottedPrefix.count))) }
                else { taskSpecificKeys.insert(key) }
            }
        }

        var modelKeyByCheckpointKey = [String: String]()
        var renamedKeys = [String: String]()
        for key in checkpointKeys {
            var modelKey = legacyRenamed(key)
            let wasRenamed = modelKey != key
            if taskFromBase {
                if taskSpecificKeys.contains(modelKey) && !baseModelKeys.contains(modelKey) {
                    throw StateDictError.corrupted(source: source, key: modelKey, prefix: prefix)
                }
                modelKey = dottedPrefix + modelKey
            } else if baseFromTask {
                guard modelKey.hasPrefix(dottedPrefix) else { continue }
                modelKey.removeFirst(dottedPrefix.count)
            }
            modelKeyByCheckpointKey[key] = modelKey
            if wasRenamed { renamedKeys[key] = modelKey }
        }

        let loadedKeys = Set(modelKeyByCheckpointKey.values)
        var missing = expectedKeys.subtracting(loadedKeys).sorted(by: JSONObject.codePointOrder)
        var unexpected = loadedKeys.subtracting(expectedKeys)
        if baseFromTask { unexpected.formUnion(checkpointKeys.filter { !$0.hasPrefix(dottedPrefix) }) }
        unexpected.subtract(table.buffers)
        var unexpectedKeys = unexpected.sorted(by: JSONObject.codePointOrder)
        for (alias, target) in table.aliases {
            let missingInGroup = [alias, target].filter { missing.contains($0) }
            if missingInGroup.count == 1 { missing.removeAll { $0 == missingInGroup[0] } }
        }
        if taskFromBase {
            unexpectedKeys = unexpectedKeys.map { $0.hasPrefix(dottedPrefix) ? String($0.dropFirst(dottedPrefix.count)) : $0 }
        }

        // Which checkpoint key fills each parameter: its own key first, else a key of one of its aliases.
        var checkpointKeyByModelKey = [String: String]()
        for (checkpointKey, modelKey) in modelKeyByCheckpointKey where expectedKeys.contains(modelKey) {
            if let other = checkpointKeyByModelKey[modelKey] {
                throw StateDictError.conflictingKeys(source: source, first: other, second: checkpointKey, target: modelKey)
            }
            checkpointKeyByModelKey[modelKey] = checkpointKey
        }
        var sources = [String: String]()
        var mismatches = [ShapeMismatch]()
        var uninitialized = [String]()
        for parameter in table.parameters {
            let candidates = [parameter.name] + table.aliases.filter { $0.value == parameter.name }.keys.sorted()
            guard let modelKey = candidates.first(where: { checkpointKeyByModelKey[$0] != nil }) else {
                uninitialized.append(parameter.name)
                continue
            }
            let checkpointKey = checkpointKeyByModelKey[modelKey]!
            let shape = checkpointShapes[checkpointKey]!
            if shape != parameter.shape {
                mismatches.append(ShapeMismatch(name: checkpointKey, checkpointShape: shape, modelShape: parameter.shape))
                uninitialized.append(parameter.name)
                continue
            }
            sources[parameter.name] = checkpointKey
        }
        if !mismatches.isEmpty && !options.ignoreMismatchedSizes {
            throw StateDictError.shapeMismatch(source: source, mismatches: mismatches)
        }
        if options.strict && !(missing.isEmpty && unexpectedKeys.isEmpty) {
            throw StateDictError.strict(source: source, missing: missing, unexpected: unexpectedKeys)
        }
        return StateDictLoadReport(
            sources: sources, missingKeys: missing, unexpectedKeys: unexpectedKeys, mismatchedKeys: mismatches,
            renamedKeys: renamedKeys, uninitializedParameters: uninitialized)
    }

    /// transformers' `_fix_state_dict_key_on_load` for BERT-era TensorFlow names.
    public static func legacyRenamed(_ key: String) -> String {
        if key.hasSuffix("LayerNorm.beta") { return String(key.dropLast("beta".count)) + "bias" }
        if key.hasSuffix("LayerNorm.gamma") { return String(key.dropLast("gamma".count)) + "weight" }
        return key
    }
}
