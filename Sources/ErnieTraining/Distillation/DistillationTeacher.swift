import ErnieEngine
import ErnieModels
import ErnieText
import Foundation

/// Checks that a teacher and a student can be distilled together: one vocabulary (the same `vocab_size` and the same
/// tokens) and, for the cosine loss, one hidden width.
enum DistillationCompatibility {
    /// - Parameters:
    ///   - studentSource: where the student's config came from (named in the error).
    ///   - studentTokens: the student's tokenizer vocabulary, when it has one.
    /// - Throws: naming the file and the field that differ.
    static func check(teacher: BertConfig, teacherDirectory: URL, student: BertConfig, studentSource: String,
                      studentTokens: [String]?, cosine: Bool) throws {
        let teacherConfig = teacherDirectory.appendingPathComponent("config.json").path
        guard teacher.vocabularySize == student.vocabularySize else {
            throw TrainingError.invalidConfiguration(
                "the teacher and the student have different vocabularies: vocab_size \(teacher.vocabularySize) in \(teacherConfig), \(student.vocabularySize) in \(studentSource)")
        }
        if cosine && teacher.hiddenSize != student.hiddenSize {
            throw TrainingError.invalidConfiguration(
                "alpha_cos compares hidden states, but hidden_size is \(teacher.hiddenSize) in \(teacherConfig) and \(student.hiddenSize) in \(studentSource): set --alpha_cos 0")
        }
        // vocab.txt names a token by line, a BPE vocab.json by id.
        let files = [("vocab.txt", "line"), ("vocab.json", "id")].map { (teacherDirectory.appendingPathComponent($0.0), $0.1) }
        guard let studentTokens, let found = files.first(where: { FileManager.default.fileExists(atPath: $0.0.path) }) else { return }
        let (vocabFile, unit) = found
        let teacherTokens = try TokenizerLoader.load(teacherDirectory).vocabulary.tokens
        guard teacherTokens != studentTokens else { return }
        let index = (0..<min(teacherTokens.count, studentTokens.count)).first { teacherTokens[$0] != studentTokens[$0] } ?? min(teacherTokens.count, studentTokens.count)
        let (t, s) = (index < teacherTokens.count ? teacherTokens[index] : "(end)", index < studentTokens.count ? studentTokens[index] : "(end)")
        throw TrainingError.invalidConfiguration(
            "the teacher and the student have different vocabularies: \(vocabFile.path) \(unit) \(unit == "line" ? index + 1 : index) is \(t.debugDescription), the student's tokenizer has \(s.debugDescription) (\(teacherTokens.count) vs \(studentTokens.count) tokens)")
    }
}

/// The frozen teacher of general distillation: its `*ForPreTraining` model, run without gradients (in bf16 with
/// `--use_amp`).
final class PretrainingTeacher {
    let model: BertForPreTraining
    let config: BertConfig
    let precision: MatmulPrecision

    /// - Throws: when the folder lacks an MLM head (naming the missing tensors) or does not fit its config.
    init(directory: URL, useAmp: Bool) throws {
        config = try ModelCheckpoint.loadConfig(directory: directory)
        let table = ParameterTable(config: config, head: config.modelType.pretrainingHead)
        try ModelCheckpoint.checkFits(directory: directory, table: table)
        model = BertForPreTraining(try BertArchitecture(config), prefix: config.modelType.parameterPrefix + ".")
        let report = try PretrainedWeights.load(model.parameters, table: table, from: directory)
        // The pair head is not used by the distillation losses: a masked-LM checkpoint will do.
        let pairHead = try BertArchitecture(config).pairHeadName
        let missing = report.missingKeys.filter { !$0.hasPrefix(pairHead + ".") }
        guard missing.isEmpty else {
            throw TrainingError.missingInput(
                "the teacher \(directory.path) lacks tensors its masked-LM predictions need: \(missing.prefix(6).joined(separator: ", "))\(missing.count > 6 ? ", …" : "") (give a pretraining checkpoint)")
        }
        precision = useAmp ? .bf16 : .fp32
    }

    /// The teacher's MLM logits at the masked positions and its last hidden states. Token types are dropped for a
    /// family that has none.
    func callAsFunction(_ inputs: BertInputs, maskedPositions: [Int32]) throws -> (mlmLogits: Tensor, sequence: Tensor) {
        var inputs = inputs
        if !config.usesTokenTypes { inputs.tokenTypeIds = nil }
        let out = try model(inputs, maskedPositions: maskedPositions, graph: .inference(precision: precision))
        return (out.mlmLogits, out.sequence)
    }

    /// DistilBERT's loss for one micro-batch: α_mlm · `ownLoss` + α_ce · T² · KL · `klWeight` + α_cos · cosine ·
    /// (the micro-batch's non-padding tokens / `attendedTotal`). The KL runs over the masked positions, the cosine
    /// over the non-padding tokens (`inputs.attentionMask`). Also returns the weighted KL and cosine values.
    func distill(_ student: BertForPreTraining.Output, ownLoss: Tensor, inputs: BertInputs, maskedPositions: [Int32],
                 settings d: DistillationSettings, klWeight: Float, attendedTotal: Int, graph: Graph) throws
        -> (loss: Tensor, kl: Double, cosine: Double) {
        let taught = try self(inputs, maskedPositions: maskedPositions)
        let t = Float(d.temperature)
        // The KL term is computed (and logged) even at α_ce 0.
        let kl = try graph.softTargetKLDivergence(student: student.mlmLogits, teacher: taught.mlmLogits, temperature: t)
        var loss = try graph.add(graph.scale(ownLoss, by: Float(d.alphaMLM)), graph.scale(kl, by: Float(d.alphaCE) * t * t * klWeight))
        var cosine = 0.0
        if d.alphaCos > 0 {
            let mask = inputs.attentionMask ?? [Int32](repeating: 1, count: inputs.batch * inputs.sequence)
            let attended = mask.indices.filter { mask[$0] != 0 }.map(Int32.init)
            let cos = try graph.cosineEmbeddingLoss(
                student: graph.gatherRows(student.sequence, indices: attended, operation: "attended tokens"),
                teacher: Graph.inference().gatherRows(taught.sequence, indices: attended))
            let weight = Float(attended.count) / Float(max(1, attendedTotal))
            loss = try graph.add(loss, graph.scale(cos, by: Float(d.alphaCos) * weight))
            cosine = Double(cos.values[0]) * Double(weight)
        }
        return (loss, Double(kl.values[0]) * Double(klWeight), cosine)
    }
}
