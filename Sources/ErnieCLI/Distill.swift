import ArgumentParser
import ErnieModels
import ErnieTraining
import Foundation

/// How `ernie distill` starts the student.
enum StudentInit: String, ExpressibleByArgument, CaseIterable {
    /// The teacher's embeddings, a spread of its layers and its heads (DistilBERT's extract_distilbert.py).
    case fromTeacher = "from_teacher"
    /// The --model_name_or_path model (with --student_layers: a spread of its layers).
    case pretrained
    /// HF's initialisation of the student's config.
    case random
}

/// `ernie distill`: DistilBERT-style knowledge distillation in the one training core. Without `--task_name` it is
/// general distillation on `ernie pretrain`'s data and options (MLM soft targets + MLM + cosine); with it, task
/// distillation on `ernie finetune`'s data and options (soft labels of a fine-tuned teacher + the labels).
struct Distill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Train a student against a frozen teacher: loss α_ce · T² · KL(teacher/T ‖ student/T) + α_mlm · MLM (or α_task · the task loss) + α_cos · cosine of hidden states.",
        discussion: """
            Every other option is `ernie pretrain`'s (general distillation) or, with --task_name, `ernie finetune`'s (task \
            distillation); their --model_name_or_path is the student's starting point when given. The student must share \
            the teacher's vocabulary.
            """)

    @Option(name: .customLong("teacher_name_or_path"), help: "The teacher's folder: a pretraining checkpoint (general) or a model fine-tuned on the task.")
    var teacherNameOrPath: String
    @Option(name: .customLong("alpha_ce"), help: "Weight of the soft-target KL term (multiplied by T²).") var alphaCE = 0.5
    @Option(name: .customLong("alpha_mlm"), help: "Weight of the student's own pretraining loss (general distillation).") var alphaMLM = 0.5
    @Option(name: .customLong("alpha_task"), help: "Weight of the task loss on the labels (task distillation).") var alphaTask = 0.5
    @Option(name: .customLong("alpha_cos"), help: "Weight of the cosine loss between the last hidden states (general distillation).") var alphaCos = 0.0
    @Option(name: .customLong("temperature"), help: "Softmax temperature T of the soft targets.") var temperature = 2.0
    @Option(name: .customLong("student_init"), help: "from_teacher (the teacher's embeddings, layers spread evenly, heads), pretrained (--model_name_or_path), or random (default: pretrained when --model_name_or_path is given, else from_teacher).")
    var studentInit: StudentInit?
    @Option(name: .customLong("student_layers"), help: "The student's num_hidden_layers (default with from_teacher: half the teacher's).")
    var studentLayers: Int?
    @Option(name: .customLong("student_model_type"), help: "The student's family, e.g. distilbert (default: its source's).")
    var studentModelType: ModelType?
    @Argument(parsing: .allUnrecognized, help: "`ernie pretrain` options, or `ernie finetune` options with --task_name.")
    var trainingOptions: [String] = []

    var isTaskDistillation: Bool { trainingOptions.contains { $0 == "--task_name" || $0.hasPrefix("--task_name=") } }

    func run() throws {
        var settings = DistillationSettings(teacherPath: teacherNameOrPath)
        settings.alphaCE = alphaCE
        settings.alphaMLM = alphaMLM
        settings.alphaTask = alphaTask
        settings.alphaCos = alphaCos
        settings.temperature = temperature
        try settings.validate()
        guard ModelCheckpoint.hasConfig(directory: URL(fileURLWithPath: teacherNameOrPath)) else {
            throw ValidationError("--teacher_name_or_path \(teacherNameOrPath): no config.json there (give a Hugging Face model folder)")
        }
        let student = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-student-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: student) }
        if isTaskDistillation {
            var command = try Self.parse(Finetune.self, trainingOptions)
            let head = (command.taskName ?? .sequenceClassification).head
            if let path = try studentFolder(given: command.modelNameOrPath, head: head, to: student) { command.modelNameOrPath = path }
            try command.run(distillation: settings)
        } else {
            var command = try Self.parse(Pretrain.self, trainingOptions)
            let source = try ModelCheckpoint.loadConfig(directory: URL(fileURLWithPath: command.modelNameOrPath ?? teacherNameOrPath))
            let head = (studentModelType ?? command.modelType ?? source.modelType).pretrainingHead
            if let path = try studentFolder(given: command.modelNameOrPath, head: head, to: student) { command.modelNameOrPath = path }
            try command.run(distillation: settings)
        }
    }

    /// The training command's options, with its errors said as `ernie distill`'s.
    static func parse<Command: ParsableCommand>(_ command: Command.Type, _ options: [String]) throws -> Command {
        do { return try Command.parse(options) } catch {
            throw ValidationError("\(Command.message(for: error)) (ernie distill passes it on to ernie \(Command.configuration.commandName ?? ""))")
        }
    }

    /// Writes the student's starting folder to `destination` and returns it, or nil when the given model is the
    /// student as it is.
    func studentFolder(given model: String?, head: ModelHead, to destination: URL) throws -> String? {
        let initialisation = studentInit ?? (model != nil ? .pretrained : .fromTeacher)
        if initialisation == .pretrained {
            guard let model else { throw ValidationError("--student_init pretrained takes the student from --model_name_or_path: give it") }
            if studentLayers == nil && studentModelType == nil { return nil }
        } else if model != nil {
            throw ValidationError("--student_init \(initialisation.rawValue) and --model_name_or_path both say where the student starts: give one")
        }
        let source = URL(fileURLWithPath: initialisation == .pretrained ? model! : teacherNameOrPath)
        let sourceConfig = try ModelCheckpoint.loadConfig(directory: source)
        // DistilBERT halves BERT: the default student has half the source's layers.
        let layers = studentLayers ?? (initialisation == .pretrained ? nil : max(1, (sourceConfig.layerCount + 1) / 2))
        let summary = try StudentFolder.write(from: source, to: destination, layers: layers, modelType: studentModelType, head: head,
                                              copyWeights: initialisation != .random, seed: 42)
        let shape = "\(summary.config.modelType.rawValue) \(summary.config.layerCount) × \(summary.config.hiddenSize)"
        if initialisation == .random {
            warn("student: \(shape), initialised at random")
        } else {
            warn("student: \(shape) from \(source.path), layers \(summary.sourceLayers); \(summary.copied) tensors copied"
                 + (summary.fresh.isEmpty ? "" : ", newly initialised: \(summary.fresh.prefix(8).joined(separator: ", "))\(summary.fresh.count > 8 ? ", …" : "")"))
        }
        return destination.path
    }
}
