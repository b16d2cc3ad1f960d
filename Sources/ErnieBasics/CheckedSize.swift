/// Arithmetic on sizes that come from files or flags (element counts, byte lengths, offsets, step counts).
///
/// Such values are untrusted: a product that overflows traps in checked code and, once it reaches the
/// `-Ounchecked` engine, silently corrupts memory. Every function returns nil instead, so the caller can throw an
/// error that names the file or field.
public enum CheckedSize {
    /// `a · b`, or nil when a factor is negative or the product overflows `Int`.
    public static func product(_ a: Int, _ b: Int) -> Int? {
        guard a >= 0, b >= 0 else { return nil }
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : result
    }

    /// The product of `factors` (1 when empty), or nil when a factor is negative or the product overflows.
    public static func product(_ factors: some Sequence<Int>) -> Int? {
        var result = 1
        for factor in factors {
            guard let next = product(result, factor) else { return nil }
            result = next
        }
        return result
    }

    /// `a + b`, or nil when a term is negative or the sum overflows `Int`.
    public static func sum(_ a: Int, _ b: Int) -> Int? {
        guard a >= 0, b >= 0 else { return nil }
        let (result, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : result
    }

    /// The sum of `terms` (0 when empty), or nil when a term is negative or the sum overflows.
    public static func sum(_ terms: some Sequence<Int>) -> Int? {
        var result = 0
        for term in terms {
            guard let next = sum(result, term) else { return nil }
            result = next
        }
        return result
    }

    /// The product of `factors` when it is at most `limit`, else nil (negative factors and overflow included).
    public static func product(_ factors: some Sequence<Int>, atMost limit: Int) -> Int? {
        product(factors).flatMap { $0 <= limit ? $0 : nil }
    }
}
