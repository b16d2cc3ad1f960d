import ArgumentParser
import ErnieData
import ErnieTraining
import Foundation

/// The flags of the seeds' pretraining scripts that ernie's own names do not already cover, so their command lines run
/// with only the program name changed: PaddleNLP's run_pretrain.py (args.py) and run_pretrain_trainer.py (Trainer
/// names), and MindSpore BERT's run_pretrain.py. Each does what it says, or — where it cannot apply on this build —
/// stops before any work with the reason and what to use instead.
struct PretrainSeedOptions: ParsableArguments {
    // PaddleNLP run_pretrain.py (args.py).
    @Option(name: .customLong("fp16_opt_level"), help: "PaddleNLP's AMP level: O1 or O2 (both: bf16 matmuls with fp32 master weights under --use_amp), O0 (fp32).")
    var fp16OptLevel: String?
    @Option(name: .customLong("share_folder"), help: "Data and output folders shared by every rank: rank 0 alone builds the index maps (true|false).")
    var shareFolder = false
    @Option(name: .customLong("check_accuracy"), help: "Turn dropout off (PaddleNLP's accuracy check; true|false).") var checkAccuracy = false
    @Option(name: .customLong("enable_addto"), help: "Accepted: gradients are always accumulated in place.") var enableAddto = true
    @Option(name: .customLong("mp_degree"), parsing: .unconditional, help: "Tensor parallelism: 1 only (data parallelism and sharding are what ernie splits).")
    var mpDegree = 1
    @Option(name: .customLong("pp_degree"), parsing: .unconditional, help: "Pipeline parallelism: 1 only.") var ppDegree = 1
    @Option(name: .customLong("lr_decay_style"), help: "cosine, linear, polynomial or none (constant); default: --lr_scheduler.") var lrDecayStyle: String?
    @Option(name: .customLong("data_impl"), help: "mmap (PaddleNLP's token files) only.") var dataImpl = "mmap"
    @Option(name: .customLong("num_train_epochs"), parsing: .unconditional, help: "Passes over the data when --max_steps/--train_steps is -1 (TFRecord input).")
    var numTrainEpochs: Double?

    // PaddleNLP run_pretrain_trainer.py and Hugging Face Trainer names.
    @Option(name: .customLong("max_seq_length"), parsing: .unconditional, help: "Alias of --max_seq_len.") var maxSeqLength: Int?
    @Option(name: [.customLong("per_device_train_batch_size"), .customLong("per_gpu_train_batch_size")], parsing: .unconditional,
            help: "Alias of --micro_batch_size.") var perDeviceTrainBatchSize: Int?
    @Option(name: .customLong("per_device_eval_batch_size"), parsing: .unconditional, help: "Accepted; evaluation uses --micro_batch_size.")
    var perDeviceEvalBatchSize: Int?
    @Option(name: .customLong("learning_rate"), parsing: .unconditional, help: "Alias of --max_lr.") var learningRate: Double?
    @Option(name: .customLong("min_learning_rate"), parsing: .unconditional, help: "Alias of --min_lr.") var minLearningRate: Double?
    @Option(name: .customLong("warmup_ratio"), parsing: .unconditional, help: "Alias of --warmup_rate.") var warmupRatio: Double?
    @Option(name: .customLong("warmup_steps"), parsing: .unconditional, help: "Warmup in steps (overrides --warmup_rate when > 0).") var warmupSteps: Int?
    @Option(name: .customLong("max_grad_norm"), parsing: .unconditional, help: "Alias of --grad_clip.") var maxGradNorm: Double?
    @Option(name: .customLong("logging_steps"), parsing: .unconditional, help: "Alias of --logging_freq.") var loggingSteps: Int?
    @Option(name: .customLong("eval_steps"), parsing: .unconditional, help: "Alias of --eval_freq.") var evalSteps: Int?
    @Option(name: .customLong("dataloader_num_workers"), parsing: .unconditional, help: "Alias of --num_workers.") var dataloaderNumWorkers: Int?
    @Option(name: [.customLong("gradient_accumulation_steps"), .customLong("accumulation_steps")], parsing: .unconditional,
            help: "Micro-batches per optimizer step (HF's and MindSpore's names).") var accumulationSteps: Int?
    @Option(name: .customLong("fp16"), help: "Mixed precision: bf16 matmuls here (true|false).") var fp16 = false
    @Option(name: .customLong("bf16"), help: "Alias of --use_amp (true|false).") var bf16 = false
    @Option(name: .customLong("recompute"), help: "Alias of --use_recompute (true|false).") var recompute = false
    @Option(name: .customLong("lr_scheduler_type"), help: "linear, cosine, polynomial or constant (alias of --lr_scheduler).") var lrSchedulerType: String?
    @Option(name: [.customLong("power"), .customLong("lr_end_power")], parsing: .unconditional, help: "Exponent of --lr_scheduler polynomial.")
    var power = 1.0
    @Option(name: [.customLong("save_total_limit"), .customLong("save_checkpoint_num")], parsing: .unconditional,
            help: "Keep the newest this many model_<step> folders (HF's and MindSpore's names).") var saveTotalLimit: Int?
    @Option(name: .customLong("overwrite_output_dir"), help: "Start over instead of resuming from output_dir/model_last (true|false).")
    var overwriteOutputDir = false
    @Option(name: .customLong("do_train"), help: "Accepted (pretraining trains).") var doTrain = true
    @Option(name: .customLong("do_eval"), help: "false turns periodic evaluation off.") var doEval = true
    @Option(name: .customLong("report_to"), help: "Accepted: TensorBoard events, metrics.jsonl and report.html are always written.") var reportTo: String?
    @Option(name: .customLong("disable_tqdm"), help: "Accepted: progress goes to stderr as one redrawn line.") var disableTqdm = false
    @Option(name: .customLong("dataloader_drop_last"), help: "Accepted: incomplete batches are always dropped.") var dataloaderDropLast = true
    @Option(name: .customLong("local_rank"), parsing: .unconditional, help: "Accepted; ranks come from mpirun.") var localRank = -1
    @Option(name: [.customLong("tensor_parallel_degree"), .customLong("pipeline_parallel_degree")], parsing: .unconditional,
            help: "1 or -1 only (see --mp_degree).") var parallelDegree = -1
    @Option(name: .customLong("sharding"), help: "\"stage1\" shards the optimizer state (alias of --use_sharding true); stage2/3 are not built.")
    var sharding: String?

