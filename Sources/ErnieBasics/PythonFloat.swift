/// Python's `repr(float)`, which `json.dumps` uses: the shortest digits that round-trip (as Swift's `description`),
/// laid out by Python's rule — exponent form when the decimal point position `p` (value = 0.d₁d₂… × 10ᵖ) is
/// `p < -3` or `p > 16`, a two-digit signed exponent (`1e-05`, `1e+16`), and `.0` after integral values.
public enum PythonFloat {
    public static func repr(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let (digits, point) = shortestDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        if point < -3 || point > 16 {
            let exponent = point - 1
            let mantissa = digits.count == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst()
            let magnitude = String(abs(exponent))
            return sign + mantissa + (exponent < 0 ? "e-" : "e+") + (magnitude.count < 2 ? "0" : "") + magnitude
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) + ".0" }
        return sign + digits.prefix(point) + "." + digits.dropFirst(point)
    }

    /// Shortest round-trip digits (no leading/trailing zeros) and decimal point position of a positive finite value,
    /// taken from Swift's `description` (`1e-05`, `9.9e+15`, `123.25`, `0.0001`).
    static func shortestDigits(_ value: Double) -> (digits: String, point: Int) {
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let integerPart = mantissa.prefix { $0 != "." }
        let fractionPart = mantissa.dropFirst(integerPart.count + 1)
        var digits = String(integerPart) + fractionPart
        var point = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        return (digits.isEmpty ? "0" : digits, point)
    }
}
