/// The optimizer a run asks for, with the seeds' hyperparameter names (`--optimizer`, `--adam_beta1`, …); the same for
/// every command.
public struct OptimizerSettings: Sendable, Codable, Equatable {
    public var kind: OptimizerKind = .adamw
    /// AdamW / LAMB β₁, and Momentum's μ (PaddleNLP passes its `adam_beta1` as the momentum).
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    public var weightDecay = 0.0

    public init(kind: OptimizerKind = .adamw, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        self.kind = kind
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public var rule: any UpdateRule {
        switch kind {
        case .adamw: AdamWRule(beta1: Float(beta1), beta2: Float(beta2), epsilon: Float(epsilon), weightDecay: Float(weightDecay))
        case .lamb: LAMBRule(beta1: Float(beta1), beta2: Float(beta2), epsilon: Float(epsilon), weightDecay: Float(weightDecay))
        case .momentum: MomentumRule(momentum: Float(beta1), weightDecay: Float(weightDecay))
        }
    }

    public var summary: String {
        switch kind {
        case .adamw, .lamb: "\(kind.rawValue) (β \(beta1), \(beta2), ε \(epsilon)), weight_decay \(weightDecay)"
        case .momentum: "momentum \(beta1), weight_decay \(weightDecay)"
        }
    }
}
