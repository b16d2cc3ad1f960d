import ErnieEngine
import ErnieModels
import Foundation

/// Task distillation: the teacher is a model fine-tuned on the same task with the same labels.
extension FineTuner {
    /// The frozen teacher of `settings`, checked against the student.
    /// - Throws: when the teacher is not a fine-tuned model of this task, its labels or vocabulary differ from the
    ///   student's, or its folder lacks tensors of its head (naming the file and field or tensors).
    static func teacher(_ settings: DistillationSettings, task: FineTuningTask, useCrf: Bool, student: BertConfig,
                        studentDirectory: URL, studentTokens: [String], seed: UInt64) throws -> FineTuningModel {
        let directory = settings.teacherDirectory
        let configFile = directory.appendingPathComponent("config.json").path
        guard ModelCheckpoint.hasConfig(directory: directory) else {
            throw TrainingError.missingInput("the teacher \(settings.teacherPath) has no config.json: give a model fine-tuned on the task (an `ernie finetune` output_dir)")
        }
        let config = try ModelCheckpoint.loadConfig(directory: directory)
        let head = config.architectures?.first.flatMap { ModelHead.parse(architecture: $0)?.1 }
        guard head == task.head else {
            throw TrainingError.invalidConfiguration(
                "the teacher must be fine-tuned on the task: architectures in \(configFile) is \(config.architectures?.first ?? "absent"), not a \(task.head.architectureName(for: config.modelType))")
        }
        if task == .sequenceClassification || task == .tokenClassification {
            guard config.labelsById == student.labelsById else {
                let names = { (c: BertConfig) in c.labelsById.keys.sorted().map { c.labelsById[$0]! }.joined(separator: ", ") }
                throw TrainingError.invalidConfiguration(
                    "the teacher's labels (id2label in \(configFile): \(names(config))) differ from the student's (\(names(student)))")
            }
            guard task == .tokenClassification || (student.problemType ?? .singleLabelClassification) == .singleLabelClassification else {
                throw TrainingError.invalidConfiguration(
                    "task distillation matches class distributions: problem_type \(student.problemType!.rawValue) has none")
            }
        }
        try DistillationCompatibility.check(
            teacher: config, teacherDirectory: directory, student: student,
            studentSource: studentDirectory.appendingPathComponent("config.json").path, studentTokens: studentTokens, cosine: settings.alphaCos > 0)
        try ModelCheckpoint.checkFits(directory: directory, table: ParameterTable(config: config, head: task.head))
        let hasCrf = FileManager.default.fileExists(atPath: directory.appendingPathComponent(FineTuningModel.crfFileName).path)
        let teacher = try FineTuningModel(task: task, config: config, useCrf: useCrf && hasCrf, seed: seed)
        let report = try teacher.load(from: directory)
        guard report.uninitializedParameters.isEmpty else {
            throw TrainingError.missingInput(
                "the teacher \(settings.teacherPath) lacks \(report.uninitializedParameters.prefix(6).joined(separator: ", ")): give a model fine-tuned on the task")
        }
        return teacher
    }

    /// KL(teacher/T ‖ student/T) over the task's logits: every row of sequence classification and multiple choice,
    /// the non-padding tokens of token classification, the mean of the start and end distributions of QA.
    static func softTargetLoss(_ student: FineTuningModel.Output, _ teacher: FineTuningModel.Output, batch: FeatureBatch,
                               task: FineTuningTask, temperature: Float, graph: Graph) throws -> Tensor {
        switch task {
        case .sequenceClassification, .multipleChoice:
            return try graph.softTargetKLDivergence(student: student.logits, teacher: teacher.logits, temperature: temperature)
        case .tokenClassification:
            guard let mask = batch.inputs.attentionMask else {
                return try graph.softTargetKLDivergence(student: student.logits, teacher: teacher.logits, temperature: temperature)
            }
            let tokens = mask.indices.filter { mask[$0] != 0 }.map(Int32.init)
            return try graph.softTargetKLDivergence(
                student: graph.gatherRows(student.logits, indices: tokens, operation: "tokens"),
                teacher: Graph.inference().gatherRows(teacher.logits, indices: tokens), temperature: temperature)
        case .questionAnswering:
            let start = try graph.softTargetKLDivergence(student: student.logits, teacher: teacher.logits, temperature: temperature)
            let end = try graph.softTargetKLDivergence(student: student.endLogits!, teacher: teacher.endLogits!, temperature: temperature)
            return graph.scale(try graph.add(start, end), by: 0.5)
        }
    }
}
