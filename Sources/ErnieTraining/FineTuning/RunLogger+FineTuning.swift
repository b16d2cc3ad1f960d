import Foundation

/// Fine-tuning's rows in the run log, with Hugging Face Trainer's keys (`loss`, `lr`, `grad_norm`, `epoch`, `eval_*`).
extension RunLogger {
    public func trained(step: Int, loss: Double, learningRate: Double, gradientNorm: Double, epoch: Double, tokensPerSecond: Double) {
        trained(step: step, [("step", .init(step)), ("loss", .init(loss)), ("lr", .init(learningRate)), ("grad_norm", .init(gradientNorm)),
                             ("epoch", .init(epoch)), ("tokens_per_s", .init(tokensPerSecond))],
                progress: ProgressLine.Values(loss: loss, learningRate: learningRate, tokensPerSecond: tokensPerSecond))
    }

    public func evaluated(step: Int, epoch: Double, metrics values: [(name: String, value: Double)]) {
        evaluated([("step", .init(step)), ("epoch", .init(epoch))] + values.map { ("eval_" + $0.name, MetricValue($0.value)) },
                  summary: "eval at step \(step): " + values.map { String(format: "%@ %.4f", $0.name, $0.value) }.joined(separator: ", "))
    }
}
