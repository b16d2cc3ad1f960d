/// One logged training step.
public struct TrainingRow: Sendable, Equatable {
    public var step: Int
    public var maxSteps: Int
    public var loss: Double
    public var lmLoss: Double
    public var sopLoss: Double?
    public var learningRate: Double
    public var tokensPerSecond: Double
    public var gradientNorm: Double
    public var lossScale: Double?
    public var consumedSamples: Int
    /// Seconds left at the current speed.
    public var etaSeconds: Double
    /// Steps skipped for a non-finite loss or gradient since the last row.
    public var skippedSteps: Int
    /// Seconds per step this rank spent in collectives (data-parallel runs only).
    public var communicationSeconds: Double? = nil
    /// Distillation: the KL term against the teacher's soft targets (before α_ce · T²) and the cosine loss.
    public var ceLoss: Double? = nil
    public var cosLoss: Double? = nil
}

/// One evaluation over the validation (or, at the end, test) split.
public struct EvaluationRow: Sendable, Equatable {
    public var step: Int
    public var split: String
    public var loss: Double
    public var lmLoss: Double
    public var sopLoss: Double?
    /// exp(lm_loss).
    public var perplexity: Double
}

/// Where the training loop reports; the CLI plugs in the console, JSONL, TensorBoard and HTML writers.
public protocol PretrainingMonitor: AnyObject {
    func started(settings: [(String, String)], resumedFromStep: Int?)
    func trained(_ row: TrainingRow)
    func evaluated(_ row: EvaluationRow)
    func saved(_ path: String, step: Int)
    func note(_ message: String)
    func finished(step: Int)
}
