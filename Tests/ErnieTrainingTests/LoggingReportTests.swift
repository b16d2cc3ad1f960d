import Foundation
import Testing
@testable import ErnieTraining

@Suite struct LoggingReportTests {
    /// Pretraining-like rows: `steps` training rows and an evaluation row every `evalEvery` steps.
    static func pretrainingRows(steps: Int, evalEvery: Int) -> [MetricsRow] {
        var rows: [MetricsRow] = []
        for step in 1...steps {
            let lm = 9 * exp(-Double(step) / 40) + 2, sop = 0.69 * exp(-Double(step) / 90) + 0.1
            rows.append(["step": MetricValue(step), "loss": MetricValue(lm + sop), "lm_loss": MetricValue(lm),
                         "sop_loss": MetricValue(sop), "lr": MetricValue(1e-4 * min(1, Double(step) / 10)),
                         "tokens_per_s": MetricValue(4000 + 50 * sin(Double(step)))])
            if step % evalEvery == 0 {
                rows.append(["step": MetricValue(step), "eval_loss": MetricValue(lm + sop + 0.2), "eval_ppl": MetricValue(exp(lm))])
            }
        }
        return rows
    }

    /// The `<polyline>` of `series`: its data-points attribute and the number of coordinate pairs it really holds.
    static func polyline(_ html: String, series: String) -> (declared: Int, actual: Int)? {
        guard let start = html.range(of: "<polyline data-series=\"\(series)\"") else { return nil }
        let element = html[start.lowerBound...].prefix { $0 != ">" }
        func attribute(_ name: String) -> Substring? {
            guard let range = element.range(of: " \(name)=\"") else { return nil }
            return element[range.upperBound...].prefix { $0 != "\"" }
        }
        guard let declared = attribute("data-points").flatMap({ Int($0) }), let points = attribute("points") else { return nil }
        return (declared, points.split(separator: " ").count)
    }

    static func count(_ needle: String, in html: String) -> Int { html.components(separatedBy: needle).count - 1 }

    @Test func reportHasOnePlotPerMetricGroupWithEveryPoint() throws {
        let html = TrainingReport.html(rows: Self.pretrainingRows(steps: 50, evalEvery: 10),
                                       settings: [("model", "ernie-1.0 <tiny>"), ("max_steps", "50")], generatedAt: nil)
        // Training loss, evaluation loss, learning rate, throughput, then eval_ppl on its own.
        #expect(Self.count("<svg", in: html) == 5)
        #expect(Self.count("</svg>", in: html) == 5)
        for caption in ["Training loss", "Evaluation loss", "Learning rate", "Throughput", "eval_ppl"] {
            #expect(html.contains("<figcaption>\(caption)</figcaption>"))
        }
        for (series, points) in [("loss", 50), ("lm_loss", 50), ("sop_loss", 50), ("lr", 50), ("tokens_per_s", 50),
                                 ("eval_loss", 5), ("eval_ppl", 5)] {
            let line = try #require(Self.polyline(html, series: series))
            #expect(line.declared == points && line.actual == points, "\(series)")
        }
        // Markers only on short series (the evaluations): 5 eval_loss + 5 eval_ppl + 50 × 5 training points.
        #expect(Self.count("<circle", in: html) == 10 + 250)
        #expect(html.contains("ernie-1.0 &lt;tiny&gt;") && !html.contains("<tiny>"))
        #expect(html.contains("<h2>Final numbers</h2>") && html.contains("<h2>Settings</h2>"))
        #expect(!html.contains("<script") && !html.contains("https://"))
    }

    @Test func singlePointAndNaNValuesStillDraw() throws {
        let one = TrainingReport.html(rows: [["step": 1, "loss": 7.5, "eval_loss": MetricValue(Double.nan)]], settings: [],
                                      generatedAt: nil)
        #expect(Self.count("<svg", in: one) == 1)  // eval_loss has no finite value: no plot
        #expect(Self.polyline(one, series: "loss")?.actual == 1)
        #expect(Self.count("<circle", in: one) == 1)

        var rows = Self.pretrainingRows(steps: 40, evalEvery: 100)
        for step in [3, 17, 30] { rows[step]["loss"] = .number(.nan) }
        rows[5]["loss"] = .null
        let html = TrainingReport.html(rows: rows, settings: [], generatedAt: nil)
        #expect(Self.polyline(html, series: "loss")?.actual == 36)
        #expect(!html.contains("NaN") && !html.contains("nan,") && !html.contains("inf"))
    }

    @Test func thousandsOfPointsAreDownsampledKeepingSpikes() throws {
        var rows = Self.pretrainingRows(steps: 5000, evalEvery: 500)
        rows[rows.firstIndex { $0.step == 3333 && $0["loss"] != nil }!]["loss"] = 40
        let html = TrainingReport.html(rows: rows, settings: [], generatedAt: nil)
        let line = try #require(Self.polyline(html, series: "loss"))
        #expect(line.actual == line.declared && line.actual <= LinePlot.maximumPoints && line.actual >= 400)
        #expect(html.utf8.count < 400_000)

        var points: [(x: Double, y: Double)] = (0..<5000).map { index -> (x: Double, y: Double) in (Double(index), sin(Double(index))) }
        points[3333].y = 40
        points[1234].y = -3
        let kept = LinePlot.downsample(points, maximumPoints: 800)
        #expect(kept.count <= 800)
        #expect(kept.contains { $0.x == 3333 && $0.y == 40 } && kept.contains { $0.x == 1234 && $0.y == -3 })
        #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.x < $1.x })
    }

