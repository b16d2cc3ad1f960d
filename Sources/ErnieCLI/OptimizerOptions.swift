import ArgumentParser
import ErnieTraining

extension OptimizerKind: ExpressibleByArgument {
    /// ernie's names, any case, and MindSpore's (`Lamb`, `Momentum`, `AdamWeightDecay`).
    public init?(argument: String) {
        switch argument.lowercased() {
        case "adamw", "adamweightdecay", "adam_weight_decay": self = .adamw
        case "lamb": self = .lamb
        case "momentum": self = .momentum
        default: return nil
        }
    }
}

/// The optimizer flags `pretrain` and `finetune` share (PaddleNLP's and Hugging Face Trainer's spellings agree).
struct OptimizerOptions: ParsableArguments {
    @Option(name: .customLong("optimizer"), help: "adamw, lamb or momentum (adam_beta1 is the momentum).") var optimizer: OptimizerKind = .adamw
    @Option(name: .customLong("weight_decay"), parsing: .unconditional, help: "Default: 0.01 in pretrain (PaddleNLP's), 0 in finetune (HF Trainer's).")
    var weightDecay: Double?
    @Option(name: .customLong("adam_beta1"), parsing: .unconditional) var adamBeta1 = 0.9
    @Option(name: .customLong("adam_beta2"), parsing: .unconditional) var adamBeta2 = 0.999
    @Option(name: .customLong("adam_epsilon"), parsing: .unconditional) var adamEpsilon = 1e-8

    func settings(defaultWeightDecay: Double) -> OptimizerSettings {
        OptimizerSettings(kind: optimizer, beta1: adamBeta1, beta2: adamBeta2, epsilon: adamEpsilon, weightDecay: weightDecay ?? defaultWeightDecay)
    }
}
