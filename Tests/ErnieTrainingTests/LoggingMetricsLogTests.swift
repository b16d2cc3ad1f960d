import Foundation
import Testing
@testable import ErnieTraining

/// A fresh empty directory under the system temporary directory.
func makeLoggingTestDirectory(_ name: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("ernie-logging-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

@Suite struct LoggingMetricsLogTests {
    @Test func rowsRoundTripThroughTheFile() throws {
        let directory = try makeLoggingTestDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = try MetricsLog(outputDirectory: directory)
        let rows: [MetricsRow] = [
            ["step": 120, "loss": MetricValue(Float(6.123)), "lr": MetricValue(1e-5), "tokens_per_s": MetricValue(1234.5)],
            ["step": 121, "loss": MetricValue(Double.nan), "lm_loss": MetricValue(Double.infinity), "sop_loss": 0.6931471805599453],
            ["step": 130, "eval_loss": MetricValue(Float(0.1)), "eval_ppl": 1.1051709180756477, "note": "a \"quoted\"\\ 中文\n\u{1}"],
            ["step": 131, "tiny": -2.5e-300, "huge": 1.7976931348623157e308, "big_integer": 9_007_199_254_740_993],
        ]
        for row in rows { try log.append(row) }

        let text = try String(contentsOf: log.fileURL, encoding: .utf8)
        #expect(log.fileURL.path.hasSuffix("/logs/metrics.jsonl"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines[4].isEmpty)
        #expect(lines[0] == #"{"step": 120, "loss": 6.123, "lr": 1e-05, "tokens_per_s": 1234.5}"#)
        #expect(lines[1] == #"{"step": 121, "loss": null, "lm_loss": null, "sop_loss": 0.6931471805599453}"#)
        #expect(lines[2].hasSuffix(#""note": "a \"quoted\"\\ 中文\n\u0001"}"#))

        let read = try MetricsLog.readRows(at: log.fileURL)
        var expected = rows
        expected[1]["loss"] = .null
        expected[1]["lm_loss"] = .null
        #expect(read == expected)
        // Floats keep their own spelling and come back as the same Float.
        #expect(read[2].number("eval_loss") == 0.1 && Float(read[2].number("eval_loss")!) == Float(0.1))
        #expect(read.map(\.step) == [120, 121, 130, 131])
        #expect(read[0].fields.map(\.key) == ["step", "loss", "lr", "tokens_per_s"])
    }

    @Test func numbersRoundTripExactly() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random() ? 1 : -1)
            let text = MetricValue(value).jsonText
            let back = try MetricsRow(jsonLine: "{\"x\": \(text)}").number("x")
            #expect(back == value, "\(value) written as \(text)")
        }
        #expect(MetricValue(3).jsonText == "3" && MetricValue(-0.0).jsonText == "0")
        #expect(MetricValue(Float(1e-4)).jsonText == "0.0001")
    }

    @Test func resumingDropsRowsAfterTheCheckpointStep() throws {
        let directory = try makeLoggingTestDirectory("resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try MetricsLog(outputDirectory: directory)
        for step in 1...10 {
            try first.append(["step": MetricValue(step), "loss": MetricValue(10.0 / Double(step))])
            if step % 5 == 0 { try first.append(["step": MetricValue(step), "eval_loss": MetricValue(Double(step))]) }
        }
        // The run is killed in the middle of a line.
        let torn = try LoggingFiles.openForAppending(first.fileURL)
        try torn.write(contentsOf: Data(#"{"step": 11, "lo"#.utf8))
        #expect(try MetricsLog.readRows(at: first.fileURL).count == 12)

        let resumed = try MetricsLog(outputDirectory: directory, resumingAfterStep: 6)
        let kept = try MetricsLog.readRows(at: resumed.fileURL)
        #expect(kept.map(\.step) == [1, 2, 3, 4, 5, 5, 6])
        #expect(kept[5]["eval_loss"] == .number(5))
        for step in 7...8 { try resumed.append(["step": MetricValue(step), "loss": 1]) }
        let steps = try MetricsLog.readRows(at: resumed.fileURL).filter { $0["loss"] != nil }.compactMap(\.step)
        #expect(steps == Array(1...8))

        // A new run (no resume) starts an empty log.
        let fresh = try MetricsLog(outputDirectory: directory)
        #expect(try MetricsLog.readRows(at: fresh.fileURL).isEmpty)
    }

    @Test func malformedLinesNameTheLine() throws {
        let directory = try makeLoggingTestDirectory("malformed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("metrics.jsonl")
        try Data("{\"step\": 1}\n{\"step\": 2,}\n{\"step\": 3}\n".utf8).write(to: url)
        #expect {
            try MetricsLog.readRows(at: url)
        } throws: { error in
            String(describing: error).contains("metrics.jsonl:2")
        }
        for bad in ["", "[1]", "{\"a\": 1", "{\"a\": 1} x", "{\"a\": tru}", "{a: 1}", "{\"a\": \"\\q\"}"] {
            #expect(throws: MetricsParseError.self) { try MetricsRow(jsonLine: bad) }
        }
        let parsed = try MetricsRow(jsonLine: " { \"a\" :true,\"b\":\"\\u00e9\\ud83d\\ude00\\/\" , \"c\": -1.5E+3 } ")
        #expect(parsed == ["a": 1, "b": "é😀/", "c": -1500])
    }
}
