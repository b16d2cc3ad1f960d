import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The training progress display on stderr:
/// `step 120/1000 loss 6.123 lm 5.9 sop 0.69 lr 1.0e-04 1234 tok/s ETA 12:34`.
///
/// On a terminal the line is redrawn in place (carriage return, at most every `redrawInterval` seconds); otherwise
/// (a log file, a pipe) each update worth showing is printed as its own line: every logging step, and otherwise at most
/// every `plainInterval` seconds. ETA = remaining steps × mean seconds per step since the first update.
public final class ProgressLine {
    /// The numbers shown after `step i/n`; nil ones are left out.
    public struct Values: Sendable {
        public var loss: Double?
        public var lmLoss: Double?
        public var sopLoss: Double?
        public var learningRate: Double?
        public var tokensPerSecond: Double?

        public init(loss: Double? = nil, lmLoss: Double? = nil, sopLoss: Double? = nil, learningRate: Double? = nil,
                    tokensPerSecond: Double? = nil) {
            self.loss = loss
            self.lmLoss = lmLoss
            self.sopLoss = sopLoss
            self.learningRate = learningRate
            self.tokensPerSecond = tokensPerSecond
        }
    }

    public let totalSteps: Int
    public let isTerminal: Bool
    private let plainInterval: Double
    private let redrawInterval: Double
    private let output: (String) -> Void
    private let clock: () -> Double
    private var start: (step: Int, time: Double)?
    private var lastShown = -Double.infinity
    private var drawnLine: String?

    /// - Parameters:
    ///   - isTerminal: redraw in place; defaults to whether stderr is a terminal.
    ///   - plainInterval: seconds between plain lines that are not logging steps.
    ///   - output: where text goes (stderr by default, unbuffered).
    ///   - clock: monotonic seconds (injectable for tests).
    public init(
        totalSteps: Int,
        isTerminal: Bool = isatty(STDERR_FILENO) != 0,
        plainInterval: Double = 30,
        redrawInterval: Double = 0.1,
        output: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
        clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.totalSteps = totalSteps
        self.isTerminal = isTerminal
        self.plainInterval = plainInterval
        self.redrawInterval = redrawInterval
        self.output = output
        self.clock = clock
    }

    /// Reports that `step` (1-based count of finished steps) is done. `isLoggingStep`: always show this update
    /// (a plain line is printed for every logging step).
    public func update(step: Int, _ values: Values, isLoggingStep: Bool = false) {
        let now = clock()
        guard let start else {
            self.start = (step, now)
            show(Self.line(step: step, totalSteps: totalSteps, values: values, etaSeconds: nil), now: now)
            return
        }
        let interval = isTerminal ? redrawInterval : plainInterval
        guard isLoggingStep || step >= totalSteps || now - lastShown >= interval else { return }
        let stepsDone = step - start.step
        let eta = stepsDone > 0 ? (now - start.time) / Double(stepsDone) * Double(max(0, totalSteps - step)) : nil
        show(Self.line(step: step, totalSteps: totalSteps, values: values, etaSeconds: eta), now: now)
    }

    /// Prints `message` on its own line without tearing the progress line (which is redrawn below it on a terminal).
    public func message(_ message: String) {
        if isTerminal, let drawnLine {
            output("\r\u{1B}[K" + message + "\n" + drawnLine)
        } else {
            output(message + "\n")
        }
    }

    /// Ends the in-place line (a newline on a terminal) so later output starts on a fresh line.
    public func finish() {
        if isTerminal, drawnLine != nil { output("\n") }
        drawnLine = nil
    }

    private func show(_ line: String, now: Double) {
        lastShown = now
        if isTerminal {
            output("\r" + line + "\u{1B}[K")
            drawnLine = line
        } else {
            output(line + "\n")
        }
    }

    /// The text of one update: `step 120/1000 loss 6.123 lm 5.9 sop 0.69 lr 1.0e-04 1234 tok/s ETA 12:34`.
    public static func line(step: Int, totalSteps: Int, values: Values, etaSeconds: Double?) -> String {
        var parts = ["step \(step)/\(totalSteps)"]
        if let loss = values.loss { parts.append("loss " + format("%.4g", loss)) }
        if let lm = values.lmLoss { parts.append("lm " + format("%.4g", lm)) }
        if let sop = values.sopLoss { parts.append("sop " + format("%.4g", sop)) }
        if let rate = values.learningRate { parts.append("lr " + format("%.1e", rate)) }
        if let tokens = values.tokensPerSecond { parts.append(format("%.0f", tokens) + " tok/s") }
        parts.append("ETA " + formatDuration(etaSeconds))
        return parts.joined(separator: " ")
    }

    /// `m:ss` under an hour, `h:mm:ss` from an hour on (hours keep counting past a day), `--:--` when unknown.
    public static func formatDuration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0, seconds < 1e12 else { return "--:--" }
        let total = Int(seconds.rounded())
        let hours = total / 3600, minutes = total / 60 % 60, remainder = total % 60
        let secondsText = remainder < 10 ? "0\(remainder)" : "\(remainder)"
        if hours == 0 { return "\(minutes):\(secondsText)" }
        return "\(hours):\(minutes < 10 ? "0" : "")\(minutes):\(secondsText)"
    }

    private static func format(_ pattern: String, _ value: Double) -> String {
        value.isFinite ? String(format: pattern, value) : (value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf"))
    }
}
