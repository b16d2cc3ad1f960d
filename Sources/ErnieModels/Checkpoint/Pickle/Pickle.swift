/// What a restricted unpickler builds from a pickle: plain values, containers, and *calls* — a global the caller
/// allowed, applied to arguments — which are recorded, never run. A reader (PyTorch, Paddle) then interprets the calls
/// it knows (`torch._utils._rebuild_tensor_v2`, `numpy.core.multiarray._reconstruct`, …) on the finished tree.
///
/// Containers and calls are classes because pickles share them through the memo and mutate them after creation
/// (`SETITEMS` on a dict that is already memoised, `BUILD` on an object).
public indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// Bytes as a range of the pickle's own buffer (`PickleMachine.bytes`), not copied.
    case bytes(Range<Int>)
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// A global the caller allowed, not applied (e.g. a class passed as an argument).
    case global(PickleGlobal)
    case call(PickleCall)
    /// A persistent id (`BINPERSID`): PyTorch's reference to a tensor storage in the zip.
    case persistent(PickleValue)

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var int: Int? { if case .int(let value) = self { value } else { nil } }
    public var tuple: [PickleValue]? {
        switch self {
        case .tuple(let values): values
        case .list(let list): list.values
        default: nil
        }
    }

    /// The (key, value) pairs of a dict, or of a call that builds one (`collections.OrderedDict()` + `SETITEMS`).
    public var items: [(key: PickleValue, value: PickleValue)]? {
        switch self {
        case .dict(let dict): dict.items
        case .call(let call) where call.callable.name == "OrderedDict": call.items
        default: nil
        }
    }
}

/// `module.name`, as `GLOBAL` / `STACK_GLOBAL` named it.
public struct PickleGlobal: Hashable, Sendable, CustomStringConvertible {
    public let module: String
    public let name: String
    public init(_ module: String, _ name: String) {
        self.module = module
        self.name = name
    }
    public var description: String { "\(module).\(name)" }
}

public final class PickleList {
    public var values: [PickleValue] = []
}

public final class PickleDict {
    public var items: [(key: PickleValue, value: PickleValue)] = []
}

/// `callable(*arguments)` as `REDUCE` / `NEWOBJ` recorded it, with what `BUILD` (`state`) and `SETITEMS` / `APPENDS`
/// (`items`, `values`) added to the result.
public final class PickleCall {
    public let callable: PickleGlobal
    public let arguments: [PickleValue]
    public var state: PickleValue?
    public var items: [(key: PickleValue, value: PickleValue)] = []
    public var values: [PickleValue] = []

    init(callable: PickleGlobal, arguments: [PickleValue]) {
        self.callable = callable
        self.arguments = arguments
    }
}
