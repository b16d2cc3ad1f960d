import ErnieBasics
import ErnieEngine
import ErnieModels
import Foundation

/// What an exported graph computes: optimum's task names and outputs.
public enum OnnxTask: String, Sendable, CaseIterable {
    /// `last_hidden_state` [batch, seq, hidden] (+ `pooler_output` [batch, hidden] when the model has a pooler).
    case featureExtraction = "feature-extraction"
    /// `logits` [batch, labels].
    case textClassification = "text-classification"
    /// `logits` [batch, seq, labels].
    case tokenClassification = "token-classification"
    /// `start_logits`, `end_logits` [batch, seq].
    case questionAnswering = "question-answering"
    /// Inputs [batch, choices, seq] → `logits` [batch, choices].
    case multipleChoice = "multiple-choice"

    /// The task of a saved head.
    public init(head: ModelHead) {
        switch head {
        case .base, .pretraining, .maskedLM, .nextSentencePrediction: self = .featureExtraction
        case .sequenceClassification: self = .textClassification
        case .tokenClassification: self = .tokenClassification
        case .questionAnswering: self = .questionAnswering
        case .multipleChoice: self = .multipleChoice
        }
    }

    /// The head whose weights the task needs.
    var head: ModelHead? {
        switch self {
        case .featureExtraction: nil
        case .textClassification: .sequenceClassification
        case .tokenClassification: .tokenClassification
        case .questionAnswering: .questionAnswering
        case .multipleChoice: .multipleChoice
        }
    }
}

/// Errors of `ernie export`, each naming what to change.
public struct ExportError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A BERT / ERNIE / ERNIE-M folder as a plain ONNX graph, as optimum exports `BertFor…`: inputs `input_ids`,
/// `attention_mask`, `token_type_ids` (ERNIE-M has none; int64, dynamic `batch_size` × `sequence_length`), the encoder written with MatMul/Add,
/// LayerNormalization, Softmax, Erf-based GELU and Gather, and the task's head; the weights are initializers under
/// their Hugging Face names (linear weights transposed for MatMul, named `<name>.T`).
///
/// The attention keeps the pattern onnxruntime's transformer optimizer fuses (MatMul + Add → Reshape → Transpose for
/// Q, K, V; scaled scores + `(1 − mask) · min` → Softmax → MatMul; Add + LayerNormalization for skip-layer-norm).
public enum BertOnnxExport {
    /// The smallest opset with every operator used (`LayerNormalization` is opset 17).
    public static let minimumOpset = 17

    /// Protocol buffers stop at 2 GB: weights larger than this go to an external data file.
    public static let externalDataThreshold = Int(Int32.max) - (1 << 20)

    /// Whether ernie writes ONNX graphs of this family (the others export their Hugging Face folder).
    public static func exports(_ type: ModelType) -> Bool { type == .bert || type == .ernie || type == .ernieM }

