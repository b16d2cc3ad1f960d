import Foundation

/// The standard `PretrainingMonitor`: a progress line on stderr, `logs/metrics.jsonl`, TensorBoard events under
/// `logs/`, and `report.html` (refreshed at every evaluation, save and at the end).
public final class RunLogger: PretrainingMonitor {
    let outputDirectory: URL
    let title: String
    var metrics: MetricsLog?
    var tensorBoard: TensorBoardWriter?
    var progress: ProgressLine?
    var settings: [(String, String)] = []

    public init(outputDirectory: URL, title: String = "ernie pretraining") {
        self.outputDirectory = outputDirectory
        self.title = title
    }

    public func started(settings: [(String, String)], resumedFromStep: Int?) {
        self.settings = settings
        let maxSteps = settings.first { $0.0 == "max_steps" }.flatMap { Int($0.1) } ?? 0
        progress = ProgressLine(totalSteps: maxSteps)
        do {
            metrics = try MetricsLog(outputDirectory: outputDirectory, resumingAfterStep: resumedFromStep)
            tensorBoard = try TensorBoardWriter(logDirectory: outputDirectory.appendingPathComponent("logs"), resumingAfterStep: resumedFromStep)
        } catch {
            note("logging disabled: \(error)")
        }
        let summary = settings.map { "  \($0.0): \($0.1)" }.joined(separator: "\n")
        note((resumedFromStep.map { "resuming from step \($0) (\(outputDirectory.path)/model_last)\n" } ?? "") + summary)
    }

    public func trained(_ row: TrainingRow) {
        var fields: [(String, MetricValue)] = [("step", .init(row.step)), ("loss", .init(row.loss)), ("lm_loss", .init(row.lmLoss))]
        if let sop = row.sopLoss { fields.append(("sop_loss", .init(sop))) }
        fields += [("lr", .init(row.learningRate)), ("tokens_per_s", .init(row.tokensPerSecond)),
                   ("grad_norm", .init(row.gradientNorm)), ("consumed_samples", .init(row.consumedSamples))]
        if let scale = row.lossScale { fields.append(("loss_scale", .init(scale))) }
        if row.skippedSteps > 0 { fields.append(("skipped_steps", .init(row.skippedSteps))) }
        if let seconds = row.communicationSeconds { fields.append(("comm_s", .init(seconds))) }
        record(MetricsRow(fields))
        progress?.update(step: row.step, ProgressLine.Values(loss: row.loss, lmLoss: row.lmLoss, sopLoss: row.sopLoss,
                                                             learningRate: row.learningRate, tokensPerSecond: row.tokensPerSecond),
                         isLoggingStep: true)
    }

    public func evaluated(_ row: EvaluationRow) {
        let prefix = row.split == "valid" ? "eval" : row.split
        var fields: [(String, MetricValue)] = [("step", .init(row.step)), ("\(prefix)_loss", .init(row.loss)),
                                               ("\(prefix)_lm_loss", .init(row.lmLoss))]
        if let sop = row.sopLoss { fields.append(("\(prefix)_sop_loss", .init(sop))) }
        fields.append(("\(prefix)_ppl", .init(row.perplexity)))
        record(MetricsRow(fields))
        note(String(format: "%@ at step %d: loss %.4f, lm_loss %.4f%@, ppl %.2f", row.split, row.step, row.loss, row.lmLoss,
                    row.sopLoss.map { String(format: ", sop_loss %.4f", $0) } ?? "", row.perplexity))
        writeReport()
    }

    public func saved(_ path: String, step: Int) {
        progress?.message("saved \(path)")
        writeReport()
    }

    public func note(_ message: String) {
        if let progress { progress.message(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    }

    public func finished(step: Int) {
        progress?.finish()
        writeReport()
        note("finished at step \(step): report \(outputDirectory.appendingPathComponent("report.html").path), " +
             "metrics \(outputDirectory.appendingPathComponent("logs/metrics.jsonl").path), TensorBoard --logdir \(outputDirectory.appendingPathComponent("logs").path)")
    }

    func record(_ row: MetricsRow) {
        do {
            try metrics?.append(row)
            try tensorBoard?.addScalars(from: row)
        } catch {
            note("could not write metrics: \(error)")
        }
    }

    func writeReport() {
        do { try TrainingReport.write(outputDirectory: outputDirectory, settings: settings, title: title) } catch {
            note("could not write the report: \(error)")
        }
    }
}
