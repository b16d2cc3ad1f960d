import ArgumentParser
import ErnieData
import ErnieModels
import ErnieTraining
import Foundation

/// The fine-tuning flags of the seeds' scripts that ernie's Hugging Face Trainer names do not already cover: the
/// Trainer's own extras (`--overwrite_output_dir`, `--fp16`/`--bf16`, …), PaddleNLP ERNIE-M run_classifier.py's, and
/// MindSpore BERT's run_classifier.py / run_ner.py / run_squad.py. Each does what it says, or stops before any work
/// with the reason.
struct FinetuneSeedOptions: ParsableArguments {
    // Hugging Face / PaddleNLP Trainer.
    @Option(name: .customLong("overwrite_output_dir"), help: "Train into a non-empty --output_dir from scratch; without it such a folder is resumed from its newest checkpoint-<step>, or refused (HF's rule; true|false).")
    var overwriteOutputDir = false
    @Option(name: .customLong("fp16"), help: "Mixed precision: bf16 matmuls here (true|false).") var fp16 = false
    @Option(name: .customLong("bf16"), help: "Alias of --use_amp (true|false).") var bf16 = false
    @Option(name: .customLong("fp16_opt_level"), help: "O1 or O2: both bf16 matmuls with fp32 master weights; O0: fp32.") var fp16OptLevel: String?
    @Option(name: .customLong("remove_unused_columns"), help: "Accepted: ernie's readers take only the columns a task uses.") var removeUnusedColumns = true
    @Option(name: [.customLong("evaluation_strategy"), .customLong("eval_strategy")], help: "steps (with --eval_steps), epoch, or no.") var evaluationStrategy: String?
    @Option(name: .customLong("save_strategy"), help: "Accepted: checkpoint-<step> folders follow --save_steps.") var saveStrategy: String?
    @Option(name: .customLong("report_to"), help: "Accepted: TensorBoard events, metrics.jsonl and report.html are always written.") var reportTo: String?
    @Option(name: .customLong("disable_tqdm"), help: "Accepted.") var disableTqdm = false
    @Option(name: .customLong("dataloader_num_workers"), parsing: .unconditional, help: "Accepted (features are encoded once, before training).") var dataloaderNumWorkers = 0
    @Option(name: .customLong("device"), help: "cpu only.") var device = "cpu"
    @Option(name: .customLong("task_type"), help: "ERNIE-M's XNLI: cross-lingual-transfer (train on English) or translate-train-all (every language); evaluation per language.") var taskType: String?
    @Option(name: .customLong("data_dir"), help: "--task_type: the XNLI folder (XNLI-1.0 + XNLI-MT-1.0 as distributed); default $XNLI_DIR, then ~/.paddlenlp/datasets/XNLI.") var dataDir: String?
    @Option(name: .customLong("use_test_data"), help: "--task_type: read every split from --test_data_path (PaddleNLP's CI switch).") var useTestData = false
    @Option(name: .customLong("test_data_path"), help: "With --use_test_data: JSON lines with premise, hypothesis, label.") var testDataPath: String?
    @Option(name: .customLong("batch_size"), parsing: .unconditional, help: "Alias of --per_device_train_batch_size (PaddleNLP's older scripts).") var batchSize: Int?
    @Option(name: .customLong("dropout"), parsing: .unconditional, help: "Alias of --classifier_dropout.") var dropout: Double?
    @Option(name: .customLong("warmup_proportion"), parsing: .unconditional, help: "Alias of --warmup_ratio.") var warmupProportion: Double?

