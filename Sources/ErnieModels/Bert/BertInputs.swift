/// One batch of token sequences, flattened row-major: [batch, sequence] each.
public struct BertInputs: Sendable {
    public var batch: Int
    public var sequence: Int
    public var inputIds: [Int32]
    /// Segment ids (0 for the first text, 1 for the second); zeros when nil.
    public var tokenTypeIds: [Int32]?
    /// 1 for real tokens, 0 for padding; all ones when nil.
    public var attentionMask: [Int32]?
    /// ERNIE 3.0 task ids (used when the config has `use_task_id`); zeros when nil.
    public var taskTypeIds: [Int32]?
    /// Positions; 0 … sequence−1 in every row when nil.
    public var positionIds: [Int32]?

    public init(batch: Int, sequence: Int, inputIds: [Int32], tokenTypeIds: [Int32]? = nil, attentionMask: [Int32]? = nil,
                taskTypeIds: [Int32]? = nil, positionIds: [Int32]? = nil) {
        self.batch = batch
        self.sequence = sequence
        self.inputIds = inputIds
        self.tokenTypeIds = tokenTypeIds
        self.attentionMask = attentionMask
        self.taskTypeIds = taskTypeIds
        self.positionIds = positionIds
    }

    /// Throws unless every array holds batch × sequence values.
    func validate() throws {
        let count = batch * sequence
        guard batch > 0, sequence > 0 else { throw ModelError.invalidInput("empty batch (\(batch) × \(sequence))") }
        for (name, values) in [("input_ids", inputIds), ("token_type_ids", tokenTypeIds), ("attention_mask", attentionMask),
                               ("task_type_ids", taskTypeIds), ("position_ids", positionIds)] {
            if let values, values.count != count {
                throw ModelError.invalidInput("\(name) holds \(values.count) values; batch \(batch) × sequence \(sequence) needs \(count)")
            }
        }
    }
}

/// Errors from model inputs and configurations users supply.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidInput(String)
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .invalidInput(let message): "invalid model input: \(message)"
        case .invalidConfiguration(let message): "invalid model configuration: \(message)"
        }
    }
}
