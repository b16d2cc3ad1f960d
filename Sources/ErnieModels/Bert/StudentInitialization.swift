import ErnieEngine
import Foundation

/// A smaller student initialised from a teacher's weights, as DistilBERT's `extract_distilbert.py` builds one from
/// BERT: the embeddings, a spread of the teacher's layers, the pooler and the heads, each tensor copied where the two
/// models hold it with the same shape. The student may be another family with the same post-LN layer (e.g. a
/// `distilbert` student of a `bert` teacher: `encoder.layer.N.attention.self.query` becomes
/// `transformer.layer.M.attention.q_lin`).
public enum StudentInitialization {
    /// The teacher layer each student layer starts from: spread evenly from the first to the last,
    /// round(i · (L − 1) / (S − 1)). For 12 → 6 this is extract_distilbert.py's [0, 2, 4, 7, 9, 11]; 4 → 2 gives [0, 3].
    public static func teacherLayers(student: Int, teacher: Int) -> [Int] {
        precondition(student >= 1 && student <= teacher, "a student has 1 … \(teacher) layers")
        guard student > 1 else { return [0] }
        return (0..<student).map { Int((Double($0 * (teacher - 1)) / Double(student - 1)).rounded()) }
    }

    /// Student parameter name → the teacher parameter it starts from (names as in each model's `ParameterTable`).
    /// Names are matched by role (embeddings, each layer's sublayers through the families' layouts, pooler, MLM head,
    /// pair head) and otherwise by equal name (task heads of the same family); shapes are the caller's to compare.
    public static func sources(student: ParameterTable, teacher: ParameterTable, layers: [Int]) throws -> [String: String] {
        let s = try BertArchitecture(student.config), t = try BertArchitecture(teacher.config)
        let (sp, tp) = (student.encoderPrefix, teacher.encoderPrefix)
        var map: [String: String] = [:]
        func pair(_ studentName: String, _ teacherName: String) {
            for suffix in [".weight", ".bias"] { map[studentName + suffix] = teacherName + suffix }
        }
        for name in ["embeddings.word_embeddings", "embeddings.position_embeddings", "embeddings.token_type_embeddings",
                     "embeddings.task_type_embeddings", "embeddings.LayerNorm"] {
            pair(sp + name, tp + name)
        }
        // ALBERT's shared layers are not one stored layer per pass: its student layers start fresh.
        if s.modelType != .albert {
            precondition(layers.count == s.layers, "one teacher layer per student layer")
            let (sl, tl) = (s.layout, t.layout)
            let roles: [(String, String)] = [(sl.query, tl.query), (sl.key, tl.key), (sl.value, tl.value),
                                             (sl.attentionOutput, tl.attentionOutput), (sl.attentionNorm, tl.attentionNorm),
                                             (sl.intermediate, tl.intermediate), (sl.output, tl.output), (sl.outputNorm, tl.outputNorm)]
            for (index, teacherLayer) in layers.enumerated() {
                let studentLayer = sp + s.layerPrefix(pass: index), source = tp + t.layerPrefix(pass: teacherLayer)
                for (studentRole, teacherRole) in roles { pair(studentLayer + studentRole, source + teacherRole) }
                let table = BertParameters.learnedRelativePositions
                map[studentLayer + table] = source + table
            }
        }
        pair(sp + s.poolerName, tp + t.poolerName)
        if student.head.hasMaskedLMHead && teacher.head.hasMaskedLMHead {
            let (sm, tm) = (MaskedLanguageModelHead.names(s.modelType), MaskedLanguageModelHead.names(t.modelType))
            pair(sm.dense, tm.dense)
            pair(sm.layerNorm, tm.layerNorm)
            map[sm.decoder] = tm.decoder
            map[sm.bias] = tm.bias
        }
        if student.head == teacher.head && student.head != .base { pair(s.pairHeadName, t.pairHeadName) }
        var result: [String: String] = [:]
        for name in student.names {
            if let source = map[name] {
                if let spec = teacher[source] { result[name] = spec.name }
            } else if student.head == teacher.head, s.modelType == t.modelType, !name.hasPrefix(sp), teacher[name] != nil {
                result[name] = name  // the task head of the same family
            }
        }
        return result
    }

    /// The student model's parameters (HF's initialisation from `seed`, then every tensor the teacher in
    /// `teacherDirectory` holds with the same shape), with the names copied and those left fresh.
    /// - Throws: when the teacher's folder does not fit its config (naming the file and tensor).
    public static func student(_ config: BertConfig, head: ModelHead, seed: UInt64, teacherDirectory: URL, layers: [Int]? = nil)
        throws -> (store: ParameterStore, table: ParameterTable, copied: [String], fresh: [String]) {
        let teacherConfig = try ModelCheckpoint.loadConfig(directory: teacherDirectory)
        let savedHead = teacherConfig.architectures?.first.flatMap { ModelHead.parse(architecture: $0)?.1 } ?? .base
        let teacherTable = ParameterTable(config: teacherConfig, head: teacherConfig.modelType.supports(savedHead) ? savedHead : .base)
        try ModelCheckpoint.checkFits(directory: teacherDirectory, table: teacherTable)
        let architecture = try BertArchitecture(config)
        let table = ParameterTable(config: config, head: head)
        let store = ParameterStore()
        BertParameters.declare(head, architecture, encoderPrefix: table.encoderPrefix, labels: config.labelCount,
                               into: ParameterBuilder(store: store, initializerRange: architecture.initializerRange, seed: seed))
        let teacherPasses = try BertArchitecture(teacherConfig).layerPasses
        let chosen = layers ?? teacherLayers(student: architecture.layers, teacher: teacherPasses)
        let sources = try Self.sources(student: table, teacher: teacherTable, layers: chosen)
        let checkpoint = try ModelCheckpoint.openWeights(directory: teacherDirectory)
        let report = try ModelCheckpoint.resolve(checkpoint, table: teacherTable)
        var copied: [String] = [], fresh: [String] = []
        for (name, tensor) in store.ordered {
            guard let source = sources[name], let key = report.sources[source], teacherTable[source]?.shape == tensor.shape else {
                fresh.append(name)
                continue
            }
            try checkpoint.readFloats(named: key, into: UnsafeMutableBufferPointer(start: tensor.data, count: tensor.count))
            copied.append(name)
        }
        return (store, table, copied, fresh)
    }
}
