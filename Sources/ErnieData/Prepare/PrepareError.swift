/// User mistakes and bad data met by `CorpusPreparer`, each naming the file (and line) and what to do.
public enum PrepareError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An input path or file that cannot be used.
    case input(path: String, reason: String)
    /// A malformed record in `--strict` mode (bad UTF-8, bad JSON).
    case badRecord(path: String, line: Int, reason: String)
    /// A tokenizer or vocabulary that cannot be used for pretraining data.
    case tokenizer(path: String, reason: String)
    /// Options that do not go together.
    case options(String)

    public var description: String {
        switch self {
        case .input(let path, let reason): "\(path): \(reason)"
        case .badRecord(let path, let line, let reason): "\(path):\(line): \(reason) (drop --strict to skip such lines)"
        case .tokenizer(let path, let reason): "\(path): \(reason)"
        case .options(let message): message
        }
    }
}
