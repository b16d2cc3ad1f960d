import ErnieBasics
import ErnieData
import ErnieEngine
import ErnieModels
import ErnieText
import Foundation

/// `ernie pretrain`: MLM (+ SOP) pretraining with gradient accumulation, clipping, schedules, periodic evaluation,
/// Hugging Face checkpoints, and automatic, bit-identical resume from `output_dir/model_last`.
///
/// Data-parallel under mpirun (`group`): rank r reads its slice of every global batch, gradients are summed over the
/// ranks once per step (the losses are weighted so that the sum is the gradient of the whole global batch), and rank 0
/// alone writes logs and checkpoints; with sharding the optimizer state is split across ranks (ZeRO-1).
public final class Pretrainer {
    public let configuration: PretrainingConfiguration
    public let modelConfig: BertConfig
    public private(set) var model: BertForPreTraining
    let table: ParameterTable
    /// Accumulation, all-reduce, loss scaling, clipping, the optimizer and checkpoints.
    let core: TrainingCore
    /// Written into every saved model folder (none for TFRecord input without a tokenizer).
    let tokenizerFiles: TokenizerFiles?
    let train: any PretrainingSampleSource
    let valid: (any PretrainingSampleSource)?
    let test: (any PretrainingSampleSource)?
    let accumulation: Int
    let globalBatchSize: Int
    /// `binary_head` where the family has a pair head: RoBERTa trains MLM alone, on one segment.
    let pairObjective: Bool
    let monitor: PretrainingMonitor
    /// `ernie distill`: the frozen teacher whose outputs join the loss.
    let teacher: PretrainingTeacher?
    let outputDirectory: URL
    /// Completed optimizer steps (the global step) and the samples they consumed.
    public var step: Int { core.step }
    public private(set) var consumedSamples = 0
    let resumedFrom: Int?
    /// The data-parallel ranks (one without mpirun).
    let group: ProcessGroup
    var rank: Int { group.rank }
    var worldSize: Int { group.size }
    /// Ranks sharing one copy of the optimizer state (1: none).
    let shardingDegree: Int
    /// Stop after this step as an interruption would: save `model_last` and return without the end-of-run work.
    public var stopAfterStep: Int?

