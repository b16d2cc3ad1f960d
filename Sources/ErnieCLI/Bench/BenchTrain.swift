import ArgumentParser
import ErnieEngine
import ErnieModels
import ErnieTraining
import Foundation

/// Model-shape options shared by the train and infer benchmarks (defaults: BERT-base with the Chinese vocab).
struct BenchModelOptions: ParsableArguments {
    @Option(name: .customLong("model_type"), help: "Family: ernie, bert or roberta.") var modelType: ModelType = .ernie
    @Option(parsing: .unconditional, help: "Transformer layers.") var layers = 12
    @Option(parsing: .unconditional, help: "Hidden size.") var hidden = 768
    @Option(parsing: .unconditional, help: "Attention heads.") var heads = 12
    @Option(parsing: .unconditional, help: "Vocabulary size.") var vocab = 21128
    @Option(parsing: .unconditional, help: "Sequence length.") var seq = 128
    @Option(parsing: .unconditional, help: "Batch size.") var batch = 16
    @Option(help: "Matmul precision: fp32, bf16 or int8 (inference only).") var dtype: MatmulPrecision = .fp32
    @Option(parsing: .unconditional, help: "Timed steps (after two warm-up steps).") var steps = 5
    @Option(name: .customLong("peak"), help: "Also measure the GEMM peak in this precision and report the share of it achieved (true|false).")
    var peak = true

    /// Numeric flags positive; the error names the flag.
    func validate() throws {
        for (flag, value) in [("--layers", layers), ("--hidden", hidden), ("--heads", heads), ("--vocab", vocab), ("--seq", seq),
                              ("--batch", batch), ("--steps", steps)] {
            try FlagRange.positive(flag, value)
        }
    }

    /// The family's config at these sizes (intermediate 4 × hidden, positions for at least 512 tokens).
    func config(dropout: Double) -> BertConfig {
        var config = BertConfig.familyDefaults(modelType)
        config.vocabularySize = vocab
        config.hiddenSize = hidden
        config.layerCount = layers
        config.attentionHeadCount = heads
        config.intermediateSize = 4 * hidden
        config.hiddenDropoutProbability = dropout
        config.attentionDropoutProbability = dropout
        config.maxPositionEmbeddings = max(512, seq)
        if modelType == .roberta {
            config.typeVocabularySize = 1
            config.maxPositionEmbeddings += (config.padTokenId ?? 1) + 1
        }
        return config
    }

    func architecture(dropout: Float) throws -> BertArchitecture {
        try BertArchitecture(config(dropout: Double(dropout)))
    }

    /// Encoder names' prefix inside head models (`ernie.`, `roberta.`, …).
    var prefix: String { modelType.parameterPrefix + "." }

    var caseFields: [(String, BenchValue)] {
        [("model_type", .string(modelType.rawValue)), ("layers", .int(layers)), ("hidden", .int(hidden)), ("heads", .int(heads)), ("vocab", .int(vocab)),
         ("seq", .int(seq)), ("batch", .int(batch)), ("dtype", .string(dtype.rawValue)), ("threads", .int(Threads.count))]
    }

    /// The FLOP counter of this shape.
    var flops: EncoderFLOPs { EncoderFLOPs(hidden: hidden, intermediate: 4 * hidden, layers: layers, seq: seq, vocab: vocab) }

    /// The measured GEMM peak in the run's precision, when asked for.
    func measuredPeak() -> Double? { peak ? MeasuredPeak.gflops(precision: dtype) : nil }

    /// Random token ids in [5, vocab) (past the special tokens).
    func randomIds(_ random: inout RandomGenerator) -> [Int32] {
        (0..<batch * seq).map { _ in Int32(5 + random.below(vocab - 5)) }
    }
}

extension MatmulPrecision: ExpressibleByArgument {}

