/// Element types of the safetensors format (names as in the header's `"dtype"`).
///
/// Declared in the order of the reference implementation's `Dtype` enum: files it writes list larger-ranked dtypes
/// first, then names in order, and `SafetensorsWriter` reproduces that layout byte for byte.
public enum SafetensorsDType: String, Sendable, CaseIterable, Comparable {
    case bool = "BOOL"
    case uint8 = "U8"
    case int8 = "I8"
    case float8E5M2 = "F8_E5M2"
    case float8E4M3 = "F8_E4M3"
    case int16 = "I16"
    case uint16 = "U16"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int32 = "I32"
    case uint32 = "U32"
    case float32 = "F32"
    case float64 = "F64"
    case int64 = "I64"
    case uint64 = "U64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3: 1
        case .int16, .uint16, .float16, .bfloat16: 2
        case .int32, .uint32, .float32: 4
        case .float64, .int64, .uint64: 8
        }
    }

    /// True for the dtypes `floats(named:)` converts to `Float`.
    public var isConvertibleToFloat: Bool { [.float32, .float16, .bfloat16, .float64].contains(self) }

    /// True for the dtypes `integers(named:)` converts to `Int64`.
    public var isConvertibleToInteger: Bool { [.int64, .int32, .int16, .int8, .uint8, .uint16, .uint32, .bool].contains(self) }

    private var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: SafetensorsDType, rhs: SafetensorsDType) -> Bool { lhs.rank < rhs.rank }
}
