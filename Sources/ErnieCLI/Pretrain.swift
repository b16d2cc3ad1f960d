import ArgumentParser
import ErnieData
import ErnieModels
import ErnieText
import ErnieTraining
import Foundation

extension ModelType: ExpressibleByArgument {}

extension PretrainingInputFormat: ExpressibleByArgument {}

/// `ernie pretrain`: PaddleNLP's run_pretrain.py flags, same spellings.
struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain an ERNIE/BERT model with MLM (+ SOP) on PaddleNLP-format token files.",
        discussion: "Restarting with the same --output_dir resumes from output_dir/model_last and continues bit-identically.")

    @Option(name: .customLong("model_type"), help: "ernie or bert (default: the model config's).") var modelType: ModelType?
    @Option(name: .customLong("model_name_or_path"), help: "A model directory (config.json; weights in any format ernie reads are continued from) or a preset (default: ernie-1.0-base-zh; bert-base-chinese for MindSpore's --data_dir).")
    var modelNameOrPath: String?
    @Option(name: .customLong("tokenizer_name_or_path"), help: "A folder with vocab.txt, or the vocab file (default: the model folder).")
    var tokenizerNameOrPath: String?
    @Option(name: .customLong("continue_training"), help: "Require weights in model_name_or_path and start from them.") var continueTraining = false
    @Option(name: .customLong("input_dir"), help: "A prefix, a folder of *_idx.npz, or \"w1 prefix1 w2 prefix2 …\"; with --input_format tfrecord a file, a comma list or a folder of TFRecord files.")
    var inputDir: String?
    @Option(name: .customLong("input_format"), help: "mmap (PaddleNLP's token files, samples built on the fly) or tfrecord (Google BERT's / MindSpore's stored samples; no held-out split).")
    var inputFormat: PretrainingInputFormat?
    @Option(name: .customLong("output_dir"), help: "Where checkpoints, logs and the report go.") var outputDir: String?
    @Option(name: .customLong("split"), help: "Document split train,valid,test.") var split = "949,50,1"
    @Option(name: .customLong("max_seq_len"), parsing: .unconditional) var maxSeqLen = 512
    @Option(name: .customLong("micro_batch_size"), parsing: .unconditional) var microBatchSize = 8
    @Option(name: .customLong("global_batch_size"), parsing: .unconditional, help: "Default: micro_batch_size × ranks; larger means gradient accumulation.") var globalBatchSize: Int?
    @Option(name: .customLong("binary_head"), help: "Train the sentence-order head (true|false).") var binaryHead = true
    @Option(name: .customLong("masked_lm_prob"), parsing: .unconditional) var maskedLMProb = 0.15
    @Option(name: .customLong("short_seq_prob"), parsing: .unconditional) var shortSeqProb = 0.1
    @Option(name: .customLong("max_ngrams"), parsing: .unconditional) var maxNgrams = 3
    @Option(name: .customLong("favor_longer_ngram")) var favorLongerNgram = false
    @Option(name: .customLong("max_lr"), parsing: .unconditional) var maxLR = 1e-4
    @Option(name: .customLong("min_lr"), parsing: .unconditional) var minLR = 1e-5
    @Option(name: .customLong("warmup_rate"), parsing: .unconditional) var warmupRate = 0.01
    @Option(name: .customLong("decay_steps"), parsing: .unconditional, help: "Default: max_steps.") var decaySteps: Int?
    @Option(name: .customLong("lr_scheduler"), help: "linear (PaddleNLP's annealing), cosine, polynomial (--power) or constant.") var lrScheduler = "linear"
    @OptionGroup var optimizerOptions: OptimizerOptions
    @Option(name: .customLong("grad_clip"), parsing: .unconditional, help: "Global gradient-norm limit (0: off).") var gradClip = 0.0
    @Option(name: .customLong("max_steps"), parsing: .unconditional, help: "Default 500000; -1 (or --epoch_size / --num_train_epochs without it): that many passes over TFRecord data.")
    var maxSteps: Int?
    @Option(name: .customLong("save_steps"), parsing: .unconditional, help: "Write output_dir/model_<step> every this many steps.") var saveSteps = 10_000
    @Option(name: .customLong("checkpoint_steps"), parsing: .unconditional, help: "Write output_dir/model_last (resumable) every this many steps.") var checkpointSteps = 20_000
    @Option(name: .customLong("logging_freq"), parsing: .unconditional) var loggingFreq = 1
    @Option(name: .customLong("eval_freq"), parsing: .unconditional) var evalFreq = 500
    @Option(name: .customLong("eval_iters"), parsing: .unconditional) var evalIters = 10
    @Option(name: .customLong("seed"), parsing: .unconditional) var seed = 1234
    @Option(name: .customLong("hidden_dropout_prob"), parsing: .unconditional, help: "Default: the model config's.") var hiddenDropoutProb: Double?
    @Option(name: .customLong("attention_probs_dropout_prob"), parsing: .unconditional, help: "Default: the model config's.") var attentionProbsDropoutProb: Double?
    @Option(name: .customLong("use_amp"), help: "bf16 matmuls (AMX or AVX512-BF16) with fp32 master weights (true|false).") var useAmp = false
    @Option(name: .customLong("scale_loss"), parsing: .unconditional, help: "Initial dynamic loss scale with --use_amp.") var scaleLoss = 32768.0
    @Option(name: .customLong("use_recompute"), help: "Recompute layer activations in the backward pass (true|false).") var useRecompute = false
    @Option(name: .customLong("num_workers"), parsing: .unconditional, help: "Data prefetch threads.") var numWorkers = 1
    @Option(name: .customLong("device"), help: "Accepted for PaddleNLP scripts; only cpu exists.") var device = "cpu"
    @Option(name: .customLong("use_sharding"), help: "Shard the optimizer state across the mpirun ranks (ZeRO-1; true|false).")
    var useSharding: Bool?
    @Option(name: .customLong("sharding_degree"), parsing: .unconditional, help: "Ranks sharing one copy of the optimizer state (default: all with --use_sharding).")
    var shardingDegree: Int?
    @Option(name: .customLong("dp_degree"), parsing: .unconditional, help: "Data-parallel groups (default: ranks / sharding_degree).") var dpDegree: Int?
    @OptionGroup(title: "The seeds' names (PaddleNLP run_pretrain.py / Trainer, MindSpore BERT run_pretrain.py)") var seeds: PretrainSeedOptions
    @OptionGroup(title: "Hugging Face run_language_modeling.py (a text file in, MLM)") var language: LanguageModelingOptions

    static let defaultModel = "ernie-1.0-base-zh"

    /// `--lr_scheduler` and its aliases' values (`none` is PaddleNLP's constant rate).
    static func scheduler(_ name: String) throws -> String {
        switch name.lowercased() {
        case "linear", "cosine", "polynomial", "constant": return name.lowercased()
        case "none", "constant_with_warmup": return "constant"
        default: throw ValidationError("learning-rate schedule \(name): linear, cosine, polynomial or constant")
        }
    }

    /// Samples one pass over the train split of PaddleNLP token files gives (for epochs given instead of steps).
    static func samplesPerEpoch(_ c: PretrainingConfiguration) throws -> Int {
        guard let tokenizer = c.tokenizerNameOrPath else { throw ValidationError("epochs need the vocabulary: --tokenizer_name_or_path") }
        var settings = PretrainingDataSettings(masking: MaskingSettings(maxSeqLen: c.maxSeqLen, pairObjective: c.binaryHead ? .sentenceOrder : .none))
        settings.split = c.split
        settings.useIndexCache = false
        settings.seed = Int32(truncatingIfNeeded: c.seed)
        let data = try PretrainingData(inputs: try DataInputs.parse(c.inputDir),
                                       vocabulary: try MaskingVocabulary(tokenizer: try TokenizerLocation.tokenizer(tokenizer, flag: "--tokenizer_name_or_path")),
                                       settings: settings)
        return try data.dataset(.train, samples: 1)?.count ?? 0
    }

    func run() throws { try run(distillation: nil) }

    /// The command, or `ernie distill` on its options with a teacher.
    func run(distillation: DistillationSettings?) throws {
        let launchedRanks = Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] ?? "") ?? 1
        try seeds.checkApplicable(launchedRanks: launchedRanks)
        guard device == "cpu" else { throw ValidationError("--device \(device): ernie runs on the CPU") }
        guard let inputDir = seeds.dataDir ?? inputDir ?? language.trainDataFile else {
            throw ValidationError("give the data with --input_dir (or --data_dir, or --train_data_file)")
        }
        guard let outputDir = seeds.saveCheckpointPath.flatMap({ $0.isEmpty ? nil : $0 }) ?? outputDir else {
            throw ValidationError("give --output_dir (or --save_checkpoint_path)")
        }
        // MindSpore's scripts name a shape (--bert_network, default base) instead of a model.
        let modelNameOrPath = modelNameOrPath
            ?? seeds.bertNetwork.map { ["large": "bert-large", "nezha": "nezha-large-mindspore"][$0] ?? "bert-base-chinese" }
            ?? (seeds.dataDir != nil ? "bert-base-chinese" : Self.defaultModel)
        var c = PretrainingConfiguration(modelNameOrPath: modelNameOrPath, inputDir: inputDir, outputDir: outputDir)
        c.inputFormat = inputFormat ?? (seeds.datasetFormat != nil || seeds.schemaDir != nil || seeds.dataDir != nil ? .tfrecord : .mmap)
        c.schemaFile = seeds.schemaDir.flatMap { $0.isEmpty ? nil : $0 }
        c.modelType = modelType ?? .ernie
        c.tokenizerNameOrPath = tokenizerNameOrPath
        c.continueTraining = continueTraining
        if let path = seeds.loadCheckpointPath, !path.isEmpty {
            c.initialWeights = path
            c.continueTraining = true
        }
        c.split = split
        c.maxSeqLen = seeds.maxSeqLength ?? maxSeqLen
        c.microBatchSize = seeds.batchSize ?? seeds.perDeviceTrainBatchSize ?? microBatchSize
        c.globalBatchSize = globalBatchSize
        c.accumulationSteps = seeds.accumulationSteps
        c.binaryHead = binaryHead
        c.maskedLMProb = maskedLMProb
        c.shortSeqProb = shortSeqProb
        c.maxNgrams = maxNgrams
        c.favorLongerNgram = favorLongerNgram
        c.maxLR = seeds.learningRate ?? maxLR
        c.minLR = seeds.minLearningRate ?? minLR
        c.decaySteps = decaySteps
        c.lrScheduler = try Self.scheduler(seeds.lrSchedulerType ?? seeds.lrDecayStyle ?? lrScheduler)
        c.power = seeds.power
        c.optimizer = optimizerOptions.settings(defaultWeightDecay: 0.01)
        c.gradClip = seeds.maxGradNorm ?? gradClip
        let epochs = seeds.epochSize ?? seeds.numTrainEpochs ?? (language.isActive ? 3 : nil)  // HF: 3 epochs unless --max_steps
        c.maxSteps = seeds.trainSteps ?? maxSteps ?? (epochs != nil && (c.inputFormat == .tfrecord || language.isActive) ? -1 : 500_000)
        c.saveSteps = seeds.saveCheckpointSteps ?? saveSteps
        c.saveModels = seeds.enableSaveCkpt
        c.saveTotalLimit = seeds.saveTotalLimit
        c.overwriteOutputDir = seeds.overwriteOutputDir
        c.shareFolder = seeds.shareFolder
        c.checkpointSteps = checkpointSteps
        c.loggingFreq = seeds.loggingSteps ?? loggingFreq
        c.evalFreq = seeds.evalSteps ?? evalFreq
        c.evalIters = seeds.doEval && seeds.trainWithEval != false ? evalIters : 0
        c.seed = seed
        c.hiddenDropoutProb = seeds.checkAccuracy ? 0 : hiddenDropoutProb
        c.attentionProbsDropoutProb = seeds.checkAccuracy ? 0 : attentionProbsDropoutProb
        c.useAmp = (useAmp || seeds.fp16 || seeds.bf16) && seeds.fp16OptLevel?.uppercased() != "O0"
        c.scaleLoss = seeds.enableLossscale ? seeds.lossScaleValue ?? scaleLoss : 1
        c.useRecompute = useRecompute || seeds.recompute
        c.numWorkers = seeds.dataloaderNumWorkers ?? numWorkers
        c.useSharding = seeds.sharding.map { $0.hasPrefix("stage1") } ?? useSharding
        c.shardingDegree = shardingDegree
        c.dpDegree = dpDegree
        c.tfrecordSampleLimit = try seeds.sampleLimit()
        try language.apply(to: &c, tokenizerPath: tokenizerNameOrPath)
        // Steps from epochs (MindSpore's --train_steps -1 with --epoch_size; HF's --max_steps -1 with --num_train_epochs).
        if c.maxSteps == -1 {
            guard let epochs else {
                throw ValidationError("--train_steps / --max_steps -1 counts epochs: give --epoch_size (--num_train_epochs), or a positive step count")
            }
            let samples: Int
            switch c.inputFormat {
            case .tfrecord:
                let records = try TFRecordFiles(paths: try TFRecordFiles.paths(inputDir)).count
                samples = min(records, c.tfrecordSampleLimit ?? records)
            case .mmap:
                samples = try Self.samplesPerEpoch(c)
            }
            c.maxSteps = try PretrainSeedOptions.steps(epochs: epochs, samples: samples, globalBatch: c.effectiveGlobalBatchSize(worldSize: launchedRanks))
        }
        c.warmupRate = seeds.warmupSteps.flatMap { $0 > 0 ? Double($0) / Double(max(1, c.maxSteps)) : nil } ?? seeds.warmupRatio ?? warmupRate
        c.distillation = distillation
        try c.validate()  // before any rank writes into --output_dir
        try DataParallelLaunch.run { group in
            // Rank 0 alone reports and writes; the others only compute.
            let monitor = RunLogger(outputDirectory: URL(fileURLWithPath: outputDir), title: "ernie pretraining", silent: group.rank != 0)
            let trainer = try Pretrainer(c, modelType: modelType, monitor: monitor, group: group)
            Interruption.install()
            try trainer.run()
        }
    }
}
