import ArgumentParser
import ErnieEngine
import ErnieModels
import ErnieServing
import ErnieText
import ErnieTraining
import Foundation

/// `ernie encode`: feature extraction with a base model — `last_hidden_state.<i>` [seq, hidden] and
/// `pooler_output.<i>` [hidden] for each input line, in one safetensors file; with `--task_name`, a fine-tuned
/// model's raw head outputs instead: `logits.<i>` ([labels] or [seq, labels]) or `start_logits.<i>` + `end_logits.<i>`
/// [seq] (what an exported ONNX graph gives, to compare with).
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Hidden states of a BERT/ERNIE model for each input line (a JSON array of token ids, or text).")

    @Option(name: .customLong("model_name_or_path"), help: "A Hugging Face model directory (config.json, model.safetensors, vocab.txt).")
    var modelNameOrPath: String
    @Option(name: .customLong("input"), help: "One input per line: a JSON array of token ids, or text (tokenized with [CLS] … [SEP]).")
    var input: String
    @Option(name: .customLong("output"), help: "The safetensors file to write.") var output: String
    @Option(name: .customLong("max_seq_len"), parsing: .unconditional, help: "Text is truncated to this many tokens (default: max_position_embeddings).")
    var maxSeqLen: Int?
    @Option(name: .customLong("dtype"), help: "Matmul precision: fp32, bf16 or int8 (dynamic quantisation of the linear layers).") var dtype: MatmulPrecision = .fp32
    @Option(name: .customLong("strict"), help: "Missing or unexpected checkpoint keys are errors.") var strict = false
    @Option(name: .customLong("task_name"), help: "seq-cls, token-cls or qa: write the fine-tuned head's logits instead of hidden states.")
    var taskName: ServedTask?

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        try FlagRange.positive("--max_seq_len", maxSeqLen)
    }

    func run() throws {
        if let taskName, taskName != .embedding { return try encodeHead(taskName) }
        let directory = URL(fileURLWithPath: modelNameOrPath)
        let (model, config, report) = try PretrainedWeights.loadBaseModel(from: directory, strict: strict)
        if !report.missingKeys.isEmpty { warn("not in the checkpoint (left at their initial values): \(report.missingKeys.joined(separator: ", "))") }
        if !report.unexpectedKeys.isEmpty { warn("unused checkpoint keys: \(report.unexpectedKeys.joined(separator: ", "))") }

        let lines = try InputLines(path: input)
        var tokenizer: (any TextTokenizer)?
        let limit = min(maxSeqLen ?? config.maxSequenceLength, config.maxSequenceLength)
        var tensors: [SafetensorsTensor] = []
        let weightCache = WeightCache()
        for (index, line) in lines.enumerated() {
            let ids = try ids(of: line, truncatedTo: limit, atMost: ("max_position_embeddings", config.maxSequenceLength),
                              vocabularySize: config.vocabularySize) {
                if tokenizer == nil { tokenizer = try TokenizerLoader.load(directory) }
                return tokenizer!
            }
            let (sequence, pooled) = try model(BertInputs(batch: 1, sequence: ids.count, inputIds: ids), graph: .inference(precision: dtype, weightCache: weightCache))
            tensors.append(SafetensorsTensor(name: "last_hidden_state.\(index)", shape: [ids.count, config.hiddenSize], floats: sequence.values))
            if let pooled {
                tensors.append(SafetensorsTensor(name: "pooler_output.\(index)", shape: [config.hiddenSize], floats: pooled.values))
            }
        }
        try SafetensorsWriter.write(tensors, to: URL(fileURLWithPath: output))
        warn("encoded \(lines.count) lines into \(output)")
    }
}

