/// The numpy element types the pretraining files use, named by numpy's `descr` strings (little-endian).
public enum NumpyDType: String, Sendable, CaseIterable {
    case int8 = "|i1"
    case uint8 = "|u1"
    case int16 = "<i2"
    case uint16 = "<u2"
    case int32 = "<i4"
    case uint32 = "<u4"
    case int64 = "<i8"
    case uint64 = "<u8"
    case float32 = "<f4"
    case float64 = "<f8"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .int8, .uint8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        }
    }

    /// numpy's `descr` as `np.save` writes it.
    public var descr: String { rawValue }

    /// Parses a `descr`, accepting numpy's equivalent spellings (`=u2`, `<u1`, `|u1`); `nil` for big-endian or
    /// anything else.
    public init?(descr: String) {
        guard descr.count == 3, let order = descr.first, let kind = descr.dropFirst().first,
              let width = Int(String(descr.last!)) else { return nil }
        let littleOrNative = order == "<" || order == "=" || order == "|"
        guard littleOrNative || (order == ">" && width == 1) else { return nil }
        let match = NumpyDType.allCases.first { $0.rawValue.dropFirst() == "\(kind)\(width)" }
        guard let match else { return nil }
        self = match
    }

    /// The dtype for a Swift integer type.
    public static func of<T: FixedWidthInteger>(_: T.Type) -> NumpyDType {
        switch (T.isSigned, MemoryLayout<T>.size) {
        case (true, 1): .int8
        case (false, 1): .uint8
        case (true, 2): .int16
        case (false, 2): .uint16
        case (true, 4): .int32
        case (false, 4): .uint32
        case (true, 8): .int64
        default: .uint64
        }
    }

    /// Megatron `.idx` dtype code (`paddlenlp/data/indexed_dataset.py`: 1 u8, 2 i8, 3 i16, 4 i32, 5 i64, 6 f64,
    /// 7 f32, 8 u16, 9 u32, 10 u64).
    public var megatronCode: UInt8 {
        switch self {
        case .uint8: 1
        case .int8: 2
        case .int16: 3
        case .int32: 4
        case .int64: 5
        case .float64: 6
        case .float32: 7
        case .uint16: 8
        case .uint32: 9
        case .uint64: 10
        }
    }

    public init?(megatronCode: UInt8) {
        guard let match = NumpyDType.allCases.first(where: { $0.megatronCode == megatronCode }) else { return nil }
        self = match
    }

    /// Whether the type holds integers (token ids must).
    public var isInteger: Bool { self != .float32 && self != .float64 }
}
