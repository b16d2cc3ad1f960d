import Foundation

/// Where a training run reports, for every command: a progress line on stderr, `logs/metrics.jsonl`, TensorBoard
/// events under `logs/`, and `report.html` (refreshed at every evaluation, save and at the end). `quiet` keeps the
/// files and drops the console; `silent` writes nothing at all (the ranks other than 0 of a data-parallel run).
public final class RunLogger {
    let outputDirectory: URL
    let title: String
    let quiet: Bool
    let silent: Bool
    var metrics: MetricsLog?
    var tensorBoard: TensorBoardWriter?
    var progress: ProgressLine?
    var settings: [(String, String)] = []
    /// Every console message (tests read them).
    public private(set) var notes: [String] = []

    public init(outputDirectory: URL, title: String, quiet: Bool = false, silent: Bool = false) {
        self.outputDirectory = outputDirectory
        self.title = title
        self.quiet = quiet || silent
        self.silent = silent
    }

    /// Opens the logs (rows after `resumedFromStep` are dropped: a resumed run rewrites them) and prints the settings.
    public func started(settings: [(String, String)], totalSteps: Int, resumedFromStep: Int?) {
        self.settings = settings
        guard !silent else { return }
        if !quiet && totalSteps > 0 { progress = ProgressLine(totalSteps: totalSteps) }
        do {
            metrics = try MetricsLog(outputDirectory: outputDirectory, resumingAfterStep: resumedFromStep)
            tensorBoard = try TensorBoardWriter(logDirectory: outputDirectory.appendingPathComponent("logs"), resumingAfterStep: resumedFromStep)
        } catch {
            note("logging disabled: \(error)")
        }
        note(settings.map { "  \($0.0): \($0.1)" }.joined(separator: "\n"))
    }

    /// A training row, and the progress line's values.
    public func trained(step: Int, _ fields: [(String, MetricValue)], progress values: ProgressLine.Values) {
        record(MetricsRow(fields))
        progress?.update(step: step, values, isLoggingStep: true)
    }

    /// An evaluation row, with its console summary; the report is refreshed.
    public func evaluated(_ fields: [(String, MetricValue)], summary: String) {
        record(MetricsRow(fields))
        note(summary)
        writeReport()
    }

    public func saved(_ path: String) {
        guard !silent else { return }
        progress?.message("saved \(path)")
        writeReport()
    }

    public func note(_ message: String) {
        notes.append(message)
        guard !quiet else { return }
        if let progress { progress.message(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    }

    /// Closes the progress line, writes the final report, and prints `message` when given.
    public func finished(_ message: String? = nil) {
        progress?.finish()
        writeReport()
        if let message { note(message) }
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
