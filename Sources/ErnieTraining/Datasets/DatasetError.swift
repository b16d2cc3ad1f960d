import Foundation

/// A problem in a dataset file, located by file and (1-based) line so the user can fix it.
public struct DatasetError: LocalizedError, CustomStringConvertible, Equatable {
    public var file: String
    /// 1-based; nil when the problem concerns the whole file (missing, unreadable).
    public var line: Int?
    public var message: String

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
    public var errorDescription: String? { description }
}
