/// A tensor's elements in a checkpoint's bytes as PyTorch and numpy lay them out: `shape` with `strides` (in
/// elements) from element `offset` of `dtype` data. A Paddle Linear weight stored [in, out] is the [out, in] view with
/// strides [1, out]; a torch tensor is any view of its storage.
struct StridedElements {
    var dtype: SafetensorsDType
    var offset: Int
    var shape: [Int]
    var strides: [Int]

    /// Row-major strides of `shape`.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return strides
    }

    /// Converts the elements, whose data starts at byte `start` of `bytes` (checked by the reader that made this view),
    /// to Float in row-major order into `destination`: one conversion of the whole span when the strides are row-major,
    /// else element by element.
    /// - Throws: when `dtype` is not a float type or `destination` is too small (naming `source` and `name`).
    func readFloats(from bytes: UnsafeRawBufferPointer, at start: Int, source: String, name: String,
                    into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard dtype.isConvertibleToFloat else {
            throw SafetensorsError.unsupportedConversion(path: source, tensor: name, dtype: dtype.rawValue, target: "Float (F32, F16, BF16, F64)")
        }
        let count = shape.reduce(1, *)
        guard destination.count >= count else {
            throw SafetensorsError.destinationSize(path: source, tensor: name, elements: count, capacity: destination.count)
        }
        guard count > 0 else { return }
        let base = bytes.baseAddress! + start
        let size = dtype.byteSize, contiguous = Self.contiguousStrides(shape)
        if zip(shape, zip(strides, contiguous)).allSatisfy({ $0 == 1 || $1.0 == $1.1 }) {
            ElementConversion.convertToFloat(base + offset * size, dtype: dtype, count: count, into: destination.baseAddress!)
            return
        }
        for index in 0..<count {
            var rest = index, element = offset
            for axis in shape.indices {
                element += (rest / contiguous[axis]) * strides[axis]
                rest %= contiguous[axis]
            }
            ElementConversion.convertToFloat(base + element * size, dtype: dtype, count: 1, into: destination.baseAddress! + index)
        }
    }
}