    /// The model of `directory` for `task` (default: the task of its saved head).
    /// - Parameter externalData: the external data file's name and the weight size (bytes) from which it is used.
    /// - Returns: the serialized `ModelProto`, the external data (nil when the weights stay inside), and the task.
    /// - Parameter quantized: every Linear layer in int8 as `ernie … --dtype int8` runs it (see `quantizedLinear`).
    public static func export(directory: URL, task requested: OnnxTask?, opset: Int, quantized: Bool = false,
                              externalData: (name: String, fromBytes: Int)? = nil)
        throws -> (model: [UInt8], externalData: [UInt8]?, task: OnnxTask) {
        guard opset >= minimumOpset else {
            throw ExportError("--opset \(opset) is too old: LayerNormalization needs opset \(minimumOpset) or later (17 or 18)")
        }
        guard opset <= 21 else { throw ExportError("--opset \(opset) is newer than ernie writes (17–21)") }
        let config = try ModelCheckpoint.loadConfig(directory: directory)
        guard exports(config.modelType) else {
            throw ExportError("model_type \(config.modelType.rawValue) is not exported to ONNX yet (bert, ernie and ernie_m are)")
        }
        guard config.positionEmbeddingType == .absolute else {
            throw ExportError("position_embedding_type \(config.positionEmbeddingType.rawValue) is not exported (absolute positions only)")
        }
        let savedHead = config.architectures?.first.flatMap { ModelHead.parse(architecture: $0)?.1 } ?? .base
        let task = requested ?? OnnxTask(head: savedHead)
        if let needed = task.head, needed != savedHead {
            throw ExportError("\(directory.path) holds a \(config.architectures?.first ?? "base model"); --task \(task.rawValue) needs a \(needed.architectureName(for: config.modelType))")
        }
        let table = ParameterTable(config: config, head: task.head ?? savedHead)
        try ModelCheckpoint.checkFits(directory: directory, table: table)
        let (weights, report) = try ModelCheckpoint.loadFloats(try ModelCheckpoint.openWeights(directory: directory), table: table)
        let prefix = table.encoderPrefix
        let pooled = task == .textClassification || task == .multipleChoice || (task == .featureExtraction && table.head.hasPooler)
        let required = table.names.filter { pooled || !$0.hasPrefix(prefix + "pooler.") }
        if let missing = required.first(where: { weights[$0] == nil }) {
            throw ExportError("\(directory.path) lacks the weights of \(missing) (and \(report.uninitializedParameters.count - 1) more)")
        }
        var builder = BertOnnxGraph(config: config, architecture: try BertArchitecture(config), weights: weights, prefix: prefix, task: task, withPooler: pooled,
                                    opset: opset, quantized: quantized)
        let (inputs, outputs) = builder.build()
        var initializers = builder.graph.initializers
        var external: [UInt8]?
        if let externalData, initializers.reduce(0, { $0 + $1.raw.count }) >= externalData.fromBytes {
            var data: [UInt8] = []
            for index in initializers.indices {
                let offset = data.count
                data += initializers[index].raw
                initializers[index].external = (externalData.name, offset, initializers[index].raw.count)
                initializers[index].raw = []
                while data.count % 64 != 0 { data.append(0) }
            }
            external = data
        }
        let model = OnnxProto.Model(graphName: "main_graph", nodes: builder.graph.nodes, initializers: initializers, inputs: inputs,
                                    outputs: outputs, opset: opset, producerVersion: "0.2.0")
        return (model.serialized(), external, task)
    }
}

/// The graph of one BERT / ERNIE model.
struct BertOnnxGraph {
    let config: BertConfig
    /// The family's tensor names (layer layout, embedding norm, pooler).
    let architecture: BertArchitecture
    let weights: [String: [Float]]
    let prefix: String
    let task: OnnxTask
    let withPooler: Bool
    let opset: Int
    /// Linear layers in int8 (`quantizedLinear`).
    let quantized: Bool
    var graph = OnnxGraphBuilder()
    /// The shared constants of the int8 layers, made by the first one.
    private var int8Constants: (zero: String, one: String, levels: String, low: String, high: String, shift: String, axes: String, zeroPoint: String)?

    init(config: BertConfig, architecture: BertArchitecture, weights: [String: [Float]], prefix: String, task: OnnxTask,
         withPooler: Bool, opset: Int, quantized: Bool) {
        self.config = config
        self.architecture = architecture
        self.weights = weights
        self.prefix = prefix
        self.task = task
        self.withPooler = withPooler
        self.opset = opset
        self.quantized = quantized
    }

    /// A weight as an initializer under its Hugging Face name, shaped as the checkpoint has it.
    mutating func weight(_ name: String, dims: [Int]) -> String {
        graph.initializer(.floats(name, dims: dims, weights[name]!))
    }

    /// `y = x · Wᵀ + b` for a Hugging Face Linear `name` ([out, in] weight): MatMul against the transposed weight, then Add.
    mutating func linear(_ x: String, _ name: String, out: Int, in inputs: Int) -> String {
        if quantized { return quantizedLinear(x, name, out: out, in: inputs) }
        let w = weights[name + ".weight"]!
        var transposed = [Float](repeating: 0, count: w.count)
        for row in 0..<out { for column in 0..<inputs { transposed[column * out + row] = w[row * inputs + column] } }
        let wT = graph.initializer(.floats(name + ".weight.T", dims: [inputs, out], transposed))
        return graph.add(graph.matMul(x, wT), weight(name + ".bias", dims: [out]))
    }

