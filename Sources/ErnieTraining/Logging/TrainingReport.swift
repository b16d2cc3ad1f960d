import Foundation

/// The run's HTML report, `<output_dir>/report.html`: inline SVG plots (training loss with lm/sop parts, evaluation
/// loss, learning rate, throughput, then one plot per other numeric metric) against step, headline numbers, a table of
/// final/min/max per metric, and the run's settings. No scripts, no network: one self-contained file.
///
/// Built only from metrics rows, so `write(fromMetricsAt:to:settings:)` rebuilds it from `metrics.jsonl` alone.
public enum TrainingReport {
    /// A plot of the report: the metric keys it draws (in legend order).
    struct PlotSpecification {
        var title: String
        var yLabel: String
        var keys: [String]
    }

    /// The fixed plots, in page order; other numeric keys get one plot each after these.
    static let standardPlots = [
        PlotSpecification(title: "Training loss", yLabel: "loss", keys: ["loss", "lm_loss", "sop_loss"]),
        PlotSpecification(title: "Evaluation loss", yLabel: "loss", keys: ["eval_loss"]),
        PlotSpecification(title: "Learning rate", yLabel: "learning rate", keys: ["lr"]),
        PlotSpecification(title: "Throughput", yLabel: "tokens/s", keys: ["tokens_per_s"]),
    ]

    static let colors = [
        "loss": "#1f6fb4", "lm_loss": "#f08a24", "sop_loss": "#2a9d55", "eval_loss": "#d23c3c", "lr": "#7b52c7",
        "tokens_per_s": "#138d9c",
    ]
    static let otherColors = ["#8c564b", "#c2478f", "#5f6b7a", "#a08a00", "#3b7f2a"]

    /// Reads `metricsURL` (a `metrics.jsonl`) and writes the report to `reportURL` atomically.
    public static func write(fromMetricsAt metricsURL: URL, to reportURL: URL, settings: [(String, String)],
                             title: String = "Training report") throws {
        try write(rows: MetricsLog.readRows(at: metricsURL), to: reportURL, settings: settings, title: title)
    }

    /// Writes `<outputDirectory>/report.html` from `<outputDirectory>/logs/metrics.jsonl`.
    public static func write(outputDirectory: URL, settings: [(String, String)], title: String = "Training report") throws {
        try write(fromMetricsAt: outputDirectory.appendingPathComponent("logs/metrics.jsonl"),
                  to: outputDirectory.appendingPathComponent("report.html"), settings: settings, title: title)
    }

    /// Writes the report for `rows` to `url` atomically (temporary file, then rename).
    public static func write(rows: [MetricsRow], to url: URL, settings: [(String, String)],
                             title: String = "Training report") throws {
        try LoggingFiles.writeAtomically(Array(html(rows: rows, settings: settings, title: title).utf8), to: url)
    }

    /// The whole HTML page. `generatedAt` nil leaves the date out (reproducible output).
    public static func html(rows: [MetricsRow], settings: [(String, String)], title: String = "Training report",
                            generatedAt: Date? = Date()) -> String {
        let series = numericSeries(rows)
        var page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escapeHTML(title))</title>
        <style>\(styleSheet)</style>
        </head>
        <body>
        <main>
        <header><h1>\(escapeHTML(title))</h1>
        <p class="subtitle">\(subtitle(rowCount: rows.count, generatedAt: generatedAt))</p></header>