    public init(_ configuration: PretrainingConfiguration, modelType: ModelType? = nil, monitor: PretrainingMonitor,
                group: ProcessGroup = .single) throws {
        try configuration.validate()
        self.configuration = configuration
        self.monitor = monitor
        self.group = group
        shardingDegree = try configuration.effectiveShardingDegree(worldSize: group.size)
        outputDirectory = URL(fileURLWithPath: configuration.outputDir)
        accumulation = try configuration.accumulationSteps(worldSize: group.size)
        globalBatchSize = configuration.effectiveGlobalBatchSize(worldSize: group.size)

        var (config, weights, directory) = try PretrainingSetup.model(configuration, modelTypeOverride: modelType)
        let tokenizer = try PretrainingSetup.tokenizer(configuration, modelDirectory: directory, maxLength: config.maxPositionEmbeddings)
        tokenizerFiles = tokenizer?.files
        let vocabulary = tokenizer?.files.tokenizer.vocabulary
        if let tokenizer, let vocabulary {
            // A preset is a shape, not a model: its vocabulary is the tokenizer's.
            if directory == nil {
                config.vocabularySize = vocabulary.count
                if config.modelType == .roberta { config.setPadTokenId(tokenizer.files.tokenizer.paddingTokenId) }
            }
            guard config.vocabularySize >= vocabulary.count else {
                throw TrainingError.invalidConfiguration(
                    "vocab_size \(config.vocabularySize) in the model config is smaller than the \(vocabulary.count) tokens of \(tokenizer.source.path)")
            }
        } else {
            monitor.note("no tokenizer given: ids are checked against vocab_size \(config.vocabularySize), and saved model folders hold no tokenizer files (pass --tokenizer_name_or_path)")
        }
        modelConfig = config
        guard configuration.maxSeqLen <= config.maxSequenceLength else {
            throw TrainingError.invalidConfiguration(
                "max_seq_len \(configuration.maxSeqLen) exceeds the \(config.maxSequenceLength) positions of the model's max_position_embeddings \(config.maxPositionEmbeddings)")
        }
        pairObjective = configuration.binaryHead && config.modelType.supports(.pretraining)
        if configuration.binaryHead && !pairObjective {
            monitor.note("\(config.modelType.rawValue) has no sentence-pair head: pretraining with MLM alone (binary_head ignored)")
        }

        // Data first: a bad corpus should fail before any model memory is spent.
        let counts = try PretrainingSampleCounts(
            globalBatchSize: globalBatchSize, microBatchSize: configuration.microBatchSize, dataParallelSize: group.size,
            maxSteps: configuration.maxSteps, evalFreq: configuration.evalFreq, evalIters: configuration.evalIters)
        switch configuration.inputFormat {
        case .tfrecord:
            // Stored samples have no held-out split: MindSpore and Google BERT evaluate on separate files.
            var schema = try configuration.schemaFile.map { try TFRecordSchema(contentsOf: $0) }
            if let limit = configuration.tfrecordSampleLimit {
                schema = schema ?? TFRecordSchema(rowCount: nil, columns: [])
                schema!.rowCount = min(limit, schema!.rowCount ?? limit)
            }
            train = try TFRecordPretrainingData(
                paths: try TFRecordFiles.paths(configuration.inputDir), idCount: config.vocabularySize,
                maxSeqLen: configuration.maxSeqLen, samples: counts.train, schema: schema)
            valid = nil
            test = nil
        case .mmap:
            var settings = PretrainingDataSettings(masking: MaskingSettings(
                maxSeqLen: configuration.maxSeqLen, maskedLMProb: configuration.maskedLMProb, maxNgrams: configuration.maxNgrams,
                favorLongerNgram: configuration.favorLongerNgram, pairObjective: pairObjective ? .sentenceOrder : .none))
            settings.shortSeqProb = configuration.shortSeqProb
            settings.seed = Int32(truncatingIfNeeded: configuration.seed)
            settings.split = configuration.split
            if configuration.shareFolder && group.rank != 0 { settings.waitForIndexSeconds = 3600 }
            guard let tokenizer else { throw TrainingError.missingInput("no vocabulary: pass --tokenizer_name_or_path") }
            let masking = try MaskingVocabulary(tokenizer: tokenizer.files.tokenizer)
            let data = try PretrainingData(inputs: try DataInputs.parse(configuration.inputDir), vocabulary: masking,
                                           settings: settings)
            guard let train = try data.dataset(.train, samples: counts.train) else {
                throw TrainingError.missingInput("the train split of \(configuration.inputDir) has no documents (split \(configuration.split))")
            }
            self.train = train
            if let evalInput = configuration.evalInputDir {
                settings.split = "0,1,0"
                let evalData = try PretrainingData(inputs: try DataInputs.parse(evalInput), vocabulary: masking,
                                                   settings: settings)
                valid = configuration.evalIters > 0 ? try evalData.dataset(.valid, samples: counts.valid) : nil
                test = nil
            } else {
                valid = configuration.evalIters > 0 ? try data.dataset(.valid, samples: counts.valid) : nil
                test = configuration.evalIters > 0 ? try data.dataset(.test, samples: counts.test) : nil
            }
        }
        for warning in train.warnings { monitor.note(warning) }
        if let distillation = configuration.distillation {
            let teacher = try PretrainingTeacher(directory: distillation.teacherDirectory, useAmp: configuration.useAmp)
            try DistillationCompatibility.check(
                teacher: teacher.config, teacherDirectory: distillation.teacherDirectory, student: config,
                studentSource: directory.map { $0.appendingPathComponent("config.json").path } ?? "the student's config",
                studentTokens: vocabulary?.tokens, cosine: distillation.alphaCos > 0)
            self.teacher = teacher
        } else {
            teacher = nil
        }

        // The SOP head exists even with binary_head false (it then gets no gradient and stays as initialised), so
        // every checkpoint is a complete *ForPreTraining that transformers loads without missing keys.
        table = ParameterTable(config: config, head: config.modelType.pretrainingHead)
        if let weights { try ModelCheckpoint.checkFits(directory: weights, table: table) }
        var model = BertForPreTraining(try BertArchitecture(config), prefix: config.modelType.parameterPrefix + ".",
                                       seed: UInt64(configuration.seed))
        model.bert.recomputesLayers = configuration.useRecompute
        self.model = model
        core = try TrainingCore(
            parameters: ParameterGroups(layers: config.layerCount).assign(model.parameters.trainable),
            optimizer: configuration.optimizer, schedule: configuration.schedule, shardingDegree: shardingDegree, group: group, accumulation: accumulation,
            maxGradNorm: configuration.gradClip, useAmp: configuration.useAmp, lossScale: configuration.scaleLoss,
            seed: configuration.seed, totalSteps: configuration.maxSteps)

        if !configuration.overwriteOutputDir, let found = Self.lastCheckpoint(in: outputDirectory) {
            // A model_last that cannot be read (a damaged disk, a file cut short) falls back to model_last_bak, one
            // checkpoint older; a run that does not fit the output directory is an error either way.
            var last = found
            let backup = outputDirectory.appendingPathComponent("model_last_bak")
            let state: TrainerState
            do {
                state = try Pretrainer.resumeState(from: last, globalBatchSize: globalBatchSize, config: config, table: table,
                                                   parameters: model.parameters, core: core, modelName: configuration.modelNameOrPath)
            } catch let error where !(error is TrainingError) && last != backup && TrainerState.exists(in: backup) {
                monitor.note("\(last.path) is unreadable (\(error)); resuming from \(backup.path), the checkpoint before it")
                last = backup
                state = try Pretrainer.resumeState(from: last, globalBatchSize: globalBatchSize, config: config, table: table,
                                                   parameters: model.parameters, core: core, modelName: configuration.modelNameOrPath)
            }
            consumedSamples = state.consumedSamples!
            resumedFrom = state.globalStep
        } else {
            resumedFrom = nil
            if let weights {
                let report = try PretrainedWeights.load(model.parameters, table: table, from: weights)
                if !report.missingKeys.isEmpty { monitor.note("initialised from scratch (not in \(weights.path)): \(report.missingKeys.joined(separator: ", "))") }
                if !report.unexpectedKeys.isEmpty { monitor.note("unused weights in \(weights.path): \(report.unexpectedKeys.joined(separator: ", "))") }
            }
        }
        try agreeOnStart()
    }