    // MindSpore BERT run_classifier.py / run_ner.py / run_squad.py.
    @Option(name: .customLong("config_path"), help: "MindSpore's yaml: its settings are the defaults of the flags of the same names (the command line wins).") var configPath: String?
    @Option(name: .customLong("device_target"), help: "CPU.") var deviceTarget: String?
    @Option(name: .customLong("device_id"), parsing: .unconditional, help: "Accepted.") var deviceId = 0
    @Option(name: .customLong("assessment_method"), help: "accuracy, f1, mcc, spearman_correlation (regression), clue_benchmark, bf1 or mf1 (any case).")
    var assessmentMethod: String?
    @Option(name: .customLong("epoch_num"), parsing: .unconditional, help: "Alias of --num_train_epochs.") var epochNum: Double?
    @Option(name: .customLong("num_class"), parsing: .unconditional, help: "Classes the data must have (checked against the labels).") var numClass: Int?
    @Option(name: .customLong("train_batch_size"), parsing: .unconditional, help: "Alias of --per_device_train_batch_size.") var trainBatchSize: Int?
    @Option(name: .customLong("eval_batch_size"), parsing: .unconditional, help: "Alias of --per_device_eval_batch_size.") var evalBatchSize: Int?
    @Option(name: .customLong("train_data_shuffle"), help: "Accepted: training batches are always drawn in a seeded shuffle.") var trainDataShuffle = true
    @Option(name: .customLong("eval_data_shuffle"), help: "Must be false (evaluation keeps the file's order).") var evalDataShuffle = false
    @Option(name: .customLong("load_pretrain_checkpoint_path"), help: "The pretrained model: a folder, or a weights file (.ckpt, .bin, .pdparams, .safetensors) converted on the fly.")
    var loadPretrainCheckpointPath: String?
    @Option(name: .customLong("load_finetune_checkpoint_path"), help: "A fine-tuned model (folder or file) to evaluate or predict with.") var loadFinetuneCheckpointPath: String?
    @Option(name: .customLong("save_finetune_checkpoint_path"), help: "Alias of --output_dir.") var saveFinetuneCheckpointPath: String?
    @Option(name: .customLong("train_data_file_path"), help: "Alias of --train_file (text data: JSONL, TSV, CoNLL, SQuAD JSON).") var trainDataFilePath: String?
    @Option(name: .customLong("eval_data_file_path"), help: "Alias of --validation_file.") var evalDataFilePath: String?
    @Option(name: .customLong("eval_json_path"), help: "SQuAD: alias of --validation_file.") var evalJsonPath: String?
    @Option(name: .customLong("schema_file_path"), help: "Accepted: text data needs no schema.") var schemaFilePath: String?
    @Option(name: .customLong("vocab_file_path"), help: "vocab.txt for a model converted from a weights file.") var vocabFilePath: String?
    @Option(name: [.customLong("label2id_file_path"), .customLong("label_file_path")], help: "The labels: a JSON {label: id} map, or one label per line.")
    var labelFilePath: String?
    @Option(name: .customLong("with_lstm"), help: "Must be false (a BiLSTM over BERT is not built).") var withLstm = false
    @Option(name: .customLong("use_pynative_mode"), help: "Accepted (a MindSpore execution mode).") var usePynativeMode = false
    @Option(name: .customLong("enable_modelarts"), help: "Must be false.") var enableModelarts = false
    @Option(name: .customLong("enable_profiling"), help: "Accepted.") var enableProfiling = false

    /// Stops before any work when a flag asks for something this build cannot do.
    func checkApplicable() throws {
        if let target = deviceTarget, target.uppercased() != "CPU" {
            throw ValidationError("--device_target \(target): ernie runs on the CPU; drop the flag or pass CPU")
        }
        guard device == "cpu" else { throw ValidationError("--device \(device): ernie runs on the CPU") }
        if let level = fp16OptLevel, !["O0", "O1", "O2"].contains(level.uppercased()) { throw ValidationError("--fp16_opt_level \(level): O0, O1 or O2") }
        if let taskType, XNLITaskType(rawValue: taskType) == nil {
            throw ValidationError("--task_type \(taskType): cross-lingual-transfer or translate-train-all")
        }
        if useTestData && testDataPath == nil { throw ValidationError("--use_test_data true needs --test_data_path") }
        if withLstm { throw ValidationError("--with_lstm true: a BiLSTM over BERT is not built; use --use_crf true") }
        if evalDataShuffle { throw ValidationError("--eval_data_shuffle true: evaluation keeps the file's order; pass false") }
        if enableModelarts { throw ValidationError("--enable_modelarts true: ModelArts (Huawei Cloud) is not reachable from here") }
        if let strategy = evaluationStrategy, !["steps", "epoch", "no"].contains(strategy) {
            throw ValidationError("--evaluation_strategy \(strategy): steps, epoch or no")
        }
        for path in [trainDataFilePath, evalDataFilePath].compactMap({ $0 }) where path.hasSuffix(".tfrecord") || path.contains("mindrecord") {
            throw ValidationError("\(path): MindSpore's pre-tokenized TFRecord/MindRecord features are not read for fine-tuning; give the text data (CLUE JSON lines, TSV, CoNLL, SQuAD JSON) the features were made from")
        }
    }

    /// `--task_type`'s XNLI settings.
    var xnli: XNLISettings? {
        taskType.flatMap(XNLITaskType.init(rawValue:)).map {
            XNLISettings(taskType: $0, dataDirectory: dataDir, testDataPath: useTestData ? testDataPath : nil)
        }
    }

    /// `--assessment_method` as the metric that picks the best model, and whether it means regression.
    func assessment() throws -> (metric: String, regression: Bool)? {
        guard let method = assessmentMethod?.lowercased() else { return nil }
        switch method {
        case "accuracy": return ("accuracy", false)
        case "f1", "bf1", "mf1", "clue_benchmark": return ("f1", false)
        case "mcc": return ("mcc", false)
        case "spearman_correlation": return ("spearmanr", true)
        default: throw ValidationError("--assessment_method \(assessmentMethod!): accuracy, f1, mcc, spearman_correlation, clue_benchmark, bf1 or mf1")
        }
    }
}
