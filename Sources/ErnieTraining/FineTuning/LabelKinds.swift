/// How the labels of a JSON-lines file are written, which decides the problem type the file suggests: lists make
/// it multi-label, fractional numbers regression, names (and integers) single-label classification.
///
/// The kinds must agree over the whole file: one stray `0.5` among class names, or one list among single labels,
/// would otherwise turn the whole task into regression or multi-label classification without a word.
struct LabelKinds {
    enum Kind: CaseIterable {
        case list, fraction, integer, name

        var description: String {
            switch self {
            case .list: "a list (multi-label)"
            case .fraction: "a fractional number (regression)"
            case .integer: "an integer"
            case .name: "a class name"
            }
        }

        /// Integers fit regression values and class ids alike; the other kinds only themselves.
        func conflicts(with other: Kind) -> Bool {
            switch (self, other) {
            case (.list, .list): false
            case (.list, _), (_, .list): true
            case (.fraction, .name), (.name, .fraction): true
            default: false
            }
        }
    }

    let file: String
    /// The first line and label text of each kind seen so far.
    private var first: [(kind: Kind, line: Int, label: String)] = []

    init(file: String) { self.file = file }

    /// Records the label of `line`.
    /// - Throws: `DatasetError` naming the file, this line and label, and the earlier line it contradicts.
    mutating func note(_ kind: Kind, line: Int, label: String) throws {
        if let earlier = first.first(where: { $0.kind.conflicts(with: kind) }) {
            throw DatasetError(
                file: file, line: line,
                "label \(label) is \(kind.description) but line \(earlier.line) has \(earlier.kind.description) (\(earlier.label)); "
                    + "a file's labels must all be lists (multi-label), all numbers (regression) or all class names")
        }
        if !first.contains(where: { $0.kind == kind }) { first.append((kind, line, label)) }
    }
}
