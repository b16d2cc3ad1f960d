import ArgumentParser
import ErnieEngine
import ErnieBasics
import ErnieTraining
import Foundation

/// `ernie predict`: batch prediction with a fine-tuned directory, one JSON object per input example.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Apply a fine-tuned model (an `ernie finetune` output directory) to a file; JSON lines out.",
        discussion: "Input formats are those of `ernie finetune`. seq-cls writes label and confidence, token-cls labels per "
            + "token, qa the answer text, multiple-choice the chosen choice. Labelled input also gets its metrics on stderr.")

    @Option(name: .customLong("model_name_or_path")) var modelNameOrPath: String
    @Option(name: .customLong("task_name"), help: "seq-cls, token-cls, qa or multiple-choice.") var taskName: FineTuningTask
    @Option(name: .customLong("input")) var input: String
    @Option(name: .customLong("output"), help: "Default: stdout.") var output: String?
    @Option(name: .customLong("max_seq_length"), parsing: .unconditional) var maxSeqLength = 128
    @Option(name: .customLong("batch_size"), parsing: .unconditional) var batchSize = 32
    @Option(name: .customLong("doc_stride"), parsing: .unconditional) var docStride = 128
    @Option(name: .customLong("max_query_length"), parsing: .unconditional) var maxQueryLength = 64
    @Option(name: .customLong("n_best_size"), parsing: .unconditional) var nBestSize = 20
    @Option(name: .customLong("max_answer_length"), parsing: .unconditional) var maxAnswerLength = 30
    @Option(name: .customLong("qa_metric"), help: "squad or cmrc2018 (default: by the contexts' script).") var qaMetric: String?
    @Option(name: .customLong("use_amp"), help: "bf16 matmuls (AMX or AVX512-BF16).") var useAmp = false
    @Option(name: .customLong("dtype"), help: "fp32, bf16 or int8 (dynamic quantisation of the linear layers); overrides --use_amp.")
    var dtype: MatmulPrecision?

    /// Numeric flags in range; the error names the flag.
    func validate() throws {
        for (flag, value) in [("--max_seq_length", maxSeqLength), ("--batch_size", batchSize), ("--max_query_length", maxQueryLength),
                              ("--n_best_size", nBestSize), ("--max_answer_length", maxAnswerLength)] {
            try FlagRange.positive(flag, value)
        }
        try FlagRange.nonNegative("--doc_stride", docStride)
    }

    func run() throws {
        var c = FineTuningConfiguration(taskName: taskName, modelNameOrPath: modelNameOrPath, outputDir: "")
        c.maxSeqLength = maxSeqLength
        c.perDeviceEvalBatchSize = batchSize
        c.docStride = docStride
        c.maxQueryLength = maxQueryLength
        c.nBestSize = nBestSize
        c.maxAnswerLength = maxAnswerLength
        c.qaMetric = qaMetric
        c.useAmp = useAmp
        c.inferencePrecision = dtype
        guard batchSize > 0, maxSeqLength >= 8 else { throw ValidationError("--batch_size must be positive and --max_seq_length at least 8") }
        let issues = DataIssues()
        let result = try Predictor(c).predict(input: input, issues: issues)
        for line in issues.summary { FileHandle.standardError.write(Data("warning: \(line)\n".utf8)) }
        let text = result.predictions.joined(separator: "\n") + "\n"
        if let output {
            try AtomicFile.write(text.utf8, to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if !result.metrics.isEmpty {
            FileHandle.standardError.write(Data(("{" + result.metrics.map { "\"\($0.name)\": \($0.value)" }.joined(separator: ", ") + "}\n").utf8))
        }
    }
}