    /// Every rank must start from the same step with the same weights: a rank that saw another `model_last` (no
    /// shared file system) is an error, and rank 0's parameters are copied to all so the replicas are identical.
    func agreeOnStart() throws {
        guard group.isDistributed else { return }
        let mine = [Double(step), Double(consumedSamples), Double(core.optimizer.step)]
        let first = group.broadcast(mine, root: 0)
        let disagreeing = group.allReduceSum([first == mine ? 0 : 1])[0]
        guard disagreeing == 0 else {
            throw TrainingError.incompatibleRun(
                "rank \(rank) would start at step \(step) but rank 0 at step \(Int(first[0])): every rank must see the same \(outputDirectory.path) (a shared file system)")
        }
        core.broadcastParameters(root: 0)
    }

    /// Reads a pretraining checkpoint into `parameters` and `core`. - Throws: `TrainingError.incompatibleRun` when it
    /// is another run's (batch size, model), other errors when it cannot be read.
    static func resumeState(from last: URL, globalBatchSize: Int, config: BertConfig, table: ParameterTable,
                            parameters: ParameterStore, core: TrainingCore, modelName: String) throws -> TrainerState {
        let state = try TrainerState.read(from: last)
        guard state.trainBatchSize == globalBatchSize else {
            throw TrainingError.incompatibleRun(
                "\(last.path) was trained with global_batch_size \(state.trainBatchSize), not \(globalBatchSize): use another --output_dir or the same batch size")
        }
        guard let savedConfig = state.modelConfig, state.consumedSamples != nil else {
            throw TrainingError.incompatibleRun(
                "\(last.appendingPathComponent(TrainerState.fileName).path) is not a pretraining checkpoint (no model_config / consumed_samples): use another --output_dir")
        }
        let saved = try BertConfig(jsonData: Data(savedConfig.utf8))
        guard try BertArchitecture(saved) == BertArchitecture(config), saved.modelType == config.modelType else {
            throw TrainingError.incompatibleRun("\(last.path) holds a different model than \(modelName): use another --output_dir")
        }
        try PretrainedWeights.load(parameters, table: table, from: last, strict: true)
        try core.resume(from: last, state: state)
        return state
    }

    /// `model_last`, or its backup when a kill came between the two renames of a checkpoint.
    static func lastCheckpoint(in output: URL) -> URL? {
        for name in ["model_last", "model_last_bak"] {
            let directory = output.appendingPathComponent(name)
            if TrainerState.exists(in: directory) { return directory }
        }
        return nil
    }

