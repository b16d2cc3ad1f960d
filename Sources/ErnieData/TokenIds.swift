/// The flat token-id array of a corpus, in whatever integer type the file stores (uint16 for vocabularies below
/// 65535 entries, int32 above; other integer types are read too).
public enum TokenIds: Sendable {
    case uint8(MappedArray<UInt8>)
    case uint16(MappedArray<UInt16>)
    case int16(MappedArray<Int16>)
    case int32(MappedArray<Int32>)
    case uint32(MappedArray<UInt32>)
    case int64(MappedArray<Int64>)
    case uint64(MappedArray<UInt64>)

    /// Views `count` elements of `dtype` at `byteOffset` in `file`. - Throws: for float or int8 data.
    init(file: MappedFile, byteOffset: Int, count: Int, dtype: NumpyDType, name: String) throws {
        switch dtype {
        case .uint8: self = .uint8(MappedArray(file: file, byteOffset: byteOffset, count: count))
        case .uint16: self = .uint16(MappedArray(file: file, byteOffset: byteOffset, count: count))
        case .int16: self = .int16(MappedArray(file: file, byteOffset: byteOffset, count: count))
        case .int32: self = .int32(MappedArray(file: file, byteOffset: byteOffset, count: count))
        case .uint32: self = .uint32(MappedArray(file: file, byteOffset: byteOffset, count: count))
        case .int64: self = .int64(MappedArray(file: file, byteOffset: byteOffset, count: count))
        case .uint64: self = .uint64(MappedArray(file: file, byteOffset: byteOffset, count: count))
        case .int8, .float32, .float64:
            throw DataError.unsupported(path: name, reason: "token ids stored as \(dtype.descr); expected unsigned or int32/int64")
        }
    }

    public var count: Int {
        switch self {
        case .uint8(let a): a.count
        case .uint16(let a): a.count
        case .int16(let a): a.count
        case .int32(let a): a.count
        case .uint32(let a): a.count
        case .int64(let a): a.count
        case .uint64(let a): a.count
        }
    }

    public var dtype: NumpyDType {
        switch self {
        case .uint8: .uint8
        case .uint16: .uint16
        case .int16: .int16
        case .int32: .int32
        case .uint32: .uint32
        case .int64: .int64
        case .uint64: .uint64
        }
    }

    /// Appends ids `range` to `output` as Int32 (ids beyond Int32 become −1, which the vocabulary check rejects).
    public func append(_ range: Range<Int>, to output: inout [Int32]) {
        switch self {
        case .uint8(let a): Self.append(a, range, &output)
        case .uint16(let a): Self.append(a, range, &output)
        case .int16(let a): Self.append(a, range, &output)
        case .int32(let a): Self.append(a, range, &output)
        case .uint32(let a): Self.append(a, range, &output)
        case .int64(let a): Self.append(a, range, &output)
        case .uint64(let a): Self.append(a, range, &output)
        }
    }

    private static func append<T>(_ array: MappedArray<T>, _ range: Range<Int>, _ output: inout [Int32]) {
        precondition(range.lowerBound >= 0 && range.upperBound <= array.count)
        output.reserveCapacity(output.count + range.count)
        for index in range { output.append(Int32(exactly: array[index]) ?? -1) }
    }

    /// The smallest and largest id in the whole array (one streaming pass over the mapping), or `nil` when empty.
    public func extrema() -> (minimum: Int64, maximum: Int64)? {
        switch self {
        case .uint8(let a): Self.extrema(a)
        case .uint16(let a): Self.extrema(a)
        case .int16(let a): Self.extrema(a)
        case .int32(let a): Self.extrema(a)
        case .uint32(let a): Self.extrema(a)
        case .int64(let a): Self.extrema(a)
        case .uint64(let a): Self.extrema(a)
        }
    }

    private static func extrema<T: FixedWidthInteger>(_ array: MappedArray<T>) -> (minimum: Int64, maximum: Int64)? {
        guard let raw = array.rawPointer else { return nil }
        var low = T.max, high = T.min
        if Int(bitPattern: raw) % MemoryLayout<T>.alignment == 0 {
            // Aligned (every .npy/.bin data block is): a plain loop the compiler vectorizes.
            let buffer = UnsafeBufferPointer(start: raw.assumingMemoryBound(to: T.self), count: array.count)
            for value in buffer {
                low = min(low, value)
                high = max(high, value)
            }
        } else {
            for index in 0..<array.count {
                let value = array[index]
                low = min(low, value)
                high = max(high, value)
            }
        }
        return (Int64(truncatingIfNeeded: low), Int64(clamping: high))
    }
}
