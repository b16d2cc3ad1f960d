/// Everything that can go wrong reading or writing pretraining data, with the file and what to do.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file could not be opened, read, mapped or written.
    case io(path: String, reason: String)
    /// A file's bytes do not follow its format (`.npy`, `.npz`, `.idx`, …).
    case malformed(path: String, reason: String)
    /// A well-formed file holds something this pipeline cannot use (wrong dtype, compressed member, …).
    case unsupported(path: String, reason: String)
    /// The token files and the vocabulary disagree (an id outside the vocabulary).
    case vocabularyMismatch(path: String, reason: String)
    /// The data cannot produce the requested samples (no usable document, …); `fix` says what to change.
    case unusableData(reason: String, fix: String)
    /// A command-line or API value is out of range.
    case invalidArgument(name: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let reason): "\(path): \(reason)"
        case .malformed(let path, let reason): "\(path): malformed file: \(reason)"
        case .unsupported(let path, let reason): "\(path): unsupported: \(reason)"
        case .vocabularyMismatch(let path, let reason): "\(path): token ids do not match the vocabulary: \(reason)"
        case .unusableData(let reason, let fix): "\(reason). Fix: \(fix)"
        case .invalidArgument(let name, let reason): "invalid \(name): \(reason)"
        }
    }
}
