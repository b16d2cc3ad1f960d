/// The normalisation rules a trained model carries (`normalizer_spec.precompiled_charsmap`).
enum NormalizationRules {
    /// The compiled map for a rule name: `identity` has none.
    /// - Throws: for a name ernie does not build.
    static func precompiledCharsmap(named name: String) throws -> [UInt8] {
        switch name {
        case "identity": return []
        default:
            throw SentencePieceError.invalidTrainerOptions("--normalization_rule_name \(name) is not built (identity is)")
        }
    }
}
