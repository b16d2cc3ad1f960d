// Entity-level scores with seqeval's default ("conlleval") semantics: seqeval 1.2.2 `get_entities` with suffix=False,
// and `precision_score` / `recall_score` / `f1_score` / `classification_report` without `mode="strict"`.

/// One entity found in a tag sequence: its type and the inclusive range of token positions it covers.
public struct EntitySpan: Hashable, Sendable {
    /// The tag's type (`PER` for `B-PER`); `_` for tags without a type (`B`, `I`, …), as seqeval names them.
    public var type: String
    public var start: Int
    /// Inclusive.
    public var end: Int

    public init(type: String, start: Int, end: Int) {
        self.type = type
        self.start = start
        self.end = end
    }
}

/// The entities of a tag sequence in seqeval's lenient default mode, for BIO (IOB2), IOB1 and BIOES / IOBES tags.
///
/// A tag is split into its first character (B, I, E, S, O or anything else) and the type after the first `-`.
/// Walking the tags with a trailing `O`, a chunk ends after a token tagged E or S, before a B or S or O that follows
/// B or I, and whenever the type changes; a chunk starts at B and S, at I or E after O, E or S, and at any non-O tag
/// whose type differs from the previous one. So `I-PER` without a preceding `B-PER` starts an entity, and `B-PER I-LOC`
/// is two entities.
public func extractEntities(_ tags: [String]) -> [EntitySpan] {
    var entities: [EntitySpan] = []
    var previousTag: Character = "O", previousType = ""
    var begin = 0
    for position in 0...tags.count {
        let chunk = position < tags.count ? tags[position] : "O"
        let tag = chunk.first ?? "O"
        var type = chunk.dropFirst().split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).last.map(String.init) ?? ""
        if type.isEmpty { type = "_" }
        if endsChunk(previousTag, tag, previousType, type) {
            entities.append(EntitySpan(type: previousType, start: begin, end: position - 1))
        }
        if startsChunk(previousTag, tag, previousType, type) { begin = position }
        previousTag = tag
        previousType = type
    }
    return entities
}

private func endsChunk(_ previousTag: Character, _ tag: Character, _ previousType: String, _ type: String) -> Bool {
    if previousTag == "E" || previousTag == "S" { return true }
    if (previousTag == "B" || previousTag == "I") && (tag == "B" || tag == "S" || tag == "O") { return true }
    return previousTag != "O" && previousTag != "." && previousType != type
}

private func startsChunk(_ previousTag: Character, _ tag: Character, _ previousType: String, _ type: String) -> Bool {
    if tag == "B" || tag == "S" { return true }
    if (previousTag == "E" || previousTag == "S" || previousTag == "O") && (tag == "E" || tag == "I") { return true }
    return tag != "O" && tag != "." && previousType != type
}

/// Entity-level precision, recall and F1: per entity type and micro-averaged over all types.
public struct EntityScores: Sendable {
    /// Per type, sorted by type name (seqeval's report order).
    public var perType: [(type: String, scores: LabelScores)]
    /// Counts summed over types, then scored (seqeval's default `average="micro"`).
    public var micro: LabelScores

    /// Unweighted mean of the per-type F1 (seqeval `average="macro"`); NaN when there are no entities at all.
    public var macroF1: Double {
        perType.isEmpty ? .nan : perType.reduce(0) { $0 + $1.scores.f1 } / Double(perType.count)
    }

    /// Scores sentences of reference and predicted tags (seqeval `f1_score(y_true, y_pred)` and friends).
    /// Sentences are joined with an `O` between them, as seqeval does, so an entity never crosses a sentence end.
    /// An entity counts as correct only when type, start and end all match. F1 is 2PR / (P + R), 0 when P + R = 0.
    public init(references: [[String]], predictions: [[String]]) {
        precondition(references.count == predictions.count, "EntityScores: \(references.count) vs \(predictions.count) sentences")
        func flatten(_ sentences: [[String]]) -> [String] { sentences.flatMap { $0 + ["O"] } }
        let referenceTags = flatten(references), predictedTags = flatten(predictions)
        precondition(referenceTags.count == predictedTags.count, "EntityScores: sentence lengths differ")
        let trueEntities = Set(extractEntities(referenceTags)), predictedEntities = Set(extractEntities(predictedTags))
        var counts: [String: (tp: Int, predicted: Int, support: Int)] = [:]
        for entity in trueEntities { counts[entity.type, default: (0, 0, 0)].support += 1 }
        for entity in predictedEntities {
            counts[entity.type, default: (0, 0, 0)].predicted += 1
            if trueEntities.contains(entity) { counts[entity.type]!.tp += 1 }
        }
        perType = counts.keys.sorted().map { type in
            let c = counts[type]!
            return (type, Self.scores(truePositives: c.tp, predicted: c.predicted, support: c.support))
        }
        let total = counts.values.reduce(into: (0, 0, 0)) { $0.0 += $1.tp; $0.1 += $1.predicted; $0.2 += $1.support }
        micro = Self.scores(truePositives: total.0, predicted: total.1, support: total.2)
    }

    /// seqeval computes F from precision and recall (sklearn's older formula), not from counts.
    private static func scores(truePositives: Int, predicted: Int, support: Int) -> LabelScores {
        var scores = LabelScores(truePositives: truePositives, predicted: predicted, support: support)
        let sum = scores.precision + scores.recall
        scores.f1 = sum == 0 ? 0 : 2 * scores.precision * scores.recall / sum
        return scores
    }
}
