import Foundation

/// One named line of a plot: (x, y) points in any order; non-finite values are skipped.
struct PlotSeries {
    var name: String
    var color: String
    var points: [(x: Double, y: Double)]
}

/// A line plot as inline SVG: axes with nice ticks and labels, light grid lines, a legend, one polyline per series
/// (with dot markers when a series has few points, so a single evaluation still shows).
struct LinePlot {
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [PlotSeries]

    /// Series longer than this are downsampled (keeping each bucket's extremes) so thousands of steps stay a small SVG.
    static let maximumPoints = 800
    /// Series with at most this many points also get dot markers.
    static let markerLimit = 60

    static let width = 560.0, height = 300.0
    static let left = 66.0, right = 18.0, top = 34.0, bottom = 46.0

    /// Points worth drawing, sorted by x: finite only, downsampled to at most `maximumPoints`.
    static func drawable(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        let sorted = finite.enumerated().sorted { ($0.element.x, $0.offset) < ($1.element.x, $1.offset) }.map(\.element)
        return downsample(sorted, maximumPoints: maximumPoints)
    }

    /// Min/max bucketing: splits the x-sorted points into `maximumPoints / 2` equal-count buckets and keeps, in x order,
    /// each bucket's lowest and highest point, so spikes survive (a plain stride would drop them).
    static func downsample(_ points: [(x: Double, y: Double)], maximumPoints: Int) -> [(x: Double, y: Double)] {
        guard points.count > maximumPoints else { return points }
        let buckets = maximumPoints / 2
        var kept: [(x: Double, y: Double)] = []
        kept.reserveCapacity(maximumPoints)
        for bucket in 0..<buckets {
            let range = bucket * points.count / buckets..<(bucket + 1) * points.count / buckets
            guard !range.isEmpty else { continue }
            var lowest = range.lowerBound, highest = range.lowerBound
            for index in range {
                if points[index].y < points[lowest].y { lowest = index }
                if points[index].y > points[highest].y { highest = index }
            }
            for index in Set([lowest, highest]).sorted() { kept.append(points[index]) }
        }
        return kept
    }

    /// The `<svg>` element. Each series' polyline carries `data-series` and `data-points` (its drawn point count).
    func svg() -> String {
        let drawn = series.map { (series: $0, points: Self.drawable($0.points)) }.filter { !$0.points.isEmpty }
        let all = drawn.flatMap(\.points)
        let (w, h) = (Self.width, Self.height)
        let plotWidth = w - Self.left - Self.right, plotHeight = h - Self.top - Self.bottom
        var svg = """
        <svg class="plot" viewBox="0 0 \(format(w)) \(format(h))" xmlns="http://www.w3.org/2000/svg" role="img" \
        aria-label="\(escapeHTML(title))">
        <title>\(escapeHTML(title))</title>

        """
        guard !all.isEmpty else {
            svg += "<text x=\"\(format(w / 2))\" y=\"\(format(h / 2))\" class=\"empty\" text-anchor=\"middle\">no data</text>\n"
            return svg + "</svg>"
        }
        let xScale = AxisScale(minimum: all.map(\.x).min()!, maximum: all.map(\.x).max()!, targetTickCount: 6,
                               integral: all.allSatisfy { $0.x == $0.x.rounded() })
        let yScale = AxisScale(minimum: all.map(\.y).min()!, maximum: all.map(\.y).max()!, targetTickCount: 6)
        func px(_ x: Double) -> Double { Self.left + xScale.fraction(x) * plotWidth }
        func py(_ y: Double) -> Double { Self.top + (1 - yScale.fraction(y)) * plotHeight }
        let plotBottom = Self.top + plotHeight, plotRight = Self.left + plotWidth

        // Grid and tick labels.
        for (tick, label) in zip(yScale.ticks, yScale.labels) {
            let y = format(py(tick))
            svg += "<line class=\"grid\" x1=\"\(format(Self.left))\" y1=\"\(y)\" x2=\"\(format(plotRight))\" y2=\"\(y)\"/>"
            svg += "<text class=\"tick\" x=\"\(format(Self.left - 6))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(label)</text>\n"
        }
        for (tick, label) in zip(xScale.ticks, xScale.labels) {
            let x = format(px(tick))
            svg += "<line class=\"grid\" x1=\"\(x)\" y1=\"\(format(Self.top))\" x2=\"\(x)\" y2=\"\(format(plotBottom))\"/>"
            svg += "<line class=\"axis\" x1=\"\(x)\" y1=\"\(format(plotBottom))\" x2=\"\(x)\" y2=\"\(format(plotBottom + 4))\"/>"
            svg += "<text class=\"tick\" x=\"\(x)\" y=\"\(format(plotBottom + 16))\" text-anchor=\"middle\">\(label)</text>\n"
        }
        // Axes and their labels.
        svg += "<path class=\"axis\" d=\"M\(format(Self.left)),\(format(Self.top))V\(format(plotBottom))H\(format(plotRight))\"/>\n"
        svg += "<text class=\"label\" x=\"\(format(Self.left + plotWidth / 2))\" y=\"\(format(h - 6))\" text-anchor=\"middle\">\(escapeHTML(xLabel))</text>\n"
        svg += "<text class=\"label\" transform=\"translate(14,\(format(Self.top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escapeHTML(yLabel))</text>\n"

        // Lines, then markers. The axes end on ticks beyond the data, so nothing needs clipping.
        svg += "<g>\n"
        for (series, points) in drawn {
            let coordinates = points.map { "\(format(px($0.x))),\(format(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline data-series=\"\(escapeHTML(series.name))\" data-points=\"\(points.count)\" fill=\"none\" "
                + "stroke=\"\(series.color)\" stroke-width=\"1.6\" stroke-linejoin=\"round\" points=\"\(coordinates)\"/>\n"
            if points.count <= Self.markerLimit {
                for point in points {
                    svg += "<circle cx=\"\(format(px(point.x)))\" cy=\"\(format(py(point.y)))\" r=\"3\" fill=\"\(series.color)\">"
                        + "<title>\(escapeHTML(series.name)) step \(formatValue(point.x)): \(formatValue(point.y))</title></circle>"
                }
                svg += "\n"
            }
        }
        svg += "</g>\n"

        // Legend across the top.
        var legendX = Self.left
        for (series, _) in drawn {
            svg += "<line x1=\"\(format(legendX))\" y1=\"16\" x2=\"\(format(legendX + 18))\" y2=\"16\" stroke=\"\(series.color)\" stroke-width=\"3\"/>"
            svg += "<text class=\"legend\" x=\"\(format(legendX + 24))\" y=\"16\" dominant-baseline=\"middle\">\(escapeHTML(series.name))</text>\n"
            legendX += 24 + Double(series.name.count) * 7.2 + 18
        }
        return svg + "</svg>"
    }

    private func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// A value in a table or tooltip: whole numbers as they are, others with 5 significant digits (`%g`: `1e-04`).
func formatValue(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
    if value == value.rounded(), abs(value) < 1e7 { return String(Int(value)) }
    return String(format: "%.5g", value)
}

/// `text` safe inside HTML/SVG text and double-quoted attributes.
func escapeHTML(_ text: String) -> String {
    var escaped = ""
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&#39;"
        default: escaped.append(character)
        }
    }
    return escaped
}
