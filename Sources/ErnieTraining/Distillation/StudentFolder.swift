import ErnieBasics
import ErnieEngine
import ErnieModels
import ErnieText
import Foundation

/// The student of `ernie distill` as a complete Hugging Face folder, which the training commands then load like
/// any model: the source's config with fewer layers (and optionally another family), its tokenizer files, and
/// weights from the source by `StudentInitialization` (or none: a fresh initialisation).
public enum StudentFolder {
    /// What was written.
    public struct Summary: Sendable {
        public var config: BertConfig
        /// The source layer each student layer starts from (empty with fresh weights).
        public var sourceLayers: [Int]
        public var copied: Int
        /// Student tensors the source could not give (fresh initialisation).
        public var fresh: [String]
    }

    /// - Parameters:
    ///   - source: a Hugging Face folder (the teacher, or another model).
    ///   - layers: the student's `num_hidden_layers` (nil: the source's).
    ///   - modelType: the student's family (nil: the source's).
    ///   - head: the student model's head (the family's pretraining head, or the task's).
    ///   - copyWeights: false gives the student HF's initialisation from `seed` alone.
    /// - Throws: when `layers` is not 1 … the source's layers (naming the flag), or the source does not load.
    public static func write(from source: URL, to destination: URL, layers: Int?, modelType: ModelType?, head: ModelHead,
                             copyWeights: Bool, seed: UInt64) throws -> Summary {
        let sourceConfig = try ModelCheckpoint.loadConfig(directory: source)
        var config = modelType.map { sourceConfig.converted(to: $0) } ?? sourceConfig
        let sourceLayers = try BertArchitecture(sourceConfig).layerPasses
        if let layers {
            guard (1...sourceLayers).contains(layers) else {
                throw TrainingError.invalidConfiguration(
                    "--student_layers \(layers): a student of \(source.path) has 1 … \(sourceLayers) layers (its num_hidden_layers)")
            }
            config.layerCount = layers
            if config.modelType == .albert { config.hiddenGroupCount = 1; config.innerGroupCount = 1 }
        }
        guard config.modelType.supports(head) else {
            throw TrainingError.invalidConfiguration("a \(config.modelType.rawValue) student has no \(head.rawValue) model")
        }
        try config.validate()
        let chosen = StudentInitialization.teacherLayers(student: config.layerCount, teacher: sourceLayers)
        let weights: (store: ParameterStore, table: ParameterTable, copied: [String], fresh: [String])
        if copyWeights {
            guard ModelCheckpoint.weightsFile(in: source) != nil else {
                throw TrainingError.missingInput("\(source.path) holds no weights to initialise the student from (--student_init random starts from scratch)")
            }
            weights = try StudentInitialization.student(config, head: head, seed: seed, teacherDirectory: source, layers: chosen)
        } else {
            let table = ParameterTable(config: config, head: head)
            let store = ParameterStore()
            let architecture = try BertArchitecture(config)
            BertParameters.declare(head, architecture, encoderPrefix: table.encoderPrefix, labels: config.labelCount,
                                   into: ParameterBuilder(store: store, initializerRange: architecture.initializerRange, seed: seed))
            weights = (store, table, [], store.names)
        }
        let tokenizer = PretrainingSetup.hasTokenizer(source)
            ? try TokenizerFiles(source: source, fallbackMaxLength: config.maxSequenceLength) : nil
        try AtomicDirectory.write(destination) { directory in
            try PretrainedWeights.save(weights.store, table: weights.table, to: directory, tokenizer: tokenizer, durable: false)
        }
        return Summary(config: config, sourceLayers: copyWeights ? chosen : [], copied: weights.copied.count, fresh: weights.fresh)
    }
}
