/// Range checks of numeric flags for the configurations' `validate()`: each error names the flag as it is typed
/// (`--max_steps must be positive, found -5`). The CLI parses numeric options unconditionally so that negative
/// values reach these checks instead of being taken for option names.
public enum FlagRange {
    /// - Throws: `TrainingError.invalidConfiguration` unless `value` is nil or > 0.
    public static func positive<T: Comparable & Numeric>(_ flag: String, _ value: T?, _ hint: String = "") throws {
        if let value, !(value > 0) { throw TrainingError.invalidConfiguration("\(flag) must be positive\(hint), found \(value)") }
    }

    /// - Throws: `TrainingError.invalidConfiguration` unless `value` is nil or ≥ 0.
    public static func nonNegative<T: Comparable & Numeric>(_ flag: String, _ value: T?) throws {
        if let value, !(value >= 0) { throw TrainingError.invalidConfiguration("\(flag) must not be negative, found \(value)") }
    }

    /// - Throws: `TrainingError.invalidConfiguration` unless `value` is nil or in `range` (written `interval`).
    public static func within(_ flag: String, _ value: Double?, _ range: ClosedRange<Double>, _ interval: String) throws {
        if let value, !range.contains(value) { throw TrainingError.invalidConfiguration("\(flag) must be in \(interval), found \(value)") }
    }

    /// Probabilities of dropping or masking: [0, 1).
    public static func probability(_ flag: String, _ value: Double?) throws {
        if let value, !(value >= 0 && value < 1) { throw TrainingError.invalidConfiguration("\(flag) must be in [0, 1), found \(value)") }
    }

    /// The optimizer flags both trainers share.
    public static func optimizer(_ settings: OptimizerSettings) throws {
        try within("--adam_beta1", settings.beta1, 0...1, "[0, 1]")
        try within("--adam_beta2", settings.beta2, 0...1, "[0, 1]")
        try positive("--adam_epsilon", settings.epsilon)
        try nonNegative("--weight_decay", settings.weightDecay)
    }
}