extension Encode {
    /// A line's token ids: a JSON array of ids as given, or the text tokenized (`[CLS] … [SEP]`, truncated to `limit`);
    /// empty lines, more than `maximum` ids and ids outside the vocabulary are errors naming the line.
    func ids(of line: InputLines.Line, truncatedTo limit: Int, atMost maximum: (name: String, value: Int), vocabularySize: Int,
             tokenizer: () throws -> any TextTokenizer) throws -> [Int32] {
        let given: [Int32]?
        do { given = try TokenIdLine.ids(line.text) } catch { throw ValidationError("\(input):\(line.number): \(error)") }
        let ids = try given ?? tokenizer().encode(line.text, truncation: .init(maxLength: limit)).ids.map(Int32.init)
        guard !ids.isEmpty else { throw ValidationError("\(input):\(line.number): no tokens to encode") }
        guard ids.count <= maximum.value else {
            throw ValidationError("\(input):\(line.number): \(ids.count) tokens exceed \(maximum.name) \(maximum.value)")
        }
        for (position, id) in ids.enumerated() where id < 0 || Int(id) >= vocabularySize {
            throw ValidationError("\(input):\(line.number): token id \(id) at position \(position) is outside the vocabulary (\(vocabularySize))")
        }
        return ids
    }

    /// `--task_name`: each line through the fine-tuned model as one unpadded row (`[CLS] text [SEP]`, or the ids given).
    func encodeHead(_ task: ServedTask) throws {
        var configuration = ServingConfiguration(modelDirectory: modelNameOrPath)
        configuration.task = task
        configuration.dtype = dtype
        configuration.maxInputLength = maxSeqLen
        let model = try ServedModel(configuration)
        var tensors: [SafetensorsTensor] = []
        for (index, line) in try InputLines(path: input).enumerated() {
            let ids = try ids(of: line, truncatedTo: model.maxInputLength, atMost: (maxSeqLen == nil ? "max_position_embeddings" : "--max_seq_len", model.maxInputLength),
                              vocabularySize: model.config.vocabularySize) { model.tokenizer }
            var feature = EncodedFeature(rows: [TokenRow(inputIds: ids, tokenTypeIds: [Int32](repeating: 0, count: ids.count))], exampleIndex: 0)
            if task == .tokenClassification { feature.wordIndices = ids.indices.map { $0 } }
            switch try model.forward(FeatureBatch([feature], padId: 0))[0] {
            case .logits(let logits): tensors.append(SafetensorsTensor(name: "logits.\(index)", shape: [logits.count], floats: logits))
            case .tokens(let logits, _):
                tensors.append(SafetensorsTensor(name: "logits.\(index)", shape: [logits.count, logits.first?.count ?? 0], floats: logits.flatMap { $0 }))
            case .span(let start, let end):
                tensors.append(SafetensorsTensor(name: "start_logits.\(index)", shape: [start.count], floats: start))
                tensors.append(SafetensorsTensor(name: "end_logits.\(index)", shape: [end.count], floats: end))
            case .vector(let vector): tensors.append(SafetensorsTensor(name: "embedding.\(index)", shape: [vector.count], floats: vector))
            }
        }
        try SafetensorsWriter.write(tensors, to: URL(fileURLWithPath: output))
        warn("encoded \(tensors.count) outputs into \(output)")
    }
}

/// The lines of a UTF-8 text file with their 1-based numbers (a trailing newline adds no line).
struct InputLines: RandomAccessCollection {
    struct Line {
        let number: Int
        let text: String
    }

    let lines: [Line]

    init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        var lines: [Line] = []
        var number = 0
        for raw in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            guard let text = String(validatingUTF8Bytes: raw) else { throw ValidationError("\(path):\(number): invalid UTF-8") }
            lines.append(Line(number: number, text: text.hasSuffix("\r") ? String(text.dropLast()) : text))
        }
        if lines.last?.text == "" { lines.removeLast() }
        self.lines = lines
    }

    var startIndex: Int { 0 }
    var endIndex: Int { lines.count }
    subscript(position: Int) -> Line { lines[position] }
}

extension String {
    init?(validatingUTF8Bytes bytes: Data.SubSequence) {
        guard let text = String(bytes: bytes, encoding: .utf8) else { return nil }
        self = text
    }
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
