import Foundation

/// Where a fine-tuning run reports: a progress line on stderr, `logs/metrics.jsonl`, TensorBoard events under `logs/`,
/// and `report.html` (refreshed at every evaluation and at the end). `quiet` keeps the files and drops the console.
public final class FineTuningLogger {
    let outputDirectory: URL
    let title: String
    let quiet: Bool
    /// Writes no files and prints nothing (the ranks other than 0 of a data-parallel run).
    let silent: Bool
    var metrics: MetricsLog?
    var tensorBoard: TensorBoardWriter?
    var progress: ProgressLine?
    var settings: [(String, String)] = []
    /// Every console message (tests read them).
    public private(set) var notes: [String] = []

    public init(outputDirectory: URL, title: String = "ernie fine-tuning", quiet: Bool = false, silent: Bool = false) {
        self.outputDirectory = outputDirectory
        self.title = title
        self.quiet = quiet || silent
        self.silent = silent
    }

    /// - Parameter resumingAfterStep: the checkpoint's step when resuming (metrics rows after it are dropped).
    public func started(settings: [(String, String)], totalSteps: Int, resumingAfterStep: Int? = nil) {
        self.settings = settings
        guard !silent else { return }
        if !quiet && totalSteps > 0 { progress = ProgressLine(totalSteps: totalSteps) }
        do {
            metrics = try MetricsLog(outputDirectory: outputDirectory, resumingAfterStep: resumingAfterStep)
            tensorBoard = try TensorBoardWriter(logDirectory: outputDirectory.appendingPathComponent("logs"))
        } catch {
            note("logging disabled: \(error)")
        }
        note(settings.map { "  \($0.0): \($0.1)" }.joined(separator: "\n"))
    }

    /// A training row: step, loss, lr, grad_norm, epoch, tokens_per_s.
    public func trained(step: Int, loss: Double, learningRate: Double, gradientNorm: Double, epoch: Double, tokensPerSecond: Double) {
        record(MetricsRow([("step", .init(step)), ("loss", .init(loss)), ("lr", .init(learningRate)), ("grad_norm", .init(gradientNorm)),
                           ("epoch", .init(epoch)), ("tokens_per_s", .init(tokensPerSecond))]))
        progress?.update(step: step, ProgressLine.Values(loss: loss, learningRate: learningRate, tokensPerSecond: tokensPerSecond),
                         isLoggingStep: true)
    }

    /// An evaluation row: `eval_<metric>` for each metric.
    public func evaluated(step: Int, epoch: Double, metrics values: [(name: String, value: Double)]) {
        record(MetricsRow([("step", .init(step)), ("epoch", .init(epoch))] + values.map { ("eval_" + $0.name, MetricValue($0.value)) }))
        note("eval at step \(step): " + values.map { String(format: "%@ %.4f", $0.name, $0.value) }.joined(separator: ", "))
        writeReport()
    }

    public func note(_ message: String) {
        notes.append(message)
        guard !quiet else { return }
        if let progress { progress.message(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    }

    public func finished() {
        progress?.finish()
        writeReport()
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
        guard metrics != nil else { return }
        do { try TrainingReport.write(outputDirectory: outputDirectory, settings: settings, title: title) } catch {
            note("could not write the report: \(error)")
        }
    }
}
