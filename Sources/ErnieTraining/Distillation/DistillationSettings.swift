import Foundation

/// `ernie distill`: a frozen teacher's outputs join the student's loss (DistilBERT's distiller). General
/// distillation (MLM pretraining): α_ce · T² · KL(teacher/T ‖ student/T) over the masked positions + α_mlm · the
/// student's own pretraining loss + α_cos · the cosine loss of the last hidden states over the non-padding tokens.
/// Task distillation (fine-tuning): α_ce · T² · KL over the task's logits + α_task · the task loss on the labels
/// (+ α_cos as above).
public struct DistillationSettings: Sendable, Codable, Equatable {
    /// The teacher's Hugging Face folder: a pretraining checkpoint (general) or a model fine-tuned on the task.
    public var teacherPath: String
    public var alphaCE = 0.5
    public var alphaMLM = 0.5
    public var alphaTask = 0.5
    public var alphaCos = 0.0
    public var temperature = 2.0

    public init(teacherPath: String) {
        self.teacherPath = teacherPath
    }

    /// - Throws: for a non-positive temperature, negative weights, or weights that are all zero.
    public func validate() throws {
        guard temperature > 0, temperature.isFinite else {
            throw TrainingError.invalidConfiguration("temperature must be positive, got \(temperature)")
        }
        for (name, value) in [("alpha_ce", alphaCE), ("alpha_mlm", alphaMLM), ("alpha_task", alphaTask), ("alpha_cos", alphaCos)]
        where !(value >= 0 && value.isFinite) {
            throw TrainingError.invalidConfiguration("\(name) must be ≥ 0, got \(value)")
        }
    }

    var teacherDirectory: URL { URL(fileURLWithPath: teacherPath) }
}
