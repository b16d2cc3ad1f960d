/// Views and copies. Views share storage; `contiguous()` copies a strided view into fresh memory.
extension Tensor {
    /// The same elements under another shape (one dimension may be -1). A view when contiguous, else a copy.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var shape = newShape
        if let inferred = shape.firstIndex(of: -1) {
            let known = shape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            guard known > 0, count % known == 0 else { throw TensorError.invalidReshape(from: self.shape, to: newShape) }
            shape[inferred] = count / known
        }
        guard shape.reduce(1, *) == count, shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidReshape(from: self.shape, to: newShape)
        }
        let source = contiguous()
        return Tensor(shape: shape, strides: Tensor.contiguousStrides(shape), offset: source.offset, storage: source.storage)
    }

    /// A view with two axes swapped (strided; `contiguous()` materialises it).
    public func transposed(_ first: Int = -2, _ second: Int = -1) -> Tensor {
        let a = first < 0 ? rank + first : first
        let b = second < 0 ? rank + second : second
        precondition(a >= 0 && a < rank && b >= 0 && b < rank, "transpose axes \(first), \(second) of rank \(rank)")
        var shape = self.shape, strides = self.strides
        shape.swapAt(a, b)
        strides.swapAt(a, b)
        return Tensor(shape: shape, strides: strides, offset: offset, storage: storage)
    }

    /// Rows `range` of the first axis, as a view.
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "slice \(range) of \(shape)")
        var shape = self.shape
        shape[0] = range.count
        return Tensor(shape: shape, strides: strides, offset: offset + range.lowerBound * strides[0], storage: storage)
    }

    /// Self when contiguous, else a contiguous copy.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let copy = Tensor(uninitializedShape: shape)
        var index = [Int](repeating: 0, count: rank)
        let destination = copy.data
        for flat in 0..<count {
            var source = offset
            for axis in 0..<rank { source += index[axis] * strides[axis] }
            destination[flat] = storage.base[source]
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return copy
    }

    /// A contiguous copy with its own storage.
    public func copy() -> Tensor {
        let source = contiguous()
        let copy = Tensor(uninitializedShape: shape)
        copy.data.update(from: source.data, count: count)
        return copy
    }

    /// Throws unless the shape is `expected`.
    public func expectShape(_ expected: [Int], _ operation: String) throws {
        if shape != expected { throw TensorError.shapeMismatch(operation: operation, expected: expected, actual: shape) }
    }
}
