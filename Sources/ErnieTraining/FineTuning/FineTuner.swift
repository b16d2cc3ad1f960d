import ErnieBasics
import ErnieEngine
import ErnieModels
import ErnieText
import Foundation

/// `ernie finetune`: HF Trainer-style fine-tuning of a BERT/ERNIE directory on local files, with evaluation, best-model
/// selection, early stopping, checkpoints and predictions.
///
/// Output directory: the final model (the best one with `load_best_model_at_end`) in HF layout, `best_model/`,
/// `checkpoint-<step>/` (with `save_steps`), `eval_results.json`, `eval_predictions.jsonl`, `test_results.json`,
/// `logs/metrics.jsonl`, TensorBoard events in `logs/`, and `report.html`.
///
/// Data-parallel under mpirun (`group`): a step's batch is `per_device_train_batch_size` × ranks examples, rank r
/// computing the r-th slice; each slice's loss is weighted by its share of the batch and the gradients summed over
/// the ranks, so a step equals one rank training on the whole batch. Every rank evaluates (the same numbers, which
/// keeps best-model and early-stopping decisions in step); rank 0 alone writes.
public final class FineTuner {
    public let configuration: FineTuningConfiguration
    public let model: FineTuningModel
    /// `ernie distill --task_name …`: the frozen teacher fine-tuned on the task.
    let teacher: FineTuningModel?
    public let labels: LabelSpace?
    public var tokenizer: any TextTokenizer { tokenizerFiles.tokenizer }
    /// The source folder's tokenizer settings, written into every saved model folder.
    let tokenizerFiles: TokenizerFiles
    let logger: RunLogger
    let modelDirectory: URL
    let outputDirectory: URL
    let choiceCount: Int
    let train: (examples: TaskExamples, features: [EncodedFeature])?
    let validation: (examples: TaskExamples, features: [EncodedFeature])?
    let test: (examples: TaskExamples, features: [EncodedFeature])?
    /// XNLI: every language's validation set, for the final per-language evaluation.
    let perLanguage: [(language: String, examples: TaskExamples, features: [EncodedFeature])]?
    /// Per split: skipped and truncated inputs.
    public let issues: [String: DataIssues]
    public private(set) var step = 0
    /// The best evaluation so far: (step, metric value).
    public private(set) var best: (step: Int, value: Double)?
    public private(set) var loadReport: StateDictLoadReport?
    /// The checkpoint this run continues (`resume_from_checkpoint`), read and checked at init.
    let resume: (directory: URL, state: TrainerState)?
    let group: ProcessGroup
    var isWriter: Bool { group.rank == 0 }