    /// A Linear layer in int8, computing what ernie's int8 layer (`linearInt8`) computes, operation for operation:
    /// the weight quantised per output channel (`QuantizedMatrix`: `<name>.weight.int8.T` [in, out] int8 and
    /// `<name>.weight.scale` [out]); each row of x quantised at run time, q = clip(round(x · (1 / s)), ±127) with
    /// s = max|x| / 127 (1 for an all-zero row), shifted to uint8 with zero point 128; `MatMulInteger`; then
    /// y = acc · scale_w · s + b.
    mutating func quantizedLinear(_ x: String, _ name: String, out: Int, in inputs: Int) -> String {
        let matrix = weights[name + ".weight"]!.withUnsafeBufferPointer { QuantizedMatrix($0.baseAddress!, rows: out, columns: inputs) }
        var transposed = [Int8](repeating: 0, count: out * inputs)
        matrix.withValues { values in
            for row in 0..<out { for column in 0..<inputs { transposed[column * out + row] = values[row * inputs + column] } }
        }
        let wT = graph.initializer(.int8s(name + ".weight.int8.T", dims: [inputs, out], transposed))
        let wScale = graph.initializer(.floats(name + ".weight.scale", dims: [out], matrix.scales))
        if int8Constants == nil {
            int8Constants = (graph.constant("int8_zero", floats: [0]), graph.constant("int8_one", floats: [1]),
                             graph.constant("int8_levels", floats: [127]), graph.constant("int8_low", floats: [-127]),
                             graph.constant("int8_high", floats: [127]), graph.constant("int8_shift", floats: [128]),
                             graph.constant("int8_axes", int64s: [-1]), graph.initializer(.uint8s("int8_zero_point", dims: [], [128])))
        }
        let c = int8Constants!
        let magnitude = graph.node("Abs", [x])
        // ReduceMax takes its axes as an attribute before opset 18, as an input from 18 on.
        let largest = opset >= 18
            ? graph.node("ReduceMax", [magnitude, c.axes], [.int("keepdims", 1)])
            : graph.node("ReduceMax", [magnitude], [.ints("axes", [-1]), .int("keepdims", 1)])
        let scale = graph.node("Where", [graph.node("Equal", [largest, c.zero]), c.one, graph.div(largest, c.levels)])
        let rounded = graph.node("Round", [graph.mul(x, graph.node("Reciprocal", [scale]))])
        let q = graph.node("Clip", [rounded, c.low, c.high])
        let shifted = graph.node("Cast", [graph.add(q, c.shift)],
                                 [.int("to", OnnxProto.DataType.uint8.rawValue)])
        let accumulators = graph.node("Cast", [graph.node("MatMulInteger", [shifted, wT, c.zeroPoint])],
                                      [.int("to", OnnxProto.DataType.float.rawValue)])
        // acc · scale_w first, then · s: also what keeps onnxruntime from fusing Cast → Mul(Mul(s, scale_w)) into its
        // MatMulIntegerToFloat, which takes one scale for all of A's rows.
        let product = graph.mul(graph.mul(accumulators, wScale), scale)
        return graph.add(product, weight(name + ".bias", dims: [out]))
    }

    mutating func layerNorm(_ x: String, _ name: String) -> String {
        let h = config.hiddenSize
        return graph.layerNorm(x, weight: weight(name + ".weight", dims: [h]), bias: weight(name + ".bias", dims: [h]),
                               epsilon: Float(config.layerNormEpsilon))
    }

    /// The activation of the feed-forward block, in the forms onnxruntime fuses (exact GELU: x · 0.5 · (1 + erf(x / √2))).
    mutating func activation(_ x: String) -> String {
        switch config.hiddenActivation {
        case .gelu:
            let erf = graph.node("Erf", [graph.div(x, graph.constant("gelu_sqrt2_\(graph.nodes.count)", floats: [Float(2).squareRoot()]))])
            let onePlus = graph.add(erf, graph.constant("gelu_one_\(graph.nodes.count)", floats: [1]))
            return graph.mul(graph.mul(x, onePlus), graph.constant("gelu_half_\(graph.nodes.count)", floats: [0.5]))
        case .geluNew:
            // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
            let cube = graph.node("Pow", [x, graph.constant("gelu_three_\(graph.nodes.count)", floats: [3])])
            let inner = graph.add(x, graph.mul(cube, graph.constant("gelu_c_\(graph.nodes.count)", floats: [0.044715])))
            let t = graph.tanh(graph.mul(inner, graph.constant("gelu_k_\(graph.nodes.count)", floats: [Float((2 / Double.pi).squareRoot())])))
            let onePlus = graph.add(t, graph.constant("gelu_one_\(graph.nodes.count)", floats: [1]))
            return graph.mul(graph.mul(x, onePlus), graph.constant("gelu_half_\(graph.nodes.count)", floats: [0.5]))
        case .relu:
            return graph.node("Relu", [x])
        }
    }