    var settingsTable: [(String, String)] {
        let c = configuration
        return [("model", c.modelNameOrPath), ("model_type", modelConfig.modelType.rawValue),
                ("layers × hidden × heads", "\(modelConfig.layerCount) × \(modelConfig.hiddenSize) × \(modelConfig.attentionHeadCount)"),
                ("parameters", "\(model.parameters.scalarCount)"), ("input_dir", c.inputDir),
                ("train samples", "\(train.count)"), ("max_seq_len", "\(c.maxSeqLen)"),
                ("micro / global batch", "\(c.microBatchSize) / \(globalBatchSize) (accumulation \(accumulation))"),
                ("optimizer", "\(c.optimizer.summary), lr \(c.maxLR) → \(c.minLR), warmup \(c.warmupRate), \(c.lrScheduler)"),
                ("max_steps", "\(c.maxSteps)"), ("binary_head", "\(c.binaryHead)"), ("masked_lm_prob", "\(c.maskedLMProb)"),
                ("precision", c.useAmp ? "bf16 (\(bf16MatmulHardware())) with fp32 master weights" : "fp32"),
                ("ranks × threads", "\(worldSize) × \(Threads.count)" + (shardingDegree > 1 ? ", optimizer sharded over \(shardingDegree)" : "")),
                ("seed", "\(c.seed)")]
            + (c.distillation.map { d in
                [("teacher", "\(d.teacherPath) (\(teacher!.config.modelType.rawValue), \(teacher!.config.layerCount) × \(teacher!.config.hiddenSize), frozen)"),
                 ("distillation", "α_ce \(d.alphaCE) · T² · KL (T = \(d.temperature)) + α_mlm \(d.alphaMLM) · MLM + α_cos \(d.alphaCos) · cosine")]
            } ?? [])
    }

