/// A safetensors file or sharded checkpoint ernie cannot read or write. Messages name the file and, where there is
/// one, the tensor.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case tooSmall(path: String, size: Int)
    case headerTooLarge(path: String, length: UInt64)
    case headerTruncated(path: String, length: UInt64, fileSize: Int)
    case invalidHeader(path: String, message: String)
    case invalidEntry(path: String, tensor: String, message: String)
    case unknownDType(path: String, tensor: String, dtype: String)
    case sizeMismatch(path: String, tensor: String, shape: [Int], dtype: String, expectedBytes: Int, actualBytes: Int)
    case layout(path: String, tensor: String, message: String)
    case trailingBytes(path: String, dataEnd: Int, bufferSize: Int)
    case tensorNotFound(path: String, tensor: String)
    case unsupportedConversion(path: String, tensor: String, dtype: String, target: String)
    case destinationSize(path: String, tensor: String, elements: Int, capacity: Int)
    case invalidTensor(tensor: String, message: String)
    case unwritable(path: String, reason: String)
    case invalidIndex(path: String, message: String)
    case missingCheckpoint(directory: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .tooSmall(let path, let size):
            "\(path): \(size) bytes is too small for a safetensors file (8-byte header length, then a JSON header)"
        case .headerTooLarge(let path, let length):
            "\(path): header length \(length) exceeds the 100 MB limit; not a safetensors file?"
        case .headerTruncated(let path, let length, let fileSize):
            "\(path): header of \(length) bytes does not fit in the \(fileSize)-byte file (truncated?)"
        case .invalidHeader(let path, let message): "\(path): invalid safetensors header: \(message)"
        case .invalidEntry(let path, let tensor, let message): "\(path): tensor \"\(tensor)\": \(message)"
        case .unknownDType(let path, let tensor, let dtype):
            "\(path): tensor \"\(tensor)\" has unknown dtype \"\(dtype)\""
        case .sizeMismatch(let path, let tensor, let shape, let dtype, let expected, let actual):
            "\(path): tensor \"\(tensor)\" \(dtype) \(shape) needs \(expected) bytes but its data_offsets span \(actual)"
        case .layout(let path, let tensor, let message): "\(path): tensor \"\(tensor)\": \(message)"
        case .trailingBytes(let path, let dataEnd, let bufferSize):
            "\(path): the tensors end at byte \(dataEnd) of the data buffer but the file holds \(bufferSize) data bytes"
        case .tensorNotFound(let path, let tensor): "\(path) has no tensor \"\(tensor)\""
        case .unsupportedConversion(let path, let tensor, let dtype, let target):
            "\(path): tensor \"\(tensor)\" is \(dtype); ernie reads it only as \(target) from other dtypes"
        case .destinationSize(let path, let tensor, let elements, let capacity):
            "\(path): tensor \"\(tensor)\" has \(elements) elements but the destination holds \(capacity)"
        case .invalidTensor(let tensor, let message): "cannot write tensor \"\(tensor)\": \(message)"
        case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
        case .invalidIndex(let path, let message): "\(path): \(message)"
        case .missingCheckpoint(let directory):
            "\(directory) holds neither model.safetensors nor model.safetensors.index.json, pytorch_model.bin, model_state.pdparams or an exported model.onnx"
        }
    }
}
