/// Why a SentencePiece model could not be used.
public enum SentencePieceError: Error, CustomStringConvertible, Equatable {
    /// Not a SentencePiece `ModelProto`, or one that contradicts itself.
    case malformedModel(path: String, reason: String)
    /// A model feature ernie does not implement, named.
    case unsupported(path: String, feature: String)
    /// Trainer options the `sentencepiece` trainer would refuse, or a corpus it cannot train on.
    case invalidTrainerOptions(String)

    public var description: String {
        switch self {
        case .malformedModel(let path, let reason): "\(path) is not a usable SentencePiece model: \(reason)"
        case .unsupported(let path, let feature): "\(path): \(feature) is not supported"
        case .invalidTrainerOptions(let reason): reason
        }
    }
}
