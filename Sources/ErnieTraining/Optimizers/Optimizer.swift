import ErnieEngine
import ErnieModels
import Foundation

/// The one optimizer of pretraining, fine-tuning and distillation: an update rule (AdamW, LAMB, Momentum) over
/// parameter groups, with global-norm clipping, and optionally ZeRO stage 1 sharding of its state across ranks.
///
/// State is named as torch's `state_dict` names it (`exp_avg.<parameter>`, `exp_avg_sq.<parameter>`,
/// `momentum_buffer.<parameter>`); parameters that were never updated have none.
///
/// Sharded (`sharding`): every rank holds the whole model and the all-reduced gradients, but keeps state (and runs
/// the update) only for the parameters of its shard; the updated parameters are then re-gathered by one broadcast
/// per shard. The arithmetic per parameter is unchanged, so a sharded run computes exactly an unsharded one's weights.
/// With degree < world size, ranks r and r + degree own the same shard and shard k is broadcast from rank k.
public final class Optimizer {
    public let rule: any UpdateRule
    public let parameters: [OptimizerParameter]
    /// Completed updates.
    public private(set) var step = 0
    private var states: [[Tensor]?]
    private let sharding: (layout: ShardLayout, group: ProcessGroup, exchange: DataParallelExchange)?
    /// Indices of the parameters this rank updates (all without sharding).
    private let owned: [Int]
    /// The parameters of each shard, for the broadcasts after an update.
    private let shards: [ParameterStore]

    public init(_ rule: any UpdateRule, parameters: [OptimizerParameter], sharding: (degree: Int, group: ProcessGroup)? = nil) {
        self.rule = rule
        self.parameters = parameters
        states = Array(repeating: nil, count: parameters.count)
        if let sharding, sharding.degree > 1 {
            let group = sharding.group
            precondition(group.size % sharding.degree == 0, "sharding degree \(sharding.degree) must divide the \(group.size) ranks")
            let layout = ShardLayout(parameters: parameters.map { ($0.name, $0.tensor.count) }, degree: sharding.degree)
            self.sharding = (layout, group, DataParallelExchange(group: group))
            let shard = group.rank % sharding.degree
            owned = parameters.indices.filter { layout.owners[parameters[$0].name] == shard }
            shards = (0..<sharding.degree).map { owner in
                ParameterStore.adopting(parameters.filter { layout.owners[$0.name] == owner }.map { ($0.name, $0.tensor) })
            }
        } else {
            self.sharding = nil
            owned = Array(parameters.indices)
            shards = []
        }
    }

    /// One update of every (owned) parameter that has a gradient, at the scheduled `learningRate` times the
    /// parameter's group factor; with sharding, then the broadcasts that give every rank the updated weights.
    public func update(learningRate: Double) {
        step += 1
        for index in owned {
            let parameter = parameters[index]
            guard let gradient = parameter.tensor.grad else { continue }
            let state = states[index] ?? rule.stateNames.map { _ in Tensor(shape: parameter.tensor.shape) }
            states[index] = state
            rule.apply(parameter, gradient: gradient, state: state, learningRate: Float(learningRate), step: step)
        }
        if let sharding {
            for (owner, store) in shards.enumerated() { sharding.exchange.broadcast(store, root: owner) }
        }
    }

    /// √(Σ g²) over every gradient, in double precision.
    public func gradientNorm() -> Double {
        var total = 0.0
        for parameter in parameters {
            if let grad = parameter.tensor.grad { total += sumOfSquares(grad.data, count: grad.count) }
        }
        return total.squareRoot()
    }

    /// Global-norm clipping as `torch.nn.utils.clip_grad_norm_`: every gradient is scaled by max_norm / (‖g‖ + 1e-6)
    /// when that is below 1 (0: no clipping). Returns the norm before clipping (logged, and checked for NaN/inf).
    @discardableResult
    public func clipGradients(maxNorm: Double) -> Double {
        let norm = gradientNorm()
        guard maxNorm > 0, norm.isFinite else { return norm }
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 { scaleGradients(by: Float(coefficient)) }
        return norm
    }

    /// Multiplies every gradient by `factor` (undoing a loss scale, clipping).
    public func scaleGradients(by factor: Float) {
        for parameter in parameters {
            guard let grad = parameter.tensor.grad else { continue }
            scaleForward(grad.data, grad.data, count: grad.count, by: factor)
        }
    }

    public func zeroGradients() {
        for parameter in parameters { parameter.tensor.grad?.fill(0) }
    }

    /// The whole state by torch's names, in the unsharded layout. Sharded, it is gathered from the shards' owners
    /// (ranks 0 ..< degree): a collective every rank must call.
    public func stateTensors() -> [String: Tensor] {
        var mine: [String: Tensor] = [:]
        for index in owned {
            guard let state = states[index] else { continue }
            for (stateName, tensor) in zip(rule.stateNames, state) { mine[stateName + "." + parameters[index].name] = tensor }
        }
        guard let sharding else { return mine }
        var all: [String: Tensor] = [:]
        for owner in 0..<sharding.layout.degree {
            let bytes = sharding.group.broadcast(owner == sharding.group.rank ? StateTensorCoding.encode(mine) : [], root: owner)
            // A decoding failure is a bug in this file (the bytes were encoded by the same code on another rank).
            for (name, tensor) in try! StateTensorCoding.decode(bytes) { all[name] = tensor }
        }
        return all
    }

    /// Continues after `step` updates from a checkpoint's state (`stateTensors()`, or the `m.`/`v.`/`velocity.`
    /// names of older ernie checkpoints); a parameter without state had not been updated yet.
    /// - Throws: when the state belongs to another update rule or a tensor's shape differs from its parameter's,
    ///   naming `source` (the file) and the tensor.
    public func restore(step: Int, tensors: [String: Tensor], source: String) throws {
        let prefixes = Set(tensors.keys.map { String($0.prefix { $0 != "." }) })
        let known = Set(rule.stateNames + rule.legacyStateNames)
        if let foreign = prefixes.subtracting(known).sorted().first {
            let owner = [AdamWRule() as any UpdateRule, MomentumRule()].first { ($0.stateNames + $0.legacyStateNames).contains(foreign) }
            throw TrainingError.incompatibleRun(
                "\(source) holds \(foreign).* state" + (owner.map { " of a \($0.kind.rawValue)-family optimizer" } ?? "")
                + ", which --optimizer \(rule.kind.rawValue) does not use: resume with the optimizer that wrote it")
        }
        let names = prefixes.isSubset(of: Set(rule.stateNames)) ? rule.stateNames : rule.legacyStateNames
        let owned = Set(owned)
        for index in parameters.indices {
            let parameter = parameters[index]
            let found = names.map { tensors[$0 + "." + parameter.name] }
            if !owned.contains(index) || found.allSatisfy({ $0 == nil }) {
                states[index] = nil
                continue
            }
            guard found.allSatisfy({ $0 != nil }) else {
                throw TrainingError.incompatibleRun("\(source): the \(names.joined(separator: "/")) state of \(parameter.name) is incomplete")
            }
            let state = found.map { $0! }
            for (stateName, tensor) in zip(names, state) where tensor.shape != parameter.tensor.shape {
                throw TrainingError.incompatibleRun(
                    "\(source): \(stateName).\(parameter.name) has shape \(tensor.shape), the parameter \(parameter.tensor.shape)")
            }
            states[index] = state
        }
        self.step = step
    }
}
