import Foundation

/// Pretraining's rows in the run log: `loss`, `lm_loss`, `sop_loss`, … and `eval_*` / `test_*` evaluations.
extension RunLogger: PretrainingMonitor {
    public func started(settings: [(String, String)], resumedFromStep: Int?) {
        let maxSteps = settings.first { $0.0 == "max_steps" }.flatMap { Int($0.1) } ?? 0
        started(settings: settings, totalSteps: maxSteps, resumedFromStep: resumedFromStep)
        if let step = resumedFromStep { note("resumed from step \(step) (\(outputDirectory.path)/model_last)") }
    }

    public func trained(_ row: TrainingRow) {
        var fields: [(String, MetricValue)] = [("step", .init(row.step)), ("loss", .init(row.loss)), ("lm_loss", .init(row.lmLoss))]
        if let sop = row.sopLoss { fields.append(("sop_loss", .init(sop))) }
        if let ce = row.ceLoss { fields.append(("loss_ce", .init(ce))) }
        if let cos = row.cosLoss { fields.append(("loss_cos", .init(cos))) }
        fields += [("lr", .init(row.learningRate)), ("tokens_per_s", .init(row.tokensPerSecond)),
                   ("grad_norm", .init(row.gradientNorm)), ("consumed_samples", .init(row.consumedSamples))]
        if let scale = row.lossScale { fields.append(("loss_scale", .init(scale))) }
        if row.skippedSteps > 0 { fields.append(("skipped_steps", .init(row.skippedSteps))) }
        if let seconds = row.communicationSeconds { fields.append(("comm_s", .init(seconds))) }
        trained(step: row.step, fields, progress: ProgressLine.Values(
            loss: row.loss, lmLoss: row.lmLoss, sopLoss: row.sopLoss, learningRate: row.learningRate, tokensPerSecond: row.tokensPerSecond))
    }

    public func evaluated(_ row: EvaluationRow) {
        let prefix = row.split == "valid" ? "eval" : row.split
        var fields: [(String, MetricValue)] = [("step", .init(row.step)), ("\(prefix)_loss", .init(row.loss)),
                                               ("\(prefix)_lm_loss", .init(row.lmLoss))]
        if let sop = row.sopLoss { fields.append(("\(prefix)_sop_loss", .init(sop))) }
        fields.append(("\(prefix)_ppl", .init(row.perplexity)))
        evaluated(fields, summary: String(format: "%@ at step %d: loss %.4f, lm_loss %.4f%@, ppl %.2f", row.split, row.step, row.loss,
                                          row.lmLoss, row.sopLoss.map { String(format: ", sop_loss %.4f", $0) } ?? "", row.perplexity))
    }

    public func saved(_ path: String, step: Int) { saved(path) }

    public func finished(step: Int) {
        finished("finished at step \(step): report \(outputDirectory.appendingPathComponent("report.html").path), " +
                 "metrics \(outputDirectory.appendingPathComponent("logs/metrics.jsonl").path), TensorBoard --logdir \(outputDirectory.appendingPathComponent("logs").path)")
    }
}
