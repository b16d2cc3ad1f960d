import ErnieBasics
import ErnieEngine
import ErnieModels
import Foundation

/// The training step every command shares (pretraining, fine-tuning, distillation): a task supplies the micro-batches'
/// weighted losses; the core owns the dropout streams, backward, the data-parallel gradient all-reduce, dynamic loss
/// scaling, clipping, the non-finite check and skip, the learning-rate schedule, the optimizer update, and resumable
/// checkpoints. Every command reports through one `RunLogger`.
///
/// Data-parallel under mpirun: every rank calls `step` with its own micro-batches; each micro-batch's loss must be
/// weighted so that the sum over micro-batches and ranks is the loss of the whole step (then the summed gradient is
/// that loss's gradient, exactly as one rank training on the whole batch).
public final class TrainingCore {
    public let optimizer: Optimizer
    public let settings: OptimizerSettings
    public private(set) var scaler: DynamicLossScaler?
    public let group: ProcessGroup
    let exchange: DataParallelExchange
    /// The trained tensors, for the collectives.
    let store: ParameterStore
    let precision: MatmulPrecision
    let seed: Int
    /// Micro-batches per optimizer step on each rank (gradient accumulation).
    public let accumulation: Int
    /// Global-norm clipping limit (0: none).
    let maxGradNorm: Double
    /// The rate of each update, by the step it starts from.
    public let schedule: LearningRateSchedule
    /// Completed optimizer steps (the global step), including skipped ones.
    public private(set) var step = 0

    /// What one micro-batch gives the core.
    public struct MicroStep {
        /// The loss to differentiate (already weighted by the micro-batch's share of the step, unless `weight` does it).
        public var loss: Tensor
        /// Multiplies the loss's gradient (1 when `loss` is weighted already).
        public var weight: Float
        /// Values to sum over micro-batches and ranks (the step's loss terms); any non-finite one skips the update.
        public var values: [Double]
        /// Tokens of the micro-batch (throughput).
        public var tokens: Int

        public init(loss: Tensor, weight: Float = 1, values: [Double], tokens: Int) {
            self.loss = loss
            self.weight = weight
            self.values = values
            self.tokens = tokens
        }
    }

    /// What one step did, summed over the ranks.
    public struct StepResult {
        public var values: [Double]
        public var tokens: Int
        /// The gradient norm before clipping.
        public var gradientNorm: Double
        /// False when the update was skipped (non-finite loss or gradient).
        public var applied: Bool
        /// Some rank was asked to stop (SIGINT / SIGTERM): every rank sees the same.
        public var interrupted: Bool
        /// The scheduled learning rate of this step.
        public var learningRate: Double
    }

    /// - Parameters:
    ///   - parameters: the trained tensors in the optimizer's groups.
    ///   - useAmp: bf16 matmuls with fp32 master weights; `lossScale` (when given) starts PaddleNLP's dynamic scaling.
    ///   - totalSteps: the run's optimizer steps (bounds the dropout-stream numbering).
    /// - Throws: when the dropout streams of `totalSteps` × `accumulation` micro-steps could not be numbered apart.
    public init(parameters: [OptimizerParameter], optimizer settings: OptimizerSettings, schedule: LearningRateSchedule,
                shardingDegree: Int = 1, group: ProcessGroup = .single, accumulation: Int, maxGradNorm: Double, useAmp: Bool,
                lossScale: Double?, seed: Int, totalSteps: Int) throws {
        let (microSteps, overflow) = totalSteps.multipliedReportingOverflow(by: accumulation)
        guard !overflow, microSteps < Self.microStepLimit else {
            throw TrainingError.invalidConfiguration(
                "\(totalSteps) steps × \(accumulation) accumulated micro-batches exceed the \(Self.microStepLimit) micro-steps whose dropout streams can be told apart")
        }
        self.settings = settings
        self.schedule = schedule
        optimizer = Optimizer(settings.rule, parameters: parameters, sharding: (shardingDegree, group))
        store = ParameterStore.adopting(parameters.map { ($0.name, $0.tensor) })
        self.group = group
        exchange = DataParallelExchange(group: group)
        self.accumulation = accumulation
        self.maxGradNorm = maxGradNorm
        precision = useAmp ? .bf16 : .fp32
        scaler = useAmp ? lossScale.map { DynamicLossScaler(initialScale: Float($0)) } : nil
        self.seed = seed
    }

    /// Micro-steps are numbered below 2⁴⁰ and ranks above: (micro-step, rank) pairs never share a dropout stream.
    static let microStepLimit = 1 << 40