    // MindSpore BERT run_pretrain.py.
    @Option(name: .customLong("config_path"), help: "MindSpore's yaml: its settings are the defaults of the flags of the same names (the command line wins).") var configPath: String?
    @Option(name: .customLong("device_target"), help: "CPU here (MindSpore's Ascend default is taken as CPU when not given).") var deviceTarget: String?
    @Option(name: .customLong("distribute"), help: "true: run under mpirun -np N (true|false).") var distribute = false
    @Option(name: .customLong("device_num"), parsing: .unconditional, help: "Ranks; must match mpirun -np.") var deviceNum: Int?
    @Option(name: .customLong("device_id"), parsing: .unconditional, help: "Accepted; CPU ranks need no device id.") var deviceId = 0
    @Option(name: .customLong("epoch_size"), parsing: .unconditional, help: "Passes over the data when --train_steps is -1.") var epochSize: Double?
    @Option(name: .customLong("train_steps"), parsing: .unconditional, help: "Alias of --max_steps; -1: --epoch_size passes.") var trainSteps: Int?
    @Option(name: .customLong("enable_save_ckpt"), help: "false: no model_<step> folders (model_last is still written for resuming).")
    var enableSaveCkpt = true
    @Option(name: .customLong("enable_lossscale"), help: "false: loss scale 1 under --use_amp (bf16 needs no scaling).") var enableLossscale = true
    @Option(name: .customLong("do_shuffle"), help: "Accepted: the sample order is the index map's seeded shuffle (TFRecord: file order).")
    var doShuffle = true
    @Option(name: .customLong("enable_data_sink"), help: "Accepted (an Ascend/GPU feed mode).") var enableDataSink = true
    @Option(name: .customLong("data_sink_steps"), parsing: .unconditional, help: "Accepted (an Ascend/GPU feed mode).") var dataSinkSteps = 1
    @Option(name: .customLong("allreduce_post_accumulation"), help: "Accepted: gradients are all-reduced once per step, after accumulation.")
    var allreducePostAccumulation = true
    @Option(name: .customLong("save_checkpoint_path"), help: "Alias of --output_dir.") var saveCheckpointPath: String?
    @Option(name: .customLong("load_checkpoint_path"), help: "A checkpoint to start from: a model folder, or a file (.ckpt, .bin, .pdparams, .safetensors) beside config.json.")
    var loadCheckpointPath: String?
    @Option(name: .customLong("save_checkpoint_steps"), parsing: .unconditional, help: "Alias of --save_steps.") var saveCheckpointSteps: Int?
    @Option(name: .customLong("data_dir"), help: "Alias of --input_dir (MindSpore: a folder of TFRecord files).") var dataDir: String?
    @Option(name: [.customLong("schema_dir"), .customLong("schema_file")], help: "MindSpore schema.json of TFRecord input.") var schemaDir: String?
    @Option(name: .customLong("dataset_format"), help: "tfrecord (MindSpore's name for --input_format tfrecord); mindrecord is not read.")
    var datasetFormat: String?
    @Option(name: .customLong("batch_size"), parsing: .unconditional, help: "Alias of --micro_batch_size (MindSpore).") var batchSize: Int?
    @Option(name: .customLong("bert_network"), help: "base (bert-base-chinese), large (bert-large) or nezha (nezha-large-mindspore).") var bertNetwork: String?
    @Option(name: .customLong("loss_scale_value"), parsing: .unconditional, help: "Alias of --scale_loss.") var lossScaleValue: Double?
    @Option(name: .customLong("enable_graph_kernel"), help: "Accepted (a GPU compiler option).") var enableGraphKernel: String?
    @Option(name: .customLong("enable_global_norm"), help: "Accepted (clipping is by global norm with --grad_clip).") var enableGlobalNorm = false
    @Option(name: .customLong("num_samples"), help: "Read only this many TFRecord samples (MindSpore's num_samples; None: all).") var numSamples: String?
    @Option(name: .customLong("train_with_eval"), help: "false turns periodic evaluation off (true|false).") var trainWithEval: Bool?
    @Option(name: .customLong("enable_profiling"), help: "Accepted; `ernie bench train` profiles.") var enableProfiling = false
    @Option(name: .customLong("enable_modelarts"), help: "Must be false (Huawei Cloud ModelArts).") var enableModelarts = false

