import ErnieBasics
import ErnieData
import Foundation

/// `pytorch_model.bin` as `torch.save(model.state_dict())` writes it since torch 1.6: a zip of `<archive>/data.pkl`
/// (the state dict, pickled) and one `<archive>/data/<key>` member per storage. The pickle is read by
/// `PickleMachine` with only the globals a state dict uses (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`,
/// `torch._utils._rebuild_parameter`, the storage classes), so a file with any other global — `os.system`,
/// `builtins.eval` — is refused by name before anything happens. Tensors are views of storages (offset, shape,
/// strides), checked against their storage's size; F32, F16, BF16 and F64 read as Float.
public final class PyTorchWeights: CheckpointWeights, @unchecked Sendable {
    public static let fileName = "pytorch_model.bin"
    public static let indexFileName = "pytorch_model.bin.index.json"

    public let source: String
    public let shapes: [String: [Int]]
    private let file: MappedFile
    private let tensors: [String: View]

    /// A tensor: a view of the storage at byte `start` of the file.
    private struct View {
        var start: Int
        var elements: StridedElements
    }

    static let storageTypes: [String: SafetensorsDType] = [
        "FloatStorage": .float32, "HalfStorage": .float16, "BFloat16Storage": .bfloat16, "DoubleStorage": .float64,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8, "ByteStorage": .uint8,
        "BoolStorage": .bool,
    ]

    static let allowed: Set<PickleGlobal> = Set(
        [PickleGlobal("collections", "OrderedDict"), PickleGlobal("torch._utils", "_rebuild_tensor_v2"),
         PickleGlobal("torch._utils", "_rebuild_parameter")] + storageTypes.keys.map { PickleGlobal("torch", $0) })

    public init(file url: URL) throws {
        source = url.path
        let file: MappedFile
        let members: [ZipDirectory.Entry]
        do {
            file = try MappedFile(path: url.path)
            guard file.byteCount >= 4, file.load(UInt32.self, at: 0) == 0x0403_4B50 else {
                throw PickleError(description: "\(url.path) is not a zip archive: the legacy format of torch < 1.6 is not read; re-save it with torch.save (torch ≥ 1.6) or as safetensors")
            }
            members = try ZipDirectory.read(file: file, path: url.path, kind: "a torch.save archive")
        } catch let error as DataError {
            throw SafetensorsError.unreadable(path: url.path, reason: error.description)
        }
        self.file = file
        let pickles = members.filter { $0.name.hasSuffix("/data.pkl") }
        guard pickles.count == 1, let pickle = pickles.first else {
            throw SafetensorsError.invalidHeader(path: url.path, message: "a torch.save archive holds one <archive>/data.pkl, this one \(pickles.count)")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if let order = members.first(where: { $0.name == prefix + "byteorder" }),
           String(decoding: file.bytes(offset: order.dataOffset, count: order.size), as: UTF8.self) != "little" {
            throw SafetensorsError.invalidHeader(path: url.path, message: "big-endian tensors are not read")
        }
        var storages: [String: ZipDirectory.Entry] = [:]
        for member in members where member.name.hasPrefix(prefix + "data/") {
            storages[String(member.name.dropFirst(prefix.count + 5))] = member
        }
        let root = try PickleMachine.load(file.bytes(offset: pickle.dataOffset, count: pickle.size), allowed: Self.allowed,
                                          source: "\(url.path):\(pickle.name)")
        guard let items = root.items else {
            throw SafetensorsError.invalidHeader(path: url.path, message: "data.pkl holds no state dict (a dict of name → tensor)")
        }
        var tensors: [String: View] = [:], shapes: [String: [Int]] = [:]
        for (key, value) in items {
            guard let name = key.string else { continue }
            let view = try Self.view(value, storages: storages, path: url.path, name: name)
            tensors[name] = view
            shapes[name] = view.elements.shape
        }
        self.tensors = tensors
        self.shapes = shapes
    }

    /// A tensor of the state dict: `_rebuild_tensor_v2(storage, offset, size, stride, …)`, possibly inside
    /// `_rebuild_parameter(tensor, …)`, its storage a persistent id `('storage', torch.<Type>Storage, key, location, numel)`.
    private static func view(_ value: PickleValue, storages: [String: ZipDirectory.Entry], path: String, name: String) throws -> View {
        func bad(_ reason: String) -> SafetensorsError { .invalidEntry(path: path, tensor: name, message: reason) }
        guard case .call(var call) = value else { throw bad("not a tensor") }
        if call.callable.name == "_rebuild_parameter" {
            guard case .call(let inner) = call.arguments.first ?? .none else { throw bad("a parameter without its tensor") }
            call = inner
        }
        guard call.callable.name == "_rebuild_tensor_v2", call.arguments.count >= 4,
              case .persistent(let id) = call.arguments[0], let reference = id.tuple, reference.count == 5,
              reference[0].string == "storage", case .global(let type) = reference[1], let key = reference[2].string,
              let numel = reference[4].int, let offset = call.arguments[1].int,
              let size = call.arguments[2].tuple?.map(\.int), let stride = call.arguments[3].tuple?.map(\.int),
              size.allSatisfy({ $0 != nil }), stride.allSatisfy({ $0 != nil }), size.count == stride.count else {
            throw bad("not a tensor as torch.save writes one (_rebuild_tensor_v2 of a storage)")
        }
        guard let dtype = storageTypes[type.name] else { throw bad("storage type \(type) is not read") }
        guard let member = storages[key] else { throw bad("its storage data/\(key) is not in the archive") }
        let shape = size.map { $0! }, strides = stride.map { $0! }
        guard numel >= 0, offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw bad("negative size, stride or offset")
        }
        guard let bytes = CheckedSize.product(numel, dtype.byteSize), bytes <= member.size else {
            throw bad("its storage holds \(member.size) bytes, not \(numel) × \(dtype.rawValue)")
        }
        // The last element the view reaches must be inside the storage.
        if !shape.contains(0) {
            var last = offset
            for (extent, step) in zip(shape, strides) {
                guard let reach = CheckedSize.product(extent - 1, step), let sum = CheckedSize.sum(last, reach) else {
                    throw bad("size \(shape) with strides \(strides) overflows")
                }
                last = sum
            }
            guard last < numel else { throw bad("size \(shape), strides \(strides) and offset \(offset) reach past its \(numel)-element storage") }
        }
        return View(start: member.dataOffset, elements: StridedElements(dtype: dtype, offset: offset, shape: shape, strides: strides))
    }

    public func readFloats(named name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let view = tensors[name] else { throw SafetensorsError.tensorNotFound(path: source, tensor: name) }
        try view.elements.readFloats(from: file.bytes(offset: 0, count: file.byteCount), at: view.start, source: source, name: name,
                                     into: destination)
    }
}