        """
        page += headline(series)
        page += "<section class=\"plots\">\n"
        for plot in plots(for: series) {
            page += "<figure><figcaption>\(escapeHTML(plot.title))</figcaption>\n\(plot.svg())\n</figure>\n"
        }
        page += "</section>\n"
        page += "<div class=\"tables\">\n" + finalNumbers(series) + settingsTable(settings) + "</div>\n"
        return page + "</main>\n</body>\n</html>\n"
    }

    /// (step, value) per numeric key, in first-appearance order; rows without an integer step are left out.
    static func numericSeries(_ rows: [MetricsRow]) -> [(key: String, points: [(x: Double, y: Double)])] {
        var order: [String] = []
        var points: [String: [(x: Double, y: Double)]] = [:]
        for row in rows {
            guard let step = row.step else { continue }
            for field in row.fields where field.key != "step" {
                guard case .number(let value) = field.value else { continue }
                if points[field.key] == nil { order.append(field.key) }
                points[field.key, default: []].append((Double(step), value))
            }
        }
        return order.map { ($0, points[$0]!) }
    }

    /// The standard plots that have data, then one plot per other key with at least one finite value.
    static func plots(for series: [(key: String, points: [(x: Double, y: Double)])]) -> [LinePlot] {
        let byKey = Dictionary(series.map { ($0.key, $0.points) }, uniquingKeysWith: { first, _ in first })
        func hasFiniteValue(_ key: String) -> Bool { byKey[key]?.contains { $0.y.isFinite } ?? false }
        var plots: [LinePlot] = []
        for specification in standardPlots {
            let lines = specification.keys.filter(hasFiniteValue).map {
                PlotSeries(name: $0, color: colors[$0] ?? "#333", points: byKey[$0]!)
            }
            if !lines.isEmpty {
                plots.append(LinePlot(title: specification.title, xLabel: "step", yLabel: specification.yLabel, series: lines))
            }
        }
        let standardKeys = Set(standardPlots.flatMap(\.keys))
        for (index, entry) in series.filter({ !standardKeys.contains($0.key) && hasFiniteValue($0.key) }).enumerated() {
            let line = PlotSeries(name: entry.key, color: otherColors[index % otherColors.count], points: entry.points)
            plots.append(LinePlot(title: entry.key, xLabel: "step", yLabel: entry.key, series: [line]))
        }
        return plots
    }

    private static func subtitle(rowCount: Int, generatedAt: Date?) -> String {
        var text = "From \(rowCount) row\(rowCount == 1 ? "" : "s") of logs/metrics.jsonl"
        if let generatedAt {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            text += " · generated \(formatter.string(from: generatedAt))"
        }
        return text
    }

    /// Cards with the numbers people look for first: last step, final loss, best evaluation loss, median throughput.
    private static func headline(_ series: [(key: String, points: [(x: Double, y: Double)])]) -> String {
        let byKey = Dictionary(series.map { ($0.key, $0.points.filter { $0.y.isFinite }) }, uniquingKeysWith: { a, _ in a })
        var cards: [(String, String, String)] = []
        if let lastStep = series.flatMap(\.points).map(\.x).max() {
            cards.append(("last step", formatValue(lastStep), ""))
        }
        if let last = byKey["loss"]?.max(by: { $0.x < $1.x }) {
            cards.append(("final loss", formatValue(last.y), "step \(formatValue(last.x))"))
        }
        if let best = byKey["eval_loss"]?.min(by: { $0.y < $1.y }) {
            cards.append(("best eval loss", formatValue(best.y), "step \(formatValue(best.x))"))
        }
        if let speeds = byKey["tokens_per_s"]?.map(\.y).sorted(), !speeds.isEmpty {
            cards.append(("median throughput", formatValue(speeds[speeds.count / 2].rounded()), "tokens/s"))
        }
        guard !cards.isEmpty else { return "<p class=\"empty-note\">The log has no numeric rows with a step yet.</p>\n" }
        let items = cards.map { label, value, note in
            "<div class=\"card\"><div class=\"card-label\">\(label)</div><div class=\"card-value\">\(value)</div>"
                + "<div class=\"card-note\">\(note)</div></div>"
        }
        return "<section class=\"cards\">\n" + items.joined(separator: "\n") + "\n</section>\n"
    }

    /// Final value (with its step), minimum and maximum of every metric, over finite values.
    private static func finalNumbers(_ series: [(key: String, points: [(x: Double, y: Double)])]) -> String {
        var table = "<section><h2>Final numbers</h2>\n<table class=\"numbers\">\n"
        table += "<thead><tr><th>metric</th><th>final</th><th>at step</th><th>min</th><th>max</th><th>values</th></tr></thead>\n<tbody>\n"
        for (key, points) in series {
            let finite = points.filter { $0.y.isFinite }
            guard let last = finite.max(by: { $0.x < $1.x }) else { continue }
            let values = finite.map(\.y)
            table += "<tr><td>\(escapeHTML(key))</td><td>\(formatValue(last.y))</td><td>\(formatValue(last.x))</td>"
                + "<td>\(formatValue(values.min()!))</td><td>\(formatValue(values.max()!))</td><td>\(values.count)</td></tr>\n"
        }
        return table + "</tbody></table></section>\n"
    }

    private static func settingsTable(_ settings: [(String, String)]) -> String {
        var table = "<section><h2>Settings</h2>\n"
        guard !settings.isEmpty else { return table + "<p class=\"empty-note\">No settings were recorded.</p></section>\n" }
        table += "<table class=\"settings\"><tbody>\n"
        for (key, value) in settings {
            table += "<tr><th>\(escapeHTML(key))</th><td>\(escapeHTML(value))</td></tr>\n"
        }
        return table + "</tbody></table></section>\n"
    }

    static let styleSheet = """

    :root { color-scheme: light; }
    body { margin: 0; background: #f4f5f7; color: #1f2430;
      font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif; }
    main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 40px; }
    h1 { font-size: 24px; margin: 0 0 2px; font-weight: 650; }
    h2 { font-size: 16px; margin: 28px 0 10px; font-weight: 600; }
    .subtitle, .empty-note { color: #667085; margin: 0 0 18px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin-bottom: 16px; }
    .card, figure { background: #fff; border: 1px solid #e3e6eb; border-radius: 10px; }
    .card { padding: 12px 16px; }
    .card-label { color: #667085; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
    .card-value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
    .card-note { color: #667085; font-size: 12px; min-height: 1em; }
    .plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 14px; }
    figure { margin: 0; padding: 12px 12px 6px; }
    figcaption { font-weight: 600; font-size: 14px; margin: 0 0 2px 6px; }
    svg.plot { width: 100%; height: auto; display: block; }
    svg text { font-family: inherit; }
    .tick { font-size: 11px; fill: #5d6675; font-variant-numeric: tabular-nums; }
    .label, .legend { font-size: 12px; fill: #2b3240; }
    .empty { font-size: 13px; fill: #98a2b3; }
    .grid { stroke: #edf0f3; stroke-width: 1; }
    .axis { stroke: #8a93a3; stroke-width: 1; fill: none; }
    .tables { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 0 28px; align-items: start; }
    table { border-collapse: collapse; background: #fff; border: 1px solid #e3e6eb; border-radius: 10px; overflow: hidden; }
    th, td { padding: 6px 14px; text-align: left; border-bottom: 1px solid #eef0f3; }
    tr:last-child th, tr:last-child td { border-bottom: none; }
    table.numbers td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
    table.numbers thead th { background: #f8f9fb; font-size: 12px; color: #475467; }
    table.numbers thead th:not(:first-child) { text-align: right; }
    table.settings th { font-weight: 500; color: #475467; background: #f8f9fb; font-family: ui-monospace, monospace; font-size: 13px; }
    table.settings td { font-family: ui-monospace, monospace; font-size: 13px; word-break: break-all; }

    """
}