    /// Builds the graph; returns its inputs and outputs.
    mutating func build() -> (inputs: [OnnxProto.ValueInfo], outputs: [OnnxProto.ValueInfo]) {
        let h = config.hiddenSize, heads = config.attentionHeadCount, headSize = h / heads
        let e = prefix + "embeddings."
        let dynamic: [OnnxProto.Dimension] = task == .multipleChoice
            ? [.parameter("batch_size"), .parameter("num_choices"), .parameter("sequence_length")]
            : [.parameter("batch_size"), .parameter("sequence_length")]
        let hasTokenTypes = config.modelType.hasTokenTypes
        let inputNames = hasTokenTypes ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"]
        let inputs = inputNames.map { OnnxProto.ValueInfo(name: $0, dataType: .int64, shape: dynamic) }
        var ids = "input_ids", mask = "attention_mask", types = "token_type_ids"
        if task == .multipleChoice {
            // [batch, choices, seq] → [batch · choices, seq]
            let sequenceLength = graph.gather(graph.node("Shape", ["input_ids"]), graph.constant("two", int64s: [2], dims: []))
            let shape = graph.node("Concat", [graph.constant("minus_one", int64s: [-1]), graph.node("Unsqueeze", [sequenceLength, graph.constant("axis0", int64s: [0])])],
                                   [.int("axis", 0)])
            ids = graph.reshape(ids, shape)
            mask = graph.reshape(mask, shape)
            if hasTokenTypes { types = graph.reshape(types, shape) }
        }
        // Embeddings: word + position (0 ..< seq; ERNIE-M's count from 2) + token type (+ ERNIE 3.0's task type 0),
        // LayerNorm.
        let word = graph.gather(weight(e + "word_embeddings.weight", dims: [config.vocabularySize, h]), ids)
        let length = graph.gather(graph.node("Shape", [ids]), graph.constant("one", int64s: [1], dims: []))
        let firstPosition: Int64 = config.modelType == .ernieM ? 2 : 0
        let end = firstPosition == 0 ? length : graph.add(length, graph.constant("position_offset", int64s: [firstPosition], dims: []))
        let positionIds = graph.node("Range", [graph.constant("position_start", int64s: [firstPosition], dims: []), end,
                                               graph.constant("step", int64s: [1], dims: [])])
        let position = graph.gather(weight(e + "position_embeddings.weight", dims: [config.maxPositionEmbeddings, h]), positionIds)
        var x: String
        if hasTokenTypes {
            let tokenType = graph.gather(weight(e + "token_type_embeddings.weight", dims: [config.typeVocabularySize, h]), types)
            x = graph.add(graph.add(word, tokenType), position)
        } else {
            x = graph.add(word, position)
        }
        if config.useTaskId {
            // Task type 0 for every token (as ernie and transformers do without task_type_ids): its row, broadcast. The
            // whole table is kept, so the graph holds every weight of the model (`ernie predict` reads them back).
            let table = weight(e + "task_type_embeddings.weight", dims: [config.taskTypeVocabularySize, h])
            x = graph.add(x, graph.gather(table, graph.constant("task_type_zero", int64s: [0], dims: [])))
        }
        x = layerNorm(x, prefix + architecture.embeddingNormName)
        // Additive mask [batch, 1, 1, seq]: 0 where attended, the float minimum where padded (transformers' value).
        // Two Unsqueezes, then Cast, Sub, Mul: the mask pattern onnxruntime's attention fusion matches.
        let unsqueezed = graph.node("Unsqueeze", [graph.node("Unsqueeze", [mask, graph.constant("mask_axis1", int64s: [1])]),
                                                  graph.constant("mask_axis2", int64s: [2])])
        let maskFloat = graph.node("Cast", [unsqueezed], [.int("to", 1)])
        let inverted = graph.sub(graph.constant("mask_one", floats: [1]), maskFloat)
        let additive = graph.mul(inverted, graph.constant("mask_min", floats: [-Float.greatestFiniteMagnitude]))
        let splitHeads = graph.constant("split_heads_shape", int64s: [0, 0, Int64(heads), Int64(headSize)])
        let mergeHeads = graph.constant("merge_heads_shape", int64s: [0, 0, Int64(h)])
        let scale = graph.constant("attention_scale", floats: [Float(headSize).squareRoot()])
        let names = architecture.layout
        for index in 0..<config.layerCount {
            let l = prefix + architecture.layerPrefix(pass: index)
            let q = graph.transpose(graph.reshape(linear(x, l + names.query, out: h, in: h), splitHeads), [0, 2, 1, 3])
            let k = graph.transpose(graph.reshape(linear(x, l + names.key, out: h, in: h), splitHeads), [0, 2, 3, 1])
            let v = graph.transpose(graph.reshape(linear(x, l + names.value, out: h, in: h), splitHeads), [0, 2, 1, 3])
            let scores = graph.add(graph.div(graph.matMul(q, k), scale), additive)
            let context = graph.reshape(graph.transpose(graph.matMul(graph.softmax(scores), v), [0, 2, 1, 3]), mergeHeads)
            let attended = layerNorm(graph.add(linear(context, l + names.attentionOutput, out: h, in: h), x), l + names.attentionNorm)
            let inner = activation(linear(attended, l + names.intermediate, out: config.intermediateSize, in: h))
            x = layerNorm(graph.add(linear(inner, l + names.output, out: h, in: config.intermediateSize), attended), l + names.outputNorm)
        }
        var pooled: String?
        if withPooler {
            let first = graph.gather(x, graph.constant("first_token", int64s: [0], dims: []), axis: 1)
            pooled = graph.tanh(linear(first, prefix + architecture.poolerName, out: h, in: h))
        }
        let labels = config.labelCount
        let dynamicSequence: [OnnxProto.Dimension] = [.parameter("batch_size"), .parameter("sequence_length")]
        switch task {
        case .featureExtraction:
            graph.node("Identity", [x], name: "last_hidden_state")
            var outputs = [OnnxProto.ValueInfo(name: "last_hidden_state", dataType: .float, shape: dynamicSequence + [.value(h)])]
            if let pooled {
                graph.node("Identity", [pooled], name: "pooler_output")
                outputs.append(OnnxProto.ValueInfo(name: "pooler_output", dataType: .float, shape: [.parameter("batch_size"), .value(h)]))
            }
            return (inputs, outputs)
        case .textClassification:
            _ = linear(pooled!, "classifier", out: labels, in: h)
            graph.renameLastOutput(to: "logits")
            return (inputs, [OnnxProto.ValueInfo(name: "logits", dataType: .float, shape: [.parameter("batch_size"), .value(labels)])])
        case .tokenClassification:
            _ = linear(x, "classifier", out: labels, in: h)
            graph.renameLastOutput(to: "logits")
            return (inputs, [OnnxProto.ValueInfo(name: "logits", dataType: .float, shape: dynamicSequence + [.value(labels)])])
        case .questionAnswering:
            let both = linear(x, "qa_outputs", out: 2, in: h)
            let parts = graph.multiple("Split", [both, graph.constant("qa_split", int64s: [1, 1])], [.int("axis", -1)], outputs: 2)
            graph.node("Squeeze", [parts[0], graph.constant("qa_squeeze_start", int64s: [-1])], name: "start_logits")
            graph.node("Squeeze", [parts[1], graph.constant("qa_squeeze_end", int64s: [-1])], name: "end_logits")
            return (inputs, ["start_logits", "end_logits"].map { OnnxProto.ValueInfo(name: $0, dataType: .float, shape: dynamicSequence) })
        case .multipleChoice:
            let scores = linear(pooled!, "classifier", out: 1, in: h)
            let choices = graph.gather(graph.node("Shape", ["input_ids"]), graph.constant("choices_axis", int64s: [1], dims: []))
            let shape = graph.node("Concat", [graph.constant("mc_minus_one", int64s: [-1]), graph.node("Unsqueeze", [choices, graph.constant("mc_axis0", int64s: [0])])],
                                   [.int("axis", 0)])
            graph.node("Reshape", [scores, shape], name: "logits")
            return (inputs, [OnnxProto.ValueInfo(name: "logits", dataType: .float, shape: [.parameter("batch_size"), .parameter("num_choices")])])
        }
    }
}