    @Test func axisTicksAreNiceNumbers() {
        let loss = AxisScale(minimum: 2.1, maximum: 10.9)
        #expect(loss.ticks == [2, 4, 6, 8, 10, 12] && loss.labels == ["2", "4", "6", "8", "10", "12"])
        let rate = AxisScale(minimum: 0, maximum: 1e-4)
        #expect(rate.labels == ["0", "2e-5", "4e-5", "6e-5", "8e-5", "1e-4"])
        let fraction = AxisScale(minimum: 0.11, maximum: 0.34)
        #expect(fraction.labels == ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"])
        let single = AxisScale(minimum: 7.5, maximum: 7.5)
        #expect(single.lower < 7.5 && single.upper > 7.5 && single.ticks.count >= 3)
        let steps = AxisScale(minimum: 1, maximum: 5000)
        #expect(steps.labels == ["0", "1000", "2000", "3000", "4000", "5000"])
        #expect(AxisScale(minimum: 1, maximum: 1, integral: true).labels == ["0", "1", "2"])
        #expect(AxisScale(minimum: 1, maximum: 3, integral: true).labels == ["1", "2", "3"])
        let huge = AxisScale(minimum: 0, maximum: 3e6)
        #expect(huge.labels.last == "3e6")
    }

    @Test func reportIsRebuiltFromTheLogAlone() throws {
        let directory = try makeLoggingTestDirectory("report")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = try MetricsLog(outputDirectory: directory)
        for row in Self.pretrainingRows(steps: 30, evalEvery: 10) { try log.append(row) }
        try TrainingReport.write(outputDirectory: directory, settings: [("learning_rate", "1e-4")])
        let reportURL = directory.appendingPathComponent("report.html")
        let html = try String(contentsOf: reportURL, encoding: .utf8)
        #expect(Self.polyline(html, series: "loss")?.actual == 30)
        #expect(html.contains("From 33 rows of logs/metrics.jsonl"))
        // Atomic: no temporary file is left next to the report.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["logs", "report.html"])
    }
}

extension LoggingReportTests {
    /// A realistic 3000-step pretraining log (noisy losses, warmup then linear decay, a NaN loss, evaluations every 500
    /// steps) and its report, written into $ERNIE_LOGS_REPORT_DIR when set so tools/logs_render_report.py can screenshot
    /// it with headless Chromium.
    @Test func writesASampleReport() throws {
        let environment = ProcessInfo.processInfo.environment["ERNIE_LOGS_REPORT_DIR"]
        let directory = try environment.map { URL(fileURLWithPath: $0) } ?? makeLoggingTestDirectory("sample-report")
        defer { if environment == nil { try? FileManager.default.removeItem(at: directory) } }
        let log = try MetricsLog(outputDirectory: directory)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise() -> Double {  // splitmix64 → uniform in [-0.5, 0.5)
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53) - 0.5
        }
        for step in 1...3000 {
            let progress = Double(step)
            let lm = 8.5 * exp(-progress / 350) + 2.6 + 0.9 * exp(-progress / 2500) + 0.35 * noise()
            let sop = 0.55 * exp(-progress / 600) + 0.14 + 0.08 * noise()
            let lr = 1e-4 * min(progress / 300, (3000 - progress) / 2700)
            let speed = step == 1 ? 1800 : 4150 + 120 * noise()
            let loss = step == 1234 ? Double.nan : lm + sop
            try log.append(["step": MetricValue(step), "loss": MetricValue(Float(loss)), "lm_loss": MetricValue(Float(lm)),
                            "sop_loss": MetricValue(Float(sop)), "lr": MetricValue(lr), "tokens_per_s": MetricValue(speed.rounded())])
            if step % 500 == 0 {
                let evalLoss = 8.5 * exp(-progress / 350) + 2.75 + 0.9 * exp(-progress / 2500)
                try log.append(["step": MetricValue(step), "eval_loss": MetricValue(evalLoss), "eval_ppl": MetricValue(exp(evalLoss))])
            }
        }
        let settings: [(String, String)] = [
            ("model_name_or_path", "ernie-1.0-base-zh"), ("input_dir", "data/peoples_daily"), ("max_seq_len", "128"),
            ("micro_batch_size", "32"), ("learning_rate", "1e-4"), ("warmup_steps", "300"), ("max_steps", "3000"),
            ("weight_decay", "0.01"), ("max_grad_norm", "1.0"), ("binary_head", "true"), ("seed", "1234"),
            ("output_dir", directory.path),
        ]
        try TrainingReport.write(outputDirectory: directory, settings: settings, title: "ernie pretrain · ernie-1.0-base-zh")
        let html = try String(contentsOf: directory.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(Self.count("<svg", in: html) == 5)
        #expect(Self.polyline(html, series: "eval_loss")?.actual == 6)
    }
}