    public init(_ configuration: FineTuningConfiguration, logger: RunLogger, group: ProcessGroup = .single) throws {
        try configuration.validate()
        let c = configuration
        self.configuration = configuration
        self.logger = logger
        self.group = group
        outputDirectory = URL(fileURLWithPath: c.outputDir)
        let modelDirectory = URL(fileURLWithPath: c.modelNameOrPath)
        self.modelDirectory = modelDirectory
        guard ModelCheckpoint.hasConfig(directory: modelDirectory) else {
            throw TrainingError.missingInput("\(c.modelNameOrPath) has no config.json: give a Hugging Face model directory (e.g. an `ernie pretrain` output_dir/model_<step>)")
        }
        var config = try ModelCheckpoint.loadConfig(directory: modelDirectory)
        tokenizerFiles = try TokenizerFiles(source: modelDirectory, fallbackMaxLength: config.maxPositionEmbeddings)
        let tokenizer = tokenizerFiles.tokenizer
        let savedHead = config.architectures?.first.flatMap { ModelHead.parse(architecture: $0)?.1 }
        let sameHead = savedHead == c.taskName.head

        // Data first: a bad file should fail before any model memory is spent.
        var issues: [String: DataIssues] = [:]
        func read(_ path: String?, _ split: String, limit: Int?) throws -> TaskExamples? {
            guard let path else { return nil }
            let found = DataIssues()
            issues[split] = found
            let examples = try TaskExamples.read(c.taskName, path: path, issues: found).prefix(limit)
            guard examples.count > 0 else { throw DatasetError(file: path, "no usable examples (\(found.summary.joined(separator: "; ")))") }
            return examples
        }
        let trainExamples, validationExamples, testExamples: TaskExamples?
        var xnliValidation: XNLI.Examples?
        if let xnli = c.xnli {
            // PaddleNLP's run_classifier: English alone for cross-lingual transfer, every language for
            // translate-train-all; the final evaluation covers every language either way.
            let languages: [String]? = xnli.taskType == .crossLingualTransfer ? ["en"] : nil
            func read(_ split: XNLI.Split, _ name: String, limit: Int?) throws -> TaskExamples {
                let found = DataIssues()
                issues[name] = found
                return TaskExamples.sequence(try XNLI.read(split, settings: xnli, languages: languages, issues: found).flatMap(\.examples)).prefix(limit)
            }
            trainExamples = c.doTrain ? try read(.train, "train", limit: c.maxTrainSamples) : nil
            validationExamples = c.doEval ? try read(.validation, "eval", limit: c.maxEvalSamples) : nil
            testExamples = c.doPredict ? try read(.test, "test", limit: c.maxPredictSamples) : nil
            if c.doEval {
                xnliValidation = try XNLI.read(.validation, settings: xnli, languages: nil, issues: issues["eval"]!)
                    .map { ($0.language, Array($0.examples.prefix(c.maxEvalSamples ?? Int.max))) }
            }
        } else {
            trainExamples = c.doTrain ? try read(c.trainFile, "train", limit: c.maxTrainSamples) : nil
            validationExamples = c.doEval ? try read(c.validationFile, "eval", limit: c.maxEvalSamples) : nil
            testExamples = c.doPredict ? try read(c.testFile, "test", limit: c.maxPredictSamples) : nil
        }

        // Labels and the head's shape.
        var labels: LabelSpace?
        switch c.taskName {
        case .sequenceClassification, .tokenClassification:
            let source = trainExamples ?? validationExamples ?? testExamples!
            let problem: ProblemType = c.taskName == .tokenClassification ? .singleLabelClassification
                : c.problemType ?? source.inferredProblem ?? (sameHead ? config.problemType : nil) ?? .singleLabelClassification
            // XNLI: always its three classes in `datasets`' order (num_labels 3 in run_classifier).
            labels = c.xnli != nil ? LabelSpace(labels: XNLI.labels, problem: .singleLabelClassification)
                : try LabelSpace.resolve(file: c.labelList, config: config, configIsHeadOfThisTask: sameHead,
                                         dataLabels: (trainExamples ?? validationExamples)?.labelNames ?? [], problem: problem)
            let names = labels!.labels
            config.labelsById = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0, $1) })
            config.idsByLabel = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            if c.taskName == .sequenceClassification { config.problemType = problem }
        case .questionAnswering, .multipleChoice:
            break
        }
        self.labels = labels
        let choiceCount = [trainExamples, validationExamples, testExamples].compactMap { $0?.maxChoices }.max() ?? 0
        self.choiceCount = choiceCount
        if let p = c.hiddenDropoutProb { config.hiddenDropoutProbability = p }
        if let p = c.attentionProbsDropoutProb { config.attentionDropoutProbability = p }
        if let p = c.classifierDropout { config.classifierDropout = p }
        guard c.maxSeqLength <= config.maxSequenceLength else {
            throw TrainingError.invalidConfiguration("max_seq_length \(c.maxSeqLength) exceeds the \(config.maxSequenceLength) positions of the model's max_position_embeddings \(config.maxPositionEmbeddings)")
        }

        let hasWeights = ModelCheckpoint.weightsFile(in: modelDirectory) != nil
        if hasWeights { try ModelCheckpoint.checkFits(directory: modelDirectory, table: ParameterTable(config: config, head: c.taskName.head)) }
        model = try FineTuningModel(task: c.taskName, config: config, useCrf: c.useCrf, seed: UInt64(c.seed))
        if hasWeights {
            let report = try model.load(from: modelDirectory)
            loadReport = report
            if !report.uninitializedParameters.isEmpty {
                logger.note("newly initialised (not in \(c.modelNameOrPath)): \(report.uninitializedParameters.joined(separator: ", "))")
            }
            if !report.unexpectedKeys.isEmpty { logger.note("unused weights in \(c.modelNameOrPath): \(report.unexpectedKeys.joined(separator: ", "))") }
            for mismatch in report.mismatchedKeys { logger.note("re-initialised (shape differs): \(mismatch)") }
        } else {
            logger.note("\(c.modelNameOrPath) has no model.safetensors: training from a random initialisation")
        }

        teacher = try c.distillation.map { d in
            try Self.teacher(d, task: c.taskName, useCrf: c.useCrf, student: config, studentDirectory: modelDirectory,
                             studentTokens: tokenizer.vocabulary.tokens, seed: UInt64(c.seed))
        }

        func encode(_ examples: TaskExamples?, _ split: String, requireLabels: Bool) throws -> (TaskExamples, [EncodedFeature])? {
            guard let examples else { return nil }
            let encoder = FeatureEncoder(tokenizer: tokenizer, maxSeqLength: c.maxSeqLength, issues: issues[split]!)
            let features = try examples.features(encoder, labels: labels, configuration: c, choiceCount: choiceCount, requireLabels: requireLabels)
            guard !features.isEmpty else {
                throw TrainingError.missingInput("the \(split) file has no usable examples: \(issues[split]!.summary.joined(separator: "; "))")
            }
            return (examples, features)
        }
        train = try encode(trainExamples, "train", requireLabels: true)
        // Evaluation keeps QA examples whose answer is not found (they score 0), as the official scripts do.
        validation = try encode(validationExamples, "eval", requireLabels: c.taskName != .questionAnswering)
        test = try encode(testExamples, "test", requireLabels: false)
        perLanguage = try xnliValidation?.map { language, examples in
            let (encoded, features) = try encode(.sequence(examples), "eval", requireLabels: true)!
            return (language, encoded, features)
        }
        self.issues = issues
        for (split, found) in issues.sorted(by: { $0.key < $1.key }) where !found.isEmpty {
            for line in found.summary { logger.note("\(split): \(line)") }
        }

        switch c.resumeFromCheckpoint {
        case nil, "false":
            resume = nil
        case "true", "latest":
            guard let latest = Self.latestCheckpoint(in: outputDirectory) else {
                throw TrainingError.missingInput("--resume_from_checkpoint \(c.resumeFromCheckpoint!): no checkpoint-<step> with \(TrainerState.fileName) in \(c.outputDir)")
            }
            resume = (latest, try TrainerState.read(from: latest))
        case let path?:
            let directory = URL(fileURLWithPath: path)
            resume = (directory, try TrainerState.read(from: directory))
        }
        if let resume {
            let saved = resume.state
            for (name, before, now) in [("examples per step (per_device_train_batch_size × gradient_accumulation_steps × ranks)",
                                         saved.trainBatchSize, c.perDeviceTrainBatchSize * c.gradientAccumulationSteps * group.size),
                                        ("training features", saved.trainFeatures ?? -1, train?.features.count ?? 0), ("seed", saved.seed, c.seed)]
            where before != now {
                throw TrainingError.incompatibleRun("cannot resume from \(resume.directory.path): \(name) was \(before < 0 ? "not recorded (not a fine-tuning checkpoint)" : "\(before)"), now \(now)")
            }
            // The checkpoint must hold this model: the same family, shape and head (its weights load strictly).
            let savedConfig = try ModelCheckpoint.loadConfig(directory: resume.directory)
            let savedHead = savedConfig.architectures?.first.flatMap { ModelHead.parse(architecture: $0)?.1 }
            guard savedConfig.modelType == config.modelType, savedHead == c.taskName.head, savedConfig.labelCount == config.labelCount,
                  try BertArchitecture(savedConfig).withoutDropout == BertArchitecture(config).withoutDropout else {
                throw TrainingError.incompatibleRun(
                    "cannot resume from \(resume.directory.path): its config.json describes another model (\(savedConfig.modelType.rawValue) \(savedConfig.architectures?.first ?? "?"), \(savedConfig.layerCount) × \(savedConfig.hiddenSize), \(savedConfig.labelCount) labels) than --model_name_or_path \(c.modelNameOrPath) with --task_name \(c.taskName.rawValue)")
            }
        }
    }

    public static let checkpointPrefix = "checkpoint-"

    /// The `checkpoint-<step>` of `outputDirectory` with the highest step that has a trainer state, if any.
    static func latestCheckpoint(in outputDirectory: URL) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputDirectory.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix(checkpointPrefix), let step = Int(name.dropFirst(checkpointPrefix.count)) else { return nil }
            let url = outputDirectory.appendingPathComponent(name)
            return TrainerState.exists(in: url) ? (step, url) : nil
        }.max { $0.0 < $1.0 }?.1
    }

    var padId: Int32 { Int32(tokenizer.vocabulary[tokenizer.paddingToken] ?? 0) }

    var evaluator: FineTuningEvaluator { FineTuningEvaluator(model: model, labels: labels, configuration: configuration, padId: padId) }

    /// Steps per epoch, total optimizer steps, warmup steps (HF Trainer's arithmetic).
    public var schedule: (stepsPerEpoch: Int, totalSteps: Int, warmupSteps: Int) {
        let c = configuration
        let perEpoch = max(1, ((train?.features.count ?? 0) + globalBatchSize - 1) / globalBatchSize)
        let total = (c.maxSteps ?? 0) > 0 ? c.maxSteps! : max(1, Int((c.numTrainEpochs * Double(perEpoch)).rounded(.up)))
        let warmup = (c.warmupSteps ?? 0) > 0 ? c.warmupSteps! : Int((c.warmupRatio * Double(total)).rounded(.up))
        return (perEpoch, total, warmup)
    }

    /// Examples per optimizer step, over all ranks and accumulated micro-batches.
    var globalBatchSize: Int { configuration.perDeviceTrainBatchSize * configuration.gradientAccumulationSteps * group.size }

    var settingsTable: [(String, String)] {
        let c = configuration, s = schedule, config = model.config
        var rows: [(String, String)] = [
            ("task_name", c.taskName.rawValue), ("model", c.modelNameOrPath), ("model_type", config.modelType.rawValue),
            ("layers × hidden × heads", "\(config.layerCount) × \(config.hiddenSize) × \(config.attentionHeadCount)"),
            ("parameters", "\(model.allParameters.reduce(0) { $0 + $1.tensor.count })"),
        ]
        if let labels { rows.append(("labels", "\(labels.count) (\(labels.problem.rawValue)): \(labels.labels.prefix(12).joined(separator: ", "))")) }
        if c.useCrf { rows.append(("crf", "on")) }
        for (name, split) in [("train", train), ("eval", validation), ("test", test)] {
            if let split { rows.append(("\(name) examples / features", "\(split.examples.count) / \(split.features.count)")) }
        }
        rows += [("max_seq_length", "\(c.maxSeqLength)"), ("batch (train / eval)", "\(c.perDeviceTrainBatchSize) / \(c.perDeviceEvalBatchSize)"),
                 ("examples per step", "\(globalBatchSize) (\(c.perDeviceTrainBatchSize) × \(c.gradientAccumulationSteps) accumulated × \(group.size) ranks)"),
                 ("steps", "\(s.totalSteps) (\(s.stepsPerEpoch) per epoch), warmup \(s.warmupSteps)"),
                 ("optimizer", "\(c.optimizer.summary), lr \(c.learningRate), layerwise_decay \(c.layerwiseDecay), max_grad_norm \(c.maxGradNorm)"
                  + (c.useSharding && group.size > 1 ? ", state sharded over \(group.size) ranks" : "")),
                 ("dropout (hidden / attention / classifier)",
                  "\(config.hiddenDropoutProbability) / \(config.attentionDropoutProbability) / \(config.effectiveClassifierDropout)"),
                 ("precision", c.useAmp ? "bf16 (\(bf16MatmulHardware())) with fp32 master weights" : "fp32"),
                 ("ranks × threads", "\(group.size) × \(Threads.count)"), ("seed", "\(c.seed)")]
        if let resume { rows.append(("resumed from", "\(resume.directory.path) (step \(resume.state.globalStep))")) }
        if let d = c.distillation, let teacher {
            rows += [("teacher", "\(d.teacherPath) (\(teacher.config.modelType.rawValue), \(teacher.config.layerCount) × \(teacher.config.hiddenSize), frozen)"),
                     ("distillation", "α_ce \(d.alphaCE) · T² · KL (T = \(d.temperature)) + α_task \(d.alphaTask) · task loss")]
        }
        return rows
    }

    /// Trains (with `do_train`), evaluates (`do_eval`) and predicts (`do_predict`); returns the final evaluation.
    @discardableResult
    public func run() throws -> EvaluationResult? {
        // One run per output directory (rank 0 holds the lock for the job); this also proves it writable now.
        let lock = isWriter ? try OutputDirectoryLock(outputDirectory) : nil
        defer { withExtendedLifetime(lock) {} }
        if isWriter { AtomicDirectory.removeLeftovers(in: outputDirectory) }
        logger.started(settings: settingsTable, totalSteps: train == nil ? 0 : schedule.totalSteps,
                       resumedFromStep: resume?.state.globalStep)
        if train != nil { try trainLoop() }
        // The final evaluation and predictions are rank 0's alone (the others have nothing left to write).
        guard isWriter else { return nil }
        var final: EvaluationResult?
        if let validation {
            let result = try evaluator.run(validation.examples, features: validation.features, batchSize: configuration.perDeviceEvalBatchSize)
            final = result
            try writeEvaluation(result)
        }
        if let perLanguage { try writeLanguageEvaluation(perLanguage) }
        if let test {
            let result = try evaluator.run(test.examples, features: test.features, batchSize: configuration.perDeviceEvalBatchSize)
            try configuration.xnli == nil ? writePredictions(result) : writeClassPredictions(result)
        }
        logger.finished()
        return final
    }

    func trainLoop() throws {
        let c = configuration, (perEpoch, totalSteps, warmup) = schedule
        let features = train!.features
        let core = try TrainingCore(
            parameters: ParameterGroups(layers: model.config.layerCount, layerwiseDecay: c.layerwiseDecay).assign(model.trainable),
            optimizer: c.optimizer, schedule: .linear(maxLR: c.learningRate, warmup: warmup, total: totalSteps), shardingDegree: c.useSharding ? group.size : 1, group: group,
            accumulation: c.gradientAccumulationSteps, maxGradNorm: c.maxGradNorm, useAmp: c.useAmp, lossScale: nil,
            seed: c.seed, totalSteps: totalSteps)
        var evaluationsWithoutImprovement = 0
        var lastEvaluated = -1
        if let resume {
            let saved = resume.state
            _ = try model.load(from: resume.directory)
            try core.resume(from: resume.directory, state: saved)
            best = saved.bestGlobalStep.flatMap { bestStep in saved.bestMetric.map { (bestStep, $0) } }
            if let recorded = best, !FileManager.default.fileExists(atPath: outputDirectory.appendingPathComponent("best_model/config.json").path) {
                logger.note("\(c.outputDir)/best_model (step \(recorded.step)) is missing: the next evaluation starts the best-model tracking afresh")
                best = nil
            }
            evaluationsWithoutImprovement = saved.evaluationsWithoutImprovement ?? 0
            lastEvaluated = saved.lastEvaluatedStep ?? -1
            logger.note("resumed from \(resume.directory.path) at step \(core.step)")
        }
        step = core.step
        core.optimizer.zeroGradients()
        core.broadcastParameters(root: 0)  // identical replicas whatever each rank initialised
        var window = (start: DispatchTime.now().uptimeNanoseconds, tokens: 0, loss: 0.0, steps: 0, norm: 0.0)
        // Every epoch has perEpoch steps, so the step count says where in which epoch's order to continue.
        var epoch = step / perEpoch
        var resumeOffset = (step % perEpoch) * globalBatchSize
        training: while step < totalSteps {
            let order = trainingOrder(epoch: epoch)
            for batchStart in stride(from: resumeOffset, to: order.count, by: globalBatchSize) {
                let global = batchStart..<min(order.count, batchStart + globalBatchSize)
                // Micro-batch m of rank r holds the global batch's chunk m × ranks + r; each is weighted by its share
                // of the batch, so the summed gradient is the whole batch's mean.
                let result = try core.step { micro, graph in
                    let chunk = micro * group.size + group.rank
                    let sliceStart = min(global.upperBound, batchStart + chunk * c.perDeviceTrainBatchSize)
                    let slice = sliceStart..<min(global.upperBound, sliceStart + c.perDeviceTrainBatchSize)
                    // A rank left without examples by a short last batch runs the batch's first one with weight 0, so
                    // that every rank has gradients to sum; further empty micro-batches add nothing and are skipped.
                    if slice.isEmpty && micro > 0 { return nil }
                    let batch = FeatureBatch((slice.isEmpty ? global.prefix(1) : slice).map { features[order[$0]] }, padId: padId)
                    let weight = Float(slice.count) / Float(global.count)
                    let out = try model(batch, graph: graph, withLoss: true)
                    var loss = out.loss!
                    if let teacher, let d = c.distillation, d.alphaCE > 0 {
                        let taught = try teacher(batch, graph: .inference(precision: c.useAmp ? .bf16 : .fp32), withLoss: false)
                        let t = Float(d.temperature)
                        let kl = try Self.softTargetLoss(out, taught, batch: batch, task: c.taskName, temperature: t, graph: graph)
                        loss = try graph.add(graph.scale(loss, by: Float(d.alphaTask)), graph.scale(kl, by: Float(d.alphaCE) * t * t))
                    }
                    return TrainingCore.MicroStep(loss: loss, weight: weight, values: [Double(loss.values[0]) * Double(weight)],
                                                  tokens: slice.isEmpty ? 0 : batch.tokenCount)
                }
                let loss = result.values[0], norm = result.gradientNorm
                if !result.applied {
                    logger.note("step \(step + 1): non-finite loss or gradient (loss \(loss), gradient norm \(norm)); update skipped")
                }
                step = core.step
                window.tokens += result.tokens
                window.loss += loss
                window.steps += 1
                window.norm = norm
                let epochProgress = Double(step) / Double(perEpoch)
                if step % c.loggingSteps == 0 || step == totalSteps {
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - window.start) / 1e9
                    logger.trained(step: step, loss: window.loss / Double(window.steps), learningRate: result.learningRate,
                                   gradientNorm: window.norm, epoch: epochProgress, tokensPerSecond: Double(window.tokens) / max(seconds, 1e-9))
                    window = (DispatchTime.now().uptimeNanoseconds, 0, 0, 0, 0)
                }
                let endOfEpoch = batchStart + globalBatchSize >= order.count
                let evaluateNow = c.evalSteps.map { $0 > 0 && step % $0 == 0 } ?? endOfEpoch
                if validation != nil && (evaluateNow || step == totalSteps) && lastEvaluated != step {
                    lastEvaluated = step
                    if try evaluateAndTrack(epoch: epochProgress) { evaluationsWithoutImprovement = 0 } else { evaluationsWithoutImprovement += 1 }
                    if let patience = c.earlyStoppingPatience, patience > 0, evaluationsWithoutImprovement >= patience {
                        logger.note("early stopping at step \(step): \(patience) evaluations without a better eval_\(c.bestMetric)")
                        break training
                    }
                }
                // Ctrl-C / SIGTERM (on any rank): the step is finished; a checkpoint makes it resumable.
                let stopping = result.interrupted && step < totalSteps
                if stopping || (c.saveSteps.map { $0 > 0 && step % $0 == 0 } ?? false) {
                    var state = core.state(epoch: epochProgress, maxSteps: totalSteps, trainBatchSize: globalBatchSize)
                    state.trainFeatures = features.count
                    state.bestMetric = best?.value
                    state.bestGlobalStep = best?.step
                    state.evaluationsWithoutImprovement = evaluationsWithoutImprovement
                    state.lastEvaluatedStep = lastEvaluated
                    try saveCheckpoint(state, core: core)
                }
                if stopping {
                    throw TrainingError.interrupted(
                        "interrupted after step \(step): \(c.outputDir)/\(Self.checkpointPrefix)\(step) holds the run; the same command with --resume_from_checkpoint true continues it")
                }
                if step >= totalSteps { break training }
            }
            epoch += 1
            resumeOffset = 0
        }
        guard isWriter else { return }
        if c.loadBestModelAtEnd, best != nil {
            try model.load(from: outputDirectory.appendingPathComponent("best_model"))
            logger.note("loaded the best model (step \(best!.step), eval_\(c.bestMetric) \(best!.value))")
        }
        try AtomicDirectory.write(outputDirectory.appendingPathComponent(".final")) { directory in
            try model.save(to: directory, tokenizer: tokenizerFiles)
        }
        try moveFinalModel()
    }

    /// The feature order of one epoch: a seeded shuffle; with `group_by_length`, HF's LengthGroupedSampler idea:
    /// mega-batches of 50 batches, each sorted by length (longest first), so a batch pads little.
    func trainingOrder(epoch: Int) -> [Int] {
        let features = train!.features
        var order = Array(features.indices)
        seededShuffle(&order, seed: UInt64(configuration.seed) &+ UInt64(epoch))
        guard configuration.groupByLength else { return order }
        let size = 50 * configuration.perDeviceTrainBatchSize
        return stride(from: 0, to: order.count, by: size).flatMap { start in
            order[start..<min(order.count, start + size)].sorted {
                features[$0].rows[0].inputIds.count > features[$1].rows[0].inputIds.count
            }
        }
    }

    /// Evaluates on the validation split, logs it, and keeps `best_model/` when the metric improved.
    func evaluateAndTrack(epoch: Double) throws -> Bool {
        let validation = validation!
        let result = try evaluator.run(validation.examples, features: validation.features, batchSize: configuration.perDeviceEvalBatchSize)
        logger.evaluated(step: step, epoch: epoch, metrics: result.metrics)
        let name = configuration.bestMetric
        guard let value = result.metric(name) else {
            throw TrainingError.invalidConfiguration("metric_for_best_model \(name) is not computed for \(configuration.taskName.rawValue); available: \(result.metrics.map(\.name).joined(separator: ", "))")
        }
        let improved = best.map { configuration.bestMetricIncreases ? value > $0.value : value < $0.value } ?? true
        if improved {
            best = (step, value)
            guard isWriter else { return true }
            try AtomicDirectory.write(outputDirectory.appendingPathComponent("best_model")) { directory in
                try model.save(to: directory, tokenizer: tokenizerFiles)
            }
        }
        return improved
    }

    /// `checkpoint-<step>/`: the model (a Hugging Face directory) plus what resuming needs, written atomically;
    /// at most `save_total_limit` of them are kept (oldest removed first). Every rank calls it (sharded optimizer
    /// state is gathered); rank 0 writes.
    func saveCheckpoint(_ state: TrainerState, core: TrainingCore) throws {
        try core.writeCheckpoint(state, to: outputDirectory.appendingPathComponent(Self.checkpointPrefix + "\(step)")) { directory in
            try model.save(to: directory, tokenizer: tokenizerFiles)
        }
        guard isWriter, let limit = configuration.saveTotalLimit, limit > 0 else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outputDirectory.path)) ?? []
        let steps = names.compactMap { $0.hasPrefix("checkpoint-") ? Int($0.dropFirst("checkpoint-".count)) : nil }.sorted()
        for old in steps.dropLast(limit) {
            try? FileManager.default.removeItem(at: outputDirectory.appendingPathComponent("checkpoint-\(old)"))
        }
    }

    /// The final model's files go to the output directory itself (HF `trainer.save_model()`).
    func moveFinalModel() throws {
        let staging = outputDirectory.appendingPathComponent(".final")
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: staging.path) {
            let destination = outputDirectory.appendingPathComponent(name)
            try? manager.removeItem(at: destination)
            try manager.moveItem(at: staging.appendingPathComponent(name), to: destination)
        }
        try manager.removeItem(at: staging)
    }

    func writeEvaluation(_ result: EvaluationResult) throws {
        var fields = result.metrics.map { ("eval_" + $0.name, JSONWriter.number($0.value)) }
        fields.append(("eval_samples", "\(validation!.examples.count)"))
        if train != nil { fields += [("epoch", JSONWriter.number(Double(step) / Double(schedule.stepsPerEpoch))), ("global_step", "\(step)")] }
        if let best { fields += [("best_step", "\(best.step)"), ("best_eval_\(configuration.bestMetric)", JSONWriter.number(best.value))] }
        try writeJSON(object(fields), to: "eval_results.json")
        try writeJSON(result.predictions.joined(separator: "\n") + "\n", to: "eval_predictions.jsonl")
        if let answers = result.answers {
            try writeJSON(object(answers.keys.sorted().map { (JSONWriter.quoted($0), JSONWriter.quoted(answers[$0]!)) }, quoteKeys: false), to: "eval_answers.json")
        }
        logger.note("eval_results.json: " + result.metrics.map { String(format: "eval_%@ %.4f", $0.name, $0.value) }.joined(separator: ", "))
    }

    /// PaddleNLP run_classifier's final evaluation: accuracy on every language's validation set and their average
    /// (`eval_accuracy_<lang>`, `eval_accuracy_average`) in eval_results.json, and a table in the log.
    func writeLanguageEvaluation(_ languages: [(language: String, examples: TaskExamples, features: [EncodedFeature])]) throws {
        var fields: [(String, String)] = []
        var accuracies: [Double] = []
        for (language, examples, features) in languages {
            let result = try evaluator.run(examples, features: features, batchSize: configuration.perDeviceEvalBatchSize)
            let accuracy = result.metric("accuracy") ?? 0
            accuracies.append(accuracy)
            fields.append(("eval_accuracy_\(language)", JSONWriter.number(accuracy)))
            logger.note(String(format: "eval %@: accuracy %.4f (%d examples)", language, accuracy, examples.count))
        }
        let average = accuracies.reduce(0, +) / Double(max(1, accuracies.count))
        fields.append(("eval_accuracy_average", JSONWriter.number(average)))
        logger.note(String(format: "eval average over %d languages: accuracy %.4f", accuracies.count, average))
        try writeJSON(object(fields), to: "eval_results.json")
    }

    /// PaddleNLP run_classifier's test_results.json: `{"label": [class ids], "confidence": [max softmax]}`.
    func writeClassPredictions(_ result: EvaluationResult) throws {
        let labels = result.classes.map { String($0.label) }.joined(separator: ", ")
        let confidences = result.classes.map { JSONWriter.number($0.confidence) }.joined(separator: ", ")
        try writeJSON("{\"label\": [\(labels)], \"confidence\": [\(confidences)]}", to: "test_results.json")
        logger.note("test_results.json: \(result.classes.count) predictions")
    }

    func writePredictions(_ result: EvaluationResult) throws {
        try writeJSON("[\n" + result.predictions.map { "  " + $0 }.joined(separator: ",\n") + "\n]\n", to: "test_results.json")
        if !result.metrics.isEmpty {
            try writeJSON(object(result.metrics.map { ("test_" + $0.name, JSONWriter.number($0.value)) }), to: "test_metrics.json")
        }
        logger.note("test_results.json: \(result.predictions.count) predictions")
    }

    func object(_ fields: [(String, String)], quoteKeys: Bool = true) -> String {
        "{\n" + fields.map { "  " + (quoteKeys ? JSONWriter.quoted($0.0) : $0.0) + ": " + $0.1 }.joined(separator: ",\n") + "\n}\n"
    }

    func writeJSON(_ text: String, to name: String) throws {
        try AtomicFile.write(text.utf8, to: outputDirectory.appendingPathComponent(name))
    }
}
