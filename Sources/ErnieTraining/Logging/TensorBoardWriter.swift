import ErnieBasics
import Foundation

/// Scalars as a TensorBoard event file, `<logDirectory>/events.out.tfevents.<unix time>.<hostname>`, readable by
/// `tensorboard --logdir <logDirectory>`. Tags are `train/loss`, `train/lr`, `eval/loss` …
/// (`tag(forMetric:)` maps metrics-row keys to them).
///
/// Every event is one `write(2)` of a whole record, so a killed run loses nothing already written. Resuming from step s
/// rewrites the directory's earlier event files without events of step > s (TensorBoard would otherwise plot both the
/// abandoned and the resumed values for those steps); a new run removes them, as `MetricsLog` replaces its file.
/// Not thread-safe: call from the training loop only (rank 0).
public final class TensorBoardWriter {
    /// The event file this writer appends to.
    public let fileURL: URL
    private let handle: FileHandle
    private let clock: () -> Double

    /// Creates a new event file in `logDirectory` (creating the directory) and writes its version record.
    /// - Parameters:
    ///   - resumingAfterStep: the checkpoint's step when resuming: older event files in the directory lose their
    ///     events with a larger step. nil for a new run: older `events.out.tfevents.*` files in the directory are removed.
    ///   - hostName: the file name's last part.
    ///   - clock: wall time in seconds since 1970 for each event (injectable for tests).
    public init(
        logDirectory: URL,
        resumingAfterStep: Int? = nil,
        hostName: String = ProcessInfo.processInfo.hostName,
        clock: @escaping () -> Double = { Date().timeIntervalSince1970 }
    ) throws {
        self.clock = clock
        try LoggingFiles.createDirectory(logDirectory)
        if let step = resumingAfterStep {
            try Self.dropEvents(after: Int64(step), in: logDirectory)
        } else {
            try Self.removeEventFiles(in: logDirectory)
        }
        let wallTime = clock()
        let baseName = "events.out.tfevents.\(Int64(wallTime.rounded(.down))).\(hostName)"
        // Two writers started within the same second (a quick resume) get a numbered file; TensorBoard reads files in
        // name order, and "name" sorts before "name.1".
        var attempt = 0
        while true {
            let url = logDirectory.appendingPathComponent(attempt == 0 ? baseName : "\(baseName).\(attempt)")
            if FileManager.default.fileExists(atPath: url.path) {
                attempt += 1
                continue
            }
            fileURL = url
            handle = try LoggingFiles.openForAppending(url, exclusive: true)
            break
        }
        try write(TensorBoardEvent.fileVersion(wallTime: wallTime))
    }

    /// One event holding every (tag, value) at `step`. Values are stored as 32-bit floats, as TensorBoard does.
    public func addScalars(_ values: [(tag: String, value: Double)], step: Int) throws {
        guard !values.isEmpty else { return }
        try write(TensorBoardEvent.scalars(values.map { ($0.tag, Float($0.value)) }, step: Int64(step), wallTime: clock()))
    }

    public func addScalar(_ tag: String, _ value: Double, step: Int) throws {
        try addScalars([(tag, value)], step: step)
    }

    /// Every number of `row` except `step` itself, under `tag(forMetric:)`, at the row's step. Strings and nulls are
    /// skipped. A row without a step is a programmer error.
    public func addScalars(from row: MetricsRow) throws {
        guard let step = row.step else { preconditionFailure("metrics row without an integer step: \(row.jsonLine)") }
        let values = row.fields.compactMap { field -> (tag: String, value: Double)? in
            guard field.key != "step", let value = field.value.number else { return nil }
            return (Self.tag(forMetric: field.key), value)
        }
        try addScalars(values, step: step)
    }

    /// TensorBoard tag of a metrics-row key: `eval_loss` → `eval/loss`, `eval_ppl` → `eval/ppl`, `loss` → `train/loss`,
    /// `lr` → `train/lr`, `tokens_per_s` → `train/tokens_per_s`. Keys already holding a `/` are used as they are.
    public static func tag(forMetric key: String) -> String {
        if key.contains("/") { return key }
        if key.hasPrefix("eval_") { return "eval/" + key.dropFirst(5) }
        return "train/" + key
    }

    private func write(_ event: [UInt8]) throws {
        try LoggingFiles.write(TFRecord.frame(event), to: handle, path: fileURL)
    }

    static func eventFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func removeEventFiles(in directory: URL) throws {
        for url in eventFiles(in: directory) {
            do {
                try FileManager.default.removeItem(at: url)
            } catch {
                throw LoggingFileError(path: url.path, reason: "cannot remove the previous run's events (\(error.localizedDescription))")
            }
        }
    }

    /// Rewrites each event file of `directory` holding events with step > `step` without them (and without a torn tail).
    static func dropEvents(after step: Int64, in directory: URL) throws {
        for url in eventFiles(in: directory) {
            let bytes = try LoggingFiles.read(url)
            var kept: [UInt8] = []
            for record in TFRecord.records(in: bytes) {
                // The version record has step 0; records that do not decode are kept as they are.
                if let eventStep = TensorBoardEvent.step(of: record.data), eventStep > step { continue }
                kept.append(contentsOf: bytes[record.framed])
            }
            if kept != bytes { try LoggingFiles.writeAtomically(kept, to: url) }
        }
    }
}