    /// Stops before any work when a flag asks for something this build cannot do.
    func checkApplicable(launchedRanks: Int) throws {
        if let level = fp16OptLevel, !["O0", "O1", "O2"].contains(level.uppercased()) {
            throw ValidationError("--fp16_opt_level \(level): O0, O1 or O2")
        }
        if mpDegree != 1 || ppDegree != 1 || ![1, -1].contains(parallelDegree) {
            throw ValidationError("tensor/pipeline parallelism (--mp_degree, --pp_degree, --tensor_parallel_degree, --pipeline_parallel_degree) is not built: ernie splits work by data parallelism (mpirun -np N) and --use_sharding; use degree 1")
        }
        if dataImpl != "mmap" {
            throw ValidationError("--data_impl \(dataImpl): ernie reads PaddleNLP's mmap token files (_ids.npy + _idx.npz); run `ernie prepare` on the JSON corpus")
        }
        if let target = deviceTarget, target.uppercased() != "CPU" {
            throw ValidationError("--device_target \(target): ernie runs on the CPU (bf16 via AMX/AVX512-BF16 with --use_amp); drop the flag or pass CPU")
        }
        if distribute && launchedRanks < 2 {
            throw ValidationError("--distribute true: launch with mpirun -np N ernie pretrain … (this process is the only rank)")
        }
        if let deviceNum, deviceNum > 1, deviceNum != launchedRanks {
            throw ValidationError("--device_num \(deviceNum) but \(launchedRanks) rank(s) were launched: use mpirun -np \(deviceNum)")
        }
        if let format = datasetFormat, format.lowercased() != "tfrecord" {
            throw ValidationError("--dataset_format \(format): MindRecord files are not read; write TFRecord (MindSpore's TFRecord path, or `ernie prepare --output_format tfrecord`)")
        }
        if let sharding, !sharding.isEmpty, !sharding.hasPrefix("stage1") {
            throw ValidationError("--sharding \(sharding): only stage1 (optimizer-state sharding) is built")
        }
        if let network = bertNetwork, !["base", "large", "nezha"].contains(network) {
            throw ValidationError("--bert_network \(network): base, large or nezha (large_boost is not built)")
        }
        if enableModelarts { throw ValidationError("--enable_modelarts true: ModelArts (Huawei Cloud) is not reachable from here") }
    }

    /// The TFRecord sample count MindSpore reads (`--num_samples`, "None" meaning all).
    func sampleLimit() throws -> Int? {
        guard let numSamples, numSamples.lowercased() != "none" else { return nil }
        guard let count = Int(numSamples), count > 0 else { throw ValidationError("--num_samples \(numSamples): a positive count or None") }
        return count
    }

    /// Steps for `epochs` passes over `samples` samples of `globalBatch` each (MindSpore: train_steps = epoch_size ×
    /// dataset_size / accumulation_steps; dataset_size counts micro-batches).
    static func steps(epochs: Double, samples: Int, globalBatch: Int) throws -> Int {
        let steps = Int((epochs * Double(samples) / Double(globalBatch)).rounded(.down))
        guard steps > 0 else {
            throw ValidationError("\(epochs) epoch(s) of \(samples) samples at a global batch of \(globalBatch) make no step: pass --train_steps")
        }
        return steps
    }
}