    /// The dropout stream of micro-batch `micro` of `step` on this rank: a function of (seed, micro-step, rank)
    /// only, so a resumed run draws the masks of an uninterrupted one.
    public func random(step: Int, micro: Int) -> RandomGenerator {
        let microStep = UInt64(step * accumulation + micro)
        return RandomGenerator(seed: RandomGenerator.bits(seed: UInt64(seed), index: microStep &+ UInt64(group.rank) << 40))
    }

    /// One optimizer step at the scheduled rate: `microBatch(m, graph)` for m in 0 ..< accumulation (nil ends the
    /// step's micro-batches early), backward on each, then the all-reduce, unscaling, clipping and the update (or its
    /// skip).
    public func step(_ microBatch: (Int, Graph) throws -> MicroStep?) throws -> StepResult {
        let learningRate = schedule.rate(at: step)
        let scale = scaler?.scale ?? 1
        var values: [Double] = []
        var tokens = 0
        for micro in 0..<accumulation {
            let graph = Graph(training: true, precision: precision, random: random(step: step, micro: micro))
            guard let out = try microBatch(micro, graph) else { break }
            graph.backward(from: out.loss, seed: out.weight * scale)
            if values.isEmpty { values = out.values } else { for i in values.indices { values[i] += out.values[i] } }
            tokens += out.tokens
        }
        exchange.allReduceGradients(store)
        // The step's values, tokens and any rank's interruption, summed over the ranks (they must stop together).
        let totals = group.allReduceSum(values + [Double(tokens), Interruption.requested ? 1 : 0])
        values = Array(totals.prefix(values.count))
        if scale != 1 { optimizer.scaleGradients(by: 1 / scale) }
        let norm = optimizer.clipGradients(maxNorm: maxGradNorm)
        let finite = norm.isFinite && values.allSatisfy(\.isFinite)
        let applied = scaler != nil ? scaler!.update(finite: finite) : finite
        if applied { optimizer.update(learningRate: learningRate) }
        optimizer.zeroGradients()
        step += 1
        return StepResult(values: values, tokens: Int(totals[values.count]), gradientNorm: norm, applied: applied,
                          interrupted: totals[values.count + 1] > 0, learningRate: learningRate)
    }

    /// Rank `root`'s parameters to every rank (identical replicas at the start).
    public func broadcastParameters(root: Int = 0) {
        exchange.broadcast(store, root: root)
    }

    /// A trainer state at the current step with the core's fields filled in.
    public func state(epoch: Double? = nil, maxSteps: Int, trainBatchSize: Int) -> TrainerState {
        var state = TrainerState(globalStep: step, epoch: epoch, maxSteps: maxSteps, trainBatchSize: trainBatchSize, seed: seed,
                                 optimizer: settings.kind, optimizerStep: optimizer.step)
        state.lossScaler = scaler
        return state
    }

    /// Writes `destination` atomically on rank 0: `writeModel` fills the Hugging Face folder, then `state`'s
    /// trainer_state.json and the optimizer state are added. Every rank must call it (a sharded optimizer's state is
    /// gathered first); an existing `destination` moves to `backup` (or is replaced when nil).
    public func writeCheckpoint(_ state: TrainerState, to destination: URL, backup: URL? = nil,
                                writeModel: (URL) throws -> Void) throws {
        let optimizerState = optimizer.stateTensors()
        guard group.rank == 0 else { return }
        try AtomicDirectory.write(destination, backup: backup) { directory in
            try writeModel(directory)
            try state.write(to: directory, optimizerState: optimizerState)
        }
    }

    /// Continues from the checkpoint in `directory` whose trainer state is `state` (the model's weights are the
    /// task's to load): the step, optimizer state and loss scaler.
    /// - Throws: when the checkpoint was written by another optimizer or its state does not fit the parameters,
    ///   naming the file.
    public func resume(from directory: URL, state: TrainerState) throws {
        guard state.optimizer == settings.kind else {
            throw TrainingError.incompatibleRun(
                "\(directory.appendingPathComponent(TrainerState.fileName).path) was written with --optimizer \(state.optimizer.rawValue), not \(settings.kind.rawValue): resume with the same optimizer or use another output directory")
        }
        let file = directory.appendingPathComponent(TrainerState.optimizerFileName)
        try optimizer.restore(step: state.optimizerStep, tensors: TrainerState.readOptimizerState(from: directory), source: file.path)
        if scaler != nil, let saved = state.lossScaler { scaler = saved }
        step = state.globalStep
    }
}
