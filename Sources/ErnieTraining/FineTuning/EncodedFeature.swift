import ErnieText

/// One model input row (ids and segment ids, no padding).
public struct TokenRow: Sendable, Equatable {
    public var inputIds: [Int32]
    public var tokenTypeIds: [Int32]

    public init(inputIds: [Int32], tokenTypeIds: [Int32]) {
        self.inputIds = inputIds
        self.tokenTypeIds = tokenTypeIds
    }

    /// The row of a tokenizer encoding (its ids and type ids).
    public init(_ encoding: Encoding) {
        self.init(inputIds: encoding.ids.map { Int32($0) }, tokenTypeIds: encoding.typeIds.map { Int32($0) })
    }
}

/// One encoded training/evaluation unit: the rows the model sees (one, or one per choice) and the task's targets,
/// plus what is needed to map predictions back to the example.
public struct EncodedFeature: Sendable {
    public var rows: [TokenRow]
    /// Index of the example this feature came from (QA windows share one).
    public var exampleIndex: Int
    /// Sequence classification (single label) and multiple choice: the class / right choice.
    public var classLabel: Int32?
    /// Regression: one value; multi-label: one 0/1 per label.
    public var values: [Float]?
    /// Token classification: one label id per token, −100 where no loss is taken (special tokens, later sub-tokens).
    public var tokenLabels: [Int32]?
    /// Token classification: the word each token starts, nil for special tokens and later sub-tokens.
    public var wordIndices: [Int?]?
    /// Question answering: answer start and end token (0, the [CLS], when the window holds no answer).
    public var startPosition: Int32?
    public var endPosition: Int32?
    /// Question answering: each token's scalar range in the context, nil outside the context.
    public var contextOffsets: [Range<Int>?]?
    /// Multiple choice: how many of `rows` are real choices (the rest pad the batch's choice count).
    public var choiceCount: Int?

    public init(rows: [TokenRow], exampleIndex: Int) {
        self.rows = rows
        self.exampleIndex = exampleIndex
    }
}
