import Foundation

/// Problems met while reading and encoding data that do not stop the run: skipped records and truncated inputs,
/// counted by reason, with the first few locations (`file:line`) kept for the log.
public final class DataIssues: @unchecked Sendable {
    /// Reason → how many times it happened.
    public private(set) var counts: [String: Int] = [:]
    /// The first locations per reason, e.g. `train.json:12: label "neutral" is not in the label list`.
    public private(set) var examples: [String: [String]] = [:]
    /// Reasons in first-seen order (for stable reports).
    public private(set) var reasons: [String] = []
    let keptPerReason: Int

    public init(keptPerReason: Int = 3) { self.keptPerReason = keptPerReason }

    /// Records one occurrence of `reason` at `file:line` (line 0: the whole file).
    public func note(_ reason: String, file: String, line: Int, detail: String? = nil) {
        if counts[reason] == nil { reasons.append(reason) }
        counts[reason, default: 0] += 1
        if examples[reason, default: []].count < keptPerReason {
            let location = line > 0 ? "\(file):\(line)" : file
            examples[reason, default: []].append(detail.map { "\(location): \($0)" } ?? location)
        }
    }

    public func count(_ reason: String) -> Int { counts[reason] ?? 0 }

    public var isEmpty: Bool { counts.isEmpty }

    /// One line per reason: `skipped 3 × malformed JSON (train.json:4, …)`.
    public var summary: [String] {
        reasons.map { reason in
            let places = examples[reason, default: []].joined(separator: "; ")
            let more = counts[reason]! > examples[reason, default: []].count ? "; …" : ""
            return "\(counts[reason]!) × \(reason) (\(places)\(more))"
        }
    }
}

/// Standard reasons, so logs and tests use one spelling.
public enum DataIssue {
    public static let malformedLine = "malformed line skipped"
    public static let unknownLabel = "label not in the label list, example skipped"
    public static let emptyText = "empty text, example skipped"
    public static let missingLabel = "no label, example skipped"
    public static let truncated = "input longer than max_seq_length, truncated"
    public static let answerNotFound = "answer not found in the context, example not used for training"
    public static let answerOutsideWindows = "answer cut off by every window (trained as no answer)"
    public static let wordsWithoutTokens = "words that give no token (predicted O)"
}