    /// Runs until max_steps; checkpoints as configured and at the end.
    public func run() throws {
        // One run per output directory (rank 0 holds the lock for the job); this also proves it writable now.
        let lock = rank == 0 ? try OutputDirectoryLock(outputDirectory) : nil
        defer { withExtendedLifetime(lock) {} }
        if rank == 0 { AtomicDirectory.removeLeftovers(in: outputDirectory) }
        monitor.started(settings: settingsTable, resumedFromStep: resumedFrom)
        let c = configuration
        let sampler = try BatchSampler(sampleCount: train.count, consumedSamples: consumedSamples, microBatchSize: c.microBatchSize,
                                       dataParallelRank: rank, dataParallelSize: worldSize)
        let prefetcher = BatchPrefetcher(dataset: train, sampler: sampler, workers: c.numWorkers)
        let startStep = step
        _ = group.takeCommunicationSeconds()  // from here on: the training steps' share
        var window = (start: DispatchTime.now().uptimeNanoseconds, tokens: 0, skipped: 0, communication: 0.0)
        var sums = (loss: 0.0, lm: 0.0, sop: 0.0, ce: 0.0, cos: 0.0, count: 0)
        var lastNorm = 0.0
        while step < c.maxSteps {
            let batches = try (0..<accumulation).map { try prefetcher.batch((step - startStep) * accumulation + $0) }
            // The MLM loss of a step is the mean over all its masked tokens, so each micro-batch's mean is weighted by
            // its share of them: accumulation then gives exactly the loss (and gradient) of one large batch, where
            // PaddleNLP's loss / accumulation weighs micro-batches equally whatever their masked counts.
            // Over the ranks too: the masked tokens of the whole global batch.
            let maskedTotal = max(1, Int(group.allReduceSum([Double(batches.reduce(0) { $0 + $1.maskedCount })])[0]))
            // The cosine loss is a mean over the non-padding tokens of the global batch.
            let attendedTotal = teacher == nil || c.distillation!.alphaCos == 0 ? 1
                : max(1, Int(group.allReduceSum([Double(batches.reduce(0) { $0 + $1.attentionMask.reduce(0) { $0 + Int($1) } })])[0]))
            let result = try core.step { micro, graph in
                let batch = batches[micro]
                let inputs = BertInputs(batch: batch.batchSize, sequence: batch.sequenceLength, inputIds: batch.inputIds,
                                        tokenTypeIds: pairObjective ? batch.tokenTypeIds : nil, attentionMask: batch.attentionMask)
                let out = try model(inputs, maskedPositions: batch.maskedPositions, mlmLabels: batch.maskedLabels,
                                    pairLabels: pairObjective ? batch.sentenceOrderLabels : nil, ignoreIndex: -1, graph: graph)
                let mlmWeight = Float(batch.maskedCount) / Float(maskedTotal)
                var loss = graph.scale(out.mlmLoss!, by: mlmWeight)
                let pairWeight = 1 / Float(accumulation * worldSize)
                if let pair = out.pairLoss { loss = try graph.add(loss, graph.scale(pair, by: pairWeight)) }
                var values = [Double(out.mlmLoss!.values[0]) * Double(mlmWeight), Double(out.pairLoss?.values[0] ?? 0) * Double(pairWeight)]
                if let teacher, let d = c.distillation {
                    let distilled = try teacher.distill(out, ownLoss: loss, inputs: inputs, maskedPositions: batch.maskedPositions,
                                                        settings: d, klWeight: mlmWeight, attendedTotal: attendedTotal, graph: graph)
                    loss = distilled.loss
                    values += [distilled.kl, distilled.cosine]
                }
                return TrainingCore.MicroStep(loss: loss, values: values, tokens: batch.batchSize * batch.sequenceLength)
            }
            let (stepLM, stepSOP, learningRate) = (result.values[0], result.values[1], result.learningRate)
            window.tokens += result.tokens
            if result.applied {
                sums.loss += distilledLoss(result.values) ?? stepLM + stepSOP
                sums.lm += stepLM
                sums.sop += stepSOP
                if result.values.count == 4 {
                    sums.ce += result.values[2]
                    sums.cos += result.values[3]
                }
                sums.count += 1
                lastNorm = result.gradientNorm
            } else {
                window.skipped += 1
                monitor.note("step \(step): non-finite loss or gradient (loss \(stepLM + stepSOP), gradient norm \(result.gradientNorm)); update skipped")
            }
            window.communication += group.takeCommunicationSeconds()
            consumedSamples += globalBatchSize
            let interrupted = result.interrupted

            if step % c.loggingFreq == 0 || step == c.maxSteps {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - window.start) / 1e9
                let speed = Double(window.tokens) / max(seconds, 1e-9)
                let stepsPerSecond = Double(c.loggingFreq) / max(seconds, 1e-9)
                let n = Double(max(1, sums.count))
                monitor.trained(TrainingRow(
                    step: step, maxSteps: c.maxSteps, loss: sums.count > 0 ? sums.loss / n : .nan, lmLoss: sums.count > 0 ? sums.lm / n : .nan,
                    sopLoss: pairObjective ? (sums.count > 0 ? sums.sop / n : .nan) : nil, learningRate: learningRate,
                    tokensPerSecond: speed, gradientNorm: lastNorm, lossScale: core.scaler.map { Double($0.scale) },
                    consumedSamples: consumedSamples, etaSeconds: Double(c.maxSteps - step) / max(stepsPerSecond, 1e-9),
                    skippedSteps: window.skipped,
                    communicationSeconds: group.isDistributed ? window.communication / Double(c.loggingFreq) : nil,
                    ceLoss: teacher == nil ? nil : sums.ce / n, cosLoss: teacher == nil || c.distillation!.alphaCos == 0 ? nil : sums.cos / n))
                window = (DispatchTime.now().uptimeNanoseconds, 0, 0, 0)
                sums = (0, 0, 0, 0, 0, 0)
            }
            if let valid, step % c.evalFreq == 0 {
                monitor.evaluated(try evaluate(valid, split: "valid", batches: c.evalIters * accumulation,
                                               first: (step / c.evalFreq - 1) * c.evalIters * accumulation))
            }
            if c.saveModels && (step % c.saveSteps == 0 || step == c.maxSteps) { try saveModel() }
            if step % c.checkpointSteps == 0 || step == c.maxSteps { try saveCheckpoint() }
            if step < c.maxSteps && (step == stopAfterStep || interrupted) {
                if step % c.checkpointSteps != 0 { try saveCheckpoint() }
                let message = "stopped after step \(step); run the same command again to resume from \(outputDirectory.path)/model_last"
                // A signal ends the command with a failure status; `stopAfterStep` (tests) returns normally.
                if interrupted { throw TrainingError.interrupted(message) }
                monitor.note(message)
                return
            }
        }
        if let test, startStep < c.maxSteps {
            monitor.evaluated(try evaluate(test, split: "test", batches: 10 * c.evalIters * accumulation, first: 0))
        }
        monitor.finished(step: step)
    }

    /// A distillation step's loss: α_mlm · (MLM + SOP) + α_ce · T² · KL + α_cos · cosine, from the step's
    /// [mlm, sop, kl, cosine] values; nil without a teacher.
    func distilledLoss(_ values: [Double]) -> Double? {
        guard let d = configuration.distillation, values.count == 4 else { return nil }
        return d.alphaMLM * (values[0] + values[1]) + d.alphaCE * d.temperature * d.temperature * values[2] + d.alphaCos * values[3]
    }

    /// Mean losses over `batches` micro-batches of a held-out split, from micro-batch `first` on (wrapping around a
    /// small split rather than looping forever on it). With several ranks, a block's MLM loss is the mean over the
    /// masked tokens of all its rank slices (what one rank computes on the whole block), its SOP loss their mean.
    func evaluate(_ dataset: any PretrainingSampleSource, split: String, batches: Int, first: Int) throws -> EvaluationRow {
        let c = configuration
        let perBatch = c.microBatchSize * worldSize
        let available = max(1, dataset.count / perBatch)
        var lm = 0.0, sop = 0.0
        var slices: [Double] = []  // per block: MLM loss × masked tokens, masked tokens, SOP loss
        for i in 0..<batches {
            let block = (first + i) % available
            let start = block * perBatch + rank * c.microBatchSize
            let samples = try (start..<min(dataset.count, start + c.microBatchSize)).map { try dataset.sample(at: $0) }
            let batch = PretrainingBatch(samples: samples)
            let out = try model(BertInputs(batch: batch.batchSize, sequence: batch.sequenceLength, inputIds: batch.inputIds,
                                           tokenTypeIds: pairObjective ? batch.tokenTypeIds : nil, attentionMask: batch.attentionMask),
                                maskedPositions: batch.maskedPositions, mlmLabels: batch.maskedLabels,
                                pairLabels: pairObjective ? batch.sentenceOrderLabels : nil, ignoreIndex: -1,
                                graph: .inference(precision: c.useAmp ? .bf16 : .fp32))
            lm += Double(out.mlmLoss!.values[0])
            sop += Double(out.pairLoss?.values[0] ?? 0)
            if group.isDistributed {
                slices += [Double(out.mlmLoss!.values[0]) * Double(batch.maskedCount), Double(batch.maskedCount), Double(out.pairLoss?.values[0] ?? 0)]
            }
        }
        if group.isDistributed {
            let blocks = group.allReduceSum(slices)
            lm = stride(from: 0, to: blocks.count, by: 3).reduce(0) { $0 + blocks[$1] / max(1, blocks[$1 + 1]) }
            sop = stride(from: 2, to: blocks.count, by: 3).reduce(0) { $0 + blocks[$1] } / Double(worldSize)
        }
        let n = Double(max(1, batches))
        return EvaluationRow(step: step, split: split, loss: (lm + sop) / n, lmLoss: lm / n,
                             sopLoss: pairObjective ? sop / n : nil, perplexity: Foundation.exp(lm / n))
    }

    /// `model_<step>/`: a Hugging Face directory transformers loads.
    func saveModel() throws {
        guard rank == 0 else { return }
        let destination = outputDirectory.appendingPathComponent("model_\(step)")
        try AtomicDirectory.write(destination) { directory in
            try PretrainedWeights.save(model.parameters, table: table, to: directory, tokenizer: tokenizerFiles)
        }
        monitor.saved(destination.path, step: step)
        if let limit = configuration.saveTotalLimit { removeModels(keepingNewest: limit) }
    }

    /// Removes all but the newest `limit` `model_<step>` folders (the retention of `--save_checkpoint_num`).
    func removeModels(keepingNewest limit: Int) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputDirectory.path)) ?? []
        let steps = names.compactMap { $0.hasPrefix("model_") ? Int($0.dropFirst("model_".count)) : nil }.sorted()
        for old in steps.dropLast(limit) {
            try? FileManager.default.removeItem(at: outputDirectory.appendingPathComponent("model_\(old)"))
        }
    }

    /// `model_last/`: the model plus everything a resume needs; the previous one is kept as `model_last_bak`.
    func saveCheckpoint() throws {
        var state = core.state(maxSteps: configuration.maxSteps, trainBatchSize: globalBatchSize)
        state.consumedSamples = consumedSamples
        state.modelConfig = modelConfig.jsonString()
        let destination = outputDirectory.appendingPathComponent("model_last")
        try core.writeCheckpoint(state, to: destination, backup: outputDirectory.appendingPathComponent("model_last_bak")) { directory in
            try PretrainedWeights.save(model.parameters, table: table, to: directory, tokenizer: tokenizerFiles)
        }
        if rank == 0 { monitor.saved(destination.path, step: step) }
    }
}
