import ArgumentParser
import ErnieBasics
import ErnieExport
import ErnieModels
import ErnieText
import ErnieTraining
import Foundation

extension FineTuningTask: ExpressibleByArgument {}
extension ProblemType: ExpressibleByArgument {}

/// `ernie finetune`: Hugging Face Trainer / PaddleNLP flags, same spellings.
struct Finetune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune a BERT/ERNIE directory for classification, NER, extractive QA or multiple choice on local files.",
        discussion: """
        Data: seq-cls reads CLUE-style JSON lines ({"sentence": …} or {"sentence1": …, "sentence2": …}, "label") or TSV \
        (label<TAB>text_a[<TAB>text_b], or with a header such as XNLI's); token-cls reads CoNLL "token label" lines \
        (what `ernie datasets peoples-daily-ner` writes) or JSON lines with tokens/labels; qa reads SQuAD v1.1 / CMRC 2018 \
        JSON; multiple-choice reads C3 JSON or JSON lines with context/question/choices/label.
        Outputs in --output_dir: the final model (HF layout), best_model/, eval_results.json, eval_predictions.jsonl, \
        test_results.json, logs/metrics.jsonl, TensorBoard events in logs/, report.html.
        """)

    @Option(name: .customLong("task_name"), help: "seq-cls, token-cls, qa or multiple-choice (MindSpore's flags imply it: --eval_json_path qa, --assessment_method bf1/mf1/clue_benchmark or --label_file_path token-cls, else seq-cls).")
    var taskName: FineTuningTask?
    @Option(name: .customLong("model_name_or_path"), help: "A model directory (config.json, vocab.txt, weights in any format ernie reads), e.g. an `ernie pretrain` output_dir/model_<step>.")
    var modelNameOrPath: String?
    @Option(name: .customLong("output_dir")) var outputDir: String?
    @Option(name: .customLong("train_file")) var trainFile: String?
    @Option(name: .customLong("validation_file")) var validationFile: String?
    @Option(name: .customLong("test_file")) var testFile: String?
    @Option(name: .customLong("label_list"), help: "A file with one label per line (class-id order). Default: config.json's labels, else the training data's, sorted.")
    var labelList: String?
    @Option(name: .customLong("problem_type"), help: "single_label_classification, multi_label_classification or regression (default: inferred from the labels).")
    var problemType: ProblemType?
    @Option(name: .customLong("do_train")) var doTrain = false
    @Option(name: .customLong("do_eval")) var doEval = false
    @Option(name: .customLong("do_predict")) var doPredict = false
    @Option(name: .customLong("num_train_epochs"), parsing: .unconditional) var numTrainEpochs = 3.0
    @Option(name: .customLong("max_steps"), parsing: .unconditional, help: "When > 0, overrides num_train_epochs.") var maxSteps = -1
    @Option(name: .customLong("learning_rate"), parsing: .unconditional) var learningRate = 5e-5
    @Option(name: .customLong("warmup_ratio"), parsing: .unconditional) var warmupRatio = 0.0
    @Option(name: .customLong("warmup_steps"), parsing: .unconditional, help: "When > 0, overrides warmup_ratio.") var warmupSteps = 0
    @OptionGroup var optimizerOptions: OptimizerOptions
    @Option(name: .customLong("max_grad_norm"), parsing: .unconditional, help: "Global gradient-norm limit (0: off).") var maxGradNorm = 1.0
    @Option(name: .customLong("layerwise_decay"), parsing: .unconditional, help: "Learning-rate factor per layer below the top (1: off).") var layerwiseDecay = 1.0
    @Option(name: .customLong("per_device_train_batch_size"), parsing: .unconditional) var trainBatchSize = 8
    @Option(name: .customLong("per_device_eval_batch_size"), parsing: .unconditional) var evalBatchSize = 8
    @Option(name: .customLong("gradient_accumulation_steps"), parsing: .unconditional, help: "Micro-batches summed into one optimizer step.") var gradientAccumulationSteps = 1
    @Option(name: .customLong("resume_from_checkpoint"), help: "A checkpoint-<step> directory (written with --save_steps) to continue from exactly, or true for the latest in output_dir.")
    var resumeFromCheckpoint: String?
    @Option(name: .customLong("max_seq_length"), parsing: .unconditional) var maxSeqLength = 128
    @Option(name: .customLong("eval_steps"), parsing: .unconditional, help: "Evaluate every this many steps (default: every epoch).") var evalSteps: Int?
    @Option(name: .customLong("save_steps"), parsing: .unconditional, help: "Write checkpoint-<step> every this many steps (default: never).") var saveSteps: Int?
    @Option(name: .customLong("logging_steps"), parsing: .unconditional) var loggingSteps = 10
    @Option(name: .customLong("metric_for_best_model"), help: "e.g. accuracy, f1, loss (default: the task's main metric).") var metricForBestModel: String?
    @Option(name: .customLong("greater_is_better"), help: "true|false (default: false for losses).") var greaterIsBetter: Bool?
    @Option(name: .customLong("load_best_model_at_end")) var loadBestModelAtEnd = false
    @Option(name: .customLong("save_total_limit"), parsing: .unconditional) var saveTotalLimit: Int?
    @Option(name: .customLong("early_stopping_patience"), parsing: .unconditional, help: "Stop after this many evaluations without improvement.") var earlyStoppingPatience: Int?
    @Option(name: .customLong("seed"), parsing: .unconditional) var seed = 42
    @Option(name: .customLong("max_train_samples"), parsing: .unconditional) var maxTrainSamples: Int?
    @Option(name: .customLong("max_eval_samples"), parsing: .unconditional) var maxEvalSamples: Int?
    @Option(name: .customLong("max_predict_samples"), parsing: .unconditional) var maxPredictSamples: Int?
    @Option(name: .customLong("use_crf"), help: "token-cls: a CRF layer over the tag scores, Viterbi decoding.") var useCrf = false
    @Option(name: .customLong("doc_stride"), parsing: .unconditional) var docStride = 128
    @Option(name: .customLong("max_query_length"), parsing: .unconditional) var maxQueryLength = 64
    @Option(name: .customLong("n_best_size"), parsing: .unconditional) var nBestSize = 20
    @Option(name: .customLong("max_answer_length"), parsing: .unconditional) var maxAnswerLength = 30
    @Option(name: .customLong("qa_metric"), help: "squad or cmrc2018 (default: cmrc2018 for mostly-Chinese contexts).") var qaMetric: String?
    @Option(name: .customLong("hidden_dropout_prob"), parsing: .unconditional, help: "Default: config.json's.") var hiddenDropoutProb: Double?
    @Option(name: .customLong("attention_probs_dropout_prob"), parsing: .unconditional, help: "Default: config.json's.") var attentionProbsDropoutProb: Double?
    @Option(name: .customLong("classifier_dropout"), parsing: .unconditional, help: "Default: config.json's (else hidden_dropout_prob).") var classifierDropout: Double?
    @Option(name: .customLong("use_amp"), help: "bf16 matmuls (AMX or AVX512-BF16) with fp32 master weights.") var useAmp = false
    @Option(name: .customLong("use_sharding"), help: "Shard the optimizer state across the mpirun ranks (ZeRO-1).") var useSharding = false
    @Option(name: .customLong("group_by_length"), help: "Batch examples of similar length together (less padding).") var groupByLength = false
    @Option(name: .customLong("do_export"), help: "At the end, export the model as ONNX (model.onnx + config and tokenizer) to --export_model_dir.")
    var doExport = false
    @Option(name: .customLong("export_model_dir"), help: "Default: output_dir/export.") var exportModelDir: String?
    @OptionGroup(title: "The seeds' names (HF/PaddleNLP Trainer, ERNIE-M run_classifier.py, MindSpore BERT run_classifier/ner/squad.py)")
    var seeds: FinetuneSeedOptions

    func run() throws { try run(distillation: nil) }

    /// The command, or `ernie distill` on its options with a teacher.
    func run(distillation: DistillationSettings?) throws {
        try seeds.checkApplicable()
        func given(_ path: String?) -> String? { path.flatMap { $0.isEmpty ? nil : $0 } }  // MindSpore's scripts pass ""
        guard let outputDir = given(seeds.saveFinetuneCheckpointPath) ?? outputDir else {
            throw ValidationError("give --output_dir (or --save_finetune_checkpoint_path)")
        }
        let taskName = taskName ?? (seeds.evalJsonPath != nil ? .questionAnswering
            : ["bf1", "mf1", "clue_benchmark"].contains(seeds.assessmentMethod?.lowercased() ?? "") || seeds.labelFilePath != nil ? .tokenClassification
            : .sequenceClassification)
        let doTrain = doTrain, doEval = doEval
        var resumeFromCheckpoint = resumeFromCheckpoint
        // HF's rule for a non-empty output_dir: resume from its newest checkpoint-<step>, or refuse without --overwrite_output_dir.
        if doTrain, !seeds.overwriteOutputDir, resumeFromCheckpoint == nil,
           let contents = try? FileManager.default.contentsOfDirectory(atPath: outputDir), contents.contains(where: { !$0.hasPrefix(".") }) {
            if contents.contains(where: { $0.hasPrefix(FineTuner.checkpointPrefix) }) {
                resumeFromCheckpoint = "true"
                warn("\(outputDir) holds checkpoints: resuming from the newest (pass --overwrite_output_dir true to start over)")
            } else {
                throw ValidationError("--output_dir \(outputDir) already exists and is not empty: pass --overwrite_output_dir true to train into it")
            }
        }
        // A model given as a weights file (MindSpore's .ckpt, a bare .bin, …) is converted to a folder first.
        var converted: URL?
        defer { if let converted { try? FileManager.default.removeItem(at: converted) } }
        guard let modelPath = given(seeds.loadFinetuneCheckpointPath) ?? given(seeds.loadPretrainCheckpointPath) ?? modelNameOrPath else {
            throw ValidationError("give the model with --model_name_or_path (or --load_pretrain_checkpoint_path)")
        }
        var modelNameOrPath = modelPath
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: modelPath, isDirectory: &isFolder), !isFolder.boolValue {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-converted-\(UUID().uuidString)")
            converted = folder
            try Convert.write(from: URL(fileURLWithPath: modelPath), to: folder, config: nil, tokenizer: given(seeds.vocabFilePath))
            modelNameOrPath = folder.path
        }
        var c = FineTuningConfiguration(taskName: taskName, modelNameOrPath: modelNameOrPath, outputDir: outputDir)
        c.trainFile = given(seeds.trainDataFilePath) ?? trainFile
        c.validationFile = given(seeds.evalDataFilePath) ?? given(seeds.evalJsonPath) ?? validationFile
        c.testFile = testFile
        c.labelList = given(seeds.labelFilePath) ?? labelList
        let assessment = try seeds.assessment()
        c.problemType = problemType ?? (assessment?.regression == true ? .regression : nil)
        c.xnli = seeds.xnli
        c.doTrain = doTrain
        c.doEval = doEval
        if seeds.evaluationStrategy == "no" { c.doEval = false }
        c.doPredict = doPredict
        c.numTrainEpochs = seeds.epochNum ?? numTrainEpochs
        c.maxSteps = maxSteps == -1 ? nil : maxSteps  // HF: -1 means train --num_train_epochs
        c.learningRate = learningRate
        c.warmupRatio = seeds.warmupProportion ?? warmupRatio
        c.warmupSteps = warmupSteps == 0 ? nil : warmupSteps
        c.optimizer = optimizerOptions.settings(defaultWeightDecay: 0)
        c.maxGradNorm = maxGradNorm
        c.layerwiseDecay = layerwiseDecay
        c.perDeviceTrainBatchSize = seeds.trainBatchSize ?? seeds.batchSize ?? trainBatchSize
        c.perDeviceEvalBatchSize = seeds.evalBatchSize ?? evalBatchSize
        c.gradientAccumulationSteps = gradientAccumulationSteps
        c.resumeFromCheckpoint = resumeFromCheckpoint
        c.maxSeqLength = maxSeqLength
        c.evalSteps = evalSteps
        c.saveSteps = saveSteps
        c.loggingSteps = loggingSteps
        c.metricForBestModel = metricForBestModel ?? assessment?.metric
        c.greaterIsBetter = greaterIsBetter
        c.loadBestModelAtEnd = loadBestModelAtEnd
        c.saveTotalLimit = saveTotalLimit
        c.earlyStoppingPatience = earlyStoppingPatience
        c.seed = seed
        c.maxTrainSamples = maxTrainSamples
        c.maxEvalSamples = maxEvalSamples
        c.maxPredictSamples = maxPredictSamples
        c.useCrf = useCrf
        c.docStride = docStride
        c.maxQueryLength = maxQueryLength
        c.nBestSize = nBestSize
        c.maxAnswerLength = maxAnswerLength
        c.qaMetric = qaMetric
        c.hiddenDropoutProb = hiddenDropoutProb
        c.attentionProbsDropoutProb = attentionProbsDropoutProb
        c.classifierDropout = seeds.dropout ?? classifierDropout
        c.useAmp = (useAmp || seeds.fp16 || seeds.bf16) && seeds.fp16OptLevel?.uppercased() != "O0"
        c.useSharding = useSharding
        c.groupByLength = groupByLength
        c.distillation = distillation
        try c.validate()  // before any rank writes into --output_dir
        Interruption.install()
        let exportDirectory = URL(fileURLWithPath: exportModelDir ?? outputDir + "/export")
        try DataParallelLaunch.run { group in
            let logger = RunLogger(outputDirectory: URL(fileURLWithPath: outputDir), title: "ernie fine-tuning", silent: group.rank != 0)
            try FineTuner(c, logger: logger, group: group).run()
            guard doExport, group.rank == 0 else { return }
            // The trained model (output_dir), or the given one when nothing was trained.
            let trained = FileManager.default.fileExists(atPath: outputDir + "/model.safetensors") ? outputDir : modelNameOrPath
            try FileManager.default.createDirectory(at: exportDirectory, withIntermediateDirectories: true)
            let family = try ModelCheckpoint.loadConfig(directory: URL(fileURLWithPath: trained)).modelType
            guard BertOnnxExport.exports(family) else {
                // ONNX graphs exist for BERT, ERNIE and ERNIE-M so far: the other families export their Hugging Face folder.
                let manager = FileManager.default
                let names = ["config.json", "model.safetensors"] + ErnieMFiles.fileNames + WordPieceFiles.fileNames + ByteLevelBPEFiles.fileNames
                for name in Set(names).sorted() {
                    let source = trained + "/" + name
                    guard manager.fileExists(atPath: source) else { continue }
                    let destination = exportDirectory.appendingPathComponent(name)
                    guard destination.standardizedFileURL.path != URL(fileURLWithPath: source).standardizedFileURL.path else { continue }
                    try AtomicFile.write([UInt8](try Data(contentsOf: URL(fileURLWithPath: source))), to: destination)
                }
                warn("exported \(trained) to \(exportDirectory.path) as a Hugging Face folder (ONNX export of \(family.rawValue) is not built yet)")
                return
            }
            let exported = try ModelExport.onnx(from: URL(fileURLWithPath: trained), to: exportDirectory.appendingPathComponent("model.onnx"),
                                                task: nil, opset: 18)
            warn("exported \(trained) as \(exported.task.rawValue) ONNX to \(exportDirectory.path)/model.onnx")
        }
    }
}
