import Foundation

/// A linear axis with "nice" ticks (1, 2 or 5 × 10^k apart) whose ends are ticks, and labels just precise enough to
/// tell the ticks apart.
struct AxisScale {
    /// Axis ends, each a tick.
    let lower: Double
    let upper: Double
    let ticks: [Double]
    let labels: [String]

    /// Covers `minimum…maximum` (finite) with about `targetTickCount` ticks. A single value gets a small span around it.
    /// `integral` (steps): ticks are whole numbers.
    init(minimum: Double, maximum: Double, targetTickCount: Int = 6, integral: Bool = false) {
        precondition(minimum.isFinite && maximum.isFinite && minimum <= maximum, "axis range must be finite")
        var low = minimum, high = maximum
        if high - low <= abs(high) * 1e-12 {
            let half = integral || low == 0 ? 1 : abs(low) * 0.1
            low -= half
            high += half
        }
        var step = Self.niceStep((high - low) / Double(max(1, targetTickCount - 1)))
        if integral { step = max(step, 1) }
        let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        // Multiply rather than accumulate, so 0.1 + 0.1 + 0.1 drift never shows up as 0.30000000000000004.
        ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        lower = first * step
        upper = last * step
        labels = Self.labels(ticks, step: step)
    }

    /// 1, 2 or 5 × 10^k nearest above `rough`.
    static func niceStep(_ rough: Double) -> Double {
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let fraction = rough / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// Fixed-point (`0.25`, `12000`) in the usual range, scientific (`2e-5`, `1.5e6`) for tiny or huge values.
    static func labels(_ ticks: [Double], step: Double) -> [String] {
        let largest = ticks.map(abs).max() ?? 0
        if largest >= 1e6 || largest < 1e-3 {
            // Fewest mantissa digits that still tell neighbouring ticks apart.
            for digits in 0...8 {
                let labels = ticks.map { scientific($0, digits: digits) }
                if zip(labels, ticks).allSatisfy({ abs((Double($0.0) ?? .nan) - $0.1) < step * 1e-3 }) {
                    return labels
                }
            }
        }
        var decimals = 0
        while decimals < 10, abs((step * pow(10, Double(decimals))).rounded() - step * pow(10, Double(decimals))) > 1e-6 {
            decimals += 1
        }
        return ticks.map { String(format: "%.\(decimals)f", $0 == 0 ? 0 : $0) }
    }

    /// `2e-5` rather than C's `2e-05`; zero as `0`.
    private static func scientific(_ value: Double, digits: Int) -> String {
        if value == 0 { return "0" }
        let text = String(format: "%.\(digits)e", value)
        guard let e = text.firstIndex(of: "e") else { return text }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return String(text[..<e]) + "e\(exponent)"
    }

    /// Position of `value` between `lower` (0) and `upper` (1).
    func fraction(_ value: Double) -> Double { (value - lower) / (upper - lower) }
}