/// `ernie bench train`: tokens/s of full pretraining steps (forward, backward, clip, AdamW) on random data:
/// MLM at 15% of positions plus SOP, dropout 0.1, as PaddleNLP's ErnieForPretraining trains (MLM alone, one segment,
/// for a family without a pair head).
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Training throughput (tokens/s).")

    @OptionGroup var output: BenchOutputOptions
    @OptionGroup var model: BenchModelOptions

    func run() throws {
        guard model.dtype != .int8 else { throw ValidationError("--dtype int8 is for inference (bench infer); training takes fp32 or bf16") }
        let network = BertForPreTraining(try model.architecture(dropout: 0.1), prefix: model.prefix, seed: 1)
        let pairs = model.modelType.supports(.pretraining)
        // The training core's step, as `ernie pretrain` runs it: backward, clipping at 1, AdamW.
        let core = try TrainingCore(parameters: ParameterGroups(layers: 0).assign(network.parameters.trainable),
                                    optimizer: OptimizerSettings(weightDecay: 0.01), schedule: .constant(1e-4), accumulation: 1, maxGradNorm: 1,
                                    useAmp: model.dtype == .bf16, lossScale: nil, seed: 3, totalSteps: model.steps + 1000)
        var random = RandomGenerator(seed: 2)
        let inputs = BertInputs(batch: model.batch, sequence: model.seq, inputIds: model.randomIds(&random),
                                tokenTypeIds: pairs ? (0..<model.batch * model.seq).map { Int32(($0 % model.seq) >= model.seq / 2 ? 1 : 0) } : nil)
        let masked = (0..<model.batch * model.seq).filter { _ in random.uniform() < 0.15 }.map { Int32($0) }
        let labels = masked.map { _ in Int32(5 + random.below(model.vocab - 5)) }
        let pairLabels = pairs ? (0..<model.batch).map { _ in Int32(random.below(2)) } : nil
        var lastLoss = 0.0
        let perStep = try measureSteps(model.steps) {
            let result = try core.step { _, graph in
                let out = try network(inputs, maskedPositions: masked, mlmLabels: labels, pairLabels: pairLabels, graph: graph)
                return TrainingCore.MicroStep(loss: out.loss!, values: [Double(out.loss!.values[0])], tokens: model.batch * model.seq)
            }
            lastLoss = result.values[0]
        }
        let tokensPerSecond = Double(model.batch * model.seq) / perStep
        let flops = model.flops.training(tokens: model.batch * model.seq, masked: masked.count)
        var printer = BenchPrinter(json: output.json)
        printer.print(BenchRecord(bench: "train", fields: model.caseFields, value: tokensPerSecond, unit: "tokens/s",
                                  extra: [("tokens_per_s", .double(tokensPerSecond)), ("step_s", .double(perStep)),
                                          ("loss", .double(lastLoss))]
                                      + MeasuredPeak.fields(flops: flops, seconds: perStep, peak: model.measuredPeak())))
    }
}

/// `ernie bench infer`: forward-only throughput and batch-1 latency of the encoder (no grad, no dropout).
struct BenchInfer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "infer", abstract: "Inference throughput and latency.")

    @OptionGroup var output: BenchOutputOptions
    @OptionGroup var model: BenchModelOptions

    func run() throws {
        let encoder = BertModel(try model.architecture(dropout: 0), seed: 2)
        var random = RandomGenerator(seed: 3)
        var printer = BenchPrinter(json: output.json)
        let weightCache = WeightCache()
        let peak = model.measuredPeak()
        for batch in Set([1, model.batch]).sorted() {
            var options = model
            options.batch = batch
            let inputs = BertInputs(batch: batch, sequence: model.seq, inputIds: options.randomIds(&random))
            let perCall = try measureSteps(model.steps) {
                _ = try encoder(inputs, graph: Graph.inference(precision: model.dtype, weightCache: weightCache))
            }
            var fields = options.caseFields
            fields.insert(("mode", .string(batch == 1 ? "latency" : "throughput")), at: 0)
            let flops = model.flops.forward(tokens: batch * model.seq)
            printer.print(BenchRecord(bench: "infer", fields: fields, value: perCall * 1000, unit: "ms",
                                      extra: [("tokens_per_s", .double(Double(batch * model.seq) / perCall))]
                                          + MeasuredPeak.fields(flops: flops, seconds: perCall, peak: peak)))
        }
    }
}

/// Median seconds of `steps` timed runs of `body` after two warm-up runs.
func measureSteps(_ steps: Int, _ body: () throws -> Void) throws -> Double {
    try body()
    try body()
    var times: [Double] = []
    for _ in 0..<max(1, steps) {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}
