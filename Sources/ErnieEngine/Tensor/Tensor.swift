/// An n-dimensional float32 tensor: a shape, strides and an offset into shared `Storage`.
///
/// Reference semantics: views (`reshaped`, `transposed`, `slice`) share storage. Kernels take contiguous tensors
/// (`contiguous()` copies only when needed). `grad` holds the gradient of a tensor that takes part in a `Graph`'s
/// backward pass; parameter gradients accumulate (+=) across backward passes until zeroed.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let strides: [Int]
    public let offset: Int
    public let storage: Storage
    /// Where this tensor's gradient collects, apart from its data (see `GradientSlot`).
    public let slot: GradientSlot

    /// Gradients flow into this tensor during `Graph.backward`.
    public var requiresGrad: Bool {
        get { slot.requiresGrad }
        set { slot.requiresGrad = newValue }
    }

    /// d(loss)/d(self), same shape, contiguous; nil until a backward pass writes it.
    public var grad: Tensor? {
        get { slot.gradient }
        set { slot.gradient = newValue }
    }

    init(shape: [Int], strides: [Int], offset: Int, storage: Storage, requiresGrad: Bool = false) {
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.storage = storage
        self.slot = GradientSlot(shape: shape, requiresGrad: requiresGrad)
    }

    /// A contiguous tensor with uninitialised contents (pooled memory).
    public convenience init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let count = shape.reduce(1, *)
        self.init(shape: shape, strides: Tensor.contiguousStrides(shape), offset: 0, storage: Storage(uninitializedCount: count))
    }

    /// A contiguous tensor filled with `value`.
    public convenience init(shape: [Int], repeating value: Float = 0) {
        self.init(uninitializedShape: shape)
        fill(value)
    }

    /// A contiguous tensor holding `values` (row-major).
    public convenience init(shape: [Int], values: [Float]) throws {
        let count = shape.reduce(1, *)
        guard values.count == count else { throw TensorError.valueCount(shape: shape, count: values.count) }
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    /// Wraps memory owned elsewhere (kept alive by the caller) without copying.
    public convenience init(borrowing pointer: UnsafeMutablePointer<Float>, shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, strides: Tensor.contiguousStrides(shape), offset: 0,
                  storage: Storage(borrowing: pointer, count: count))
    }

    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    public var rank: Int { shape.count }
    public var count: Int { shape.reduce(1, *) }
    public var isContiguous: Bool { strides == Tensor.contiguousStrides(shape) }

    /// The first element. Valid for `count` elements when contiguous.
    public var data: UnsafeMutablePointer<Float> { storage.base + offset }

    /// Rows × columns view of a contiguous tensor: the last axis is the row length.
    public var rowsAndColumns: (rows: Int, columns: Int) {
        let columns = shape.last ?? 1
        return (columns == 0 ? 0 : count / columns, columns)
    }

    public func fill(_ value: Float) {
        precondition(isContiguous, "fill needs a contiguous tensor")
        data.update(repeating: value, count: count)
    }

    /// The elements in row-major order (copies; for tests and small reads).
    public var values: [Float] {
        let source = contiguous()
        return Array(UnsafeBufferPointer(start: source.data, count: source.count))
    }

    public subscript(_ indices: Int...) -> Float {
        get { storage.base[flatIndex(indices)] }
        set { storage.base[flatIndex(indices)] = newValue }
    }

    private func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == rank, "index \(indices) for shape \(shape)")
        var flat = offset
        for (axis, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[axis], "index \(indices) out of shape \(shape)")
            flat += index * strides[axis]
        }
        return flat
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor\(shape)" }
}

/// Errors from shapes and values supplied by users (internal invariants use `precondition`).
public enum TensorError: Error, CustomStringConvertible, Equatable {
    case valueCount(shape: [Int], count: Int)
    case shapeMismatch(operation: String, expected: [Int], actual: [Int])
    case invalidReshape(from: [Int], to: [Int])
    /// An operation the graph's precision does not support (e.g. gradients through int8 linear layers).
    case unsupported(String)

    public var description: String {
        switch self {
        case .valueCount(let shape, let count): "\(count) values cannot fill a tensor of shape \(shape)"
        case .shapeMismatch(let operation, let expected, let actual):
            "\(operation): expected shape \(expected), got \(actual)"
        case .invalidReshape(let from, let to): "cannot reshape \(from) (\(from.reduce(1, *)) elements) to \(to)"
        case .unsupported(let what): what
        }
    }
}
