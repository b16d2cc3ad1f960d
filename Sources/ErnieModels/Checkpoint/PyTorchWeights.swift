import ErnieBasics
import ErnieData
import Foundation

/// `pytorch_model.bin` as `torch.save(model.state_dict())` writes it since torch 1.6: a zip of `<archive>/data.pkl`
/// (the state dict, pickled) and one `<archive>/data/<key>` member per storage; or in the legacy format of older
/// torch (and `_use_new_zipfile_serialization=False`): pickles one after another — magic number, protocol version,
/// system info, the state dict, its storage keys — then each storage as an 8-byte element count and its bytes. The
/// pickles are read by
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
        var storages: [String: Storage] = [:]
        let root: PickleValue
        do {
            file = try MappedFile(path: url.path)
            if file.byteCount >= 4, file.load(UInt32.self, at: 0) == 0x0403_4B50 {
                root = try Self.readZip(file, path: url.path, storages: &storages)
            } else if let legacy = try Self.readLegacy(file, path: url.path, storages: &storages) {
                root = legacy
            } else {
                throw PickleError(description: "\(url.path) is neither a torch.save zip archive nor torch's legacy format")
            }
        } catch let error as DataError {
            throw SafetensorsError.unreadable(path: url.path, reason: error.description)
        }
        self.file = file
        guard let items = root.items else {
            throw SafetensorsError.invalidHeader(path: url.path, message: "the pickle holds no state dict (a dict of name → tensor)")
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

    /// Where a storage's bytes are in the file.
    private struct Storage {
        var offset: Int
        var size: Int
    }

    /// The state dict pickle of a zip archive, and its `data/<key>` members as storages.
    private static func readZip(_ file: MappedFile, path: String, storages: inout [String: Storage]) throws -> PickleValue {
        let members = try ZipDirectory.read(file: file, path: path, kind: "a torch.save archive")
        let pickles = members.filter { $0.name.hasSuffix("/data.pkl") }
        guard pickles.count == 1, let pickle = pickles.first else {
            throw SafetensorsError.invalidHeader(path: path, message: "a torch.save archive holds one <archive>/data.pkl, this one \(pickles.count)")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        if let order = members.first(where: { $0.name == prefix + "byteorder" }),
           String(decoding: file.bytes(offset: order.dataOffset, count: order.size), as: UTF8.self) != "little" {
            throw SafetensorsError.invalidHeader(path: path, message: "big-endian tensors are not read")
        }
        for member in members where member.name.hasPrefix(prefix + "data/") {
            storages[String(member.name.dropFirst(prefix.count + 5))] = Storage(offset: member.dataOffset, size: member.size)
        }
        return try PickleMachine.load(file.bytes(offset: pickle.dataOffset, count: pickle.size), allowed: allowed,
                                      source: "\(path):\(pickle.name)")
    }

    /// torch's magic number 0x1950a86a20f9469cfc6c as the legacy format's first pickle holds it (`LONG1` of 10 bytes).
    static let legacyMagic: [UInt8] = [0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]

    /// The state dict pickle of the legacy format and its storages, or nil when the file does not start with its
    /// magic number. Each storage's element count is checked against the bytes left and its type's size.
    private static func readLegacy(_ file: MappedFile, path: String, storages: inout [String: Storage]) throws -> PickleValue? {
        let all = file.bytes(offset: 0, count: file.byteCount)
        var offset = all.count >= 2 && all[0] == 0x80 ? 2 : 0  // PROTO n
        guard all.count >= offset + legacyMagic.count, Array(all[offset..<(offset + legacyMagic.count)]) == legacyMagic else {
            return nil
        }
        offset += legacyMagic.count
        func next(_ what: String, allowed: Set<PickleGlobal> = []) throws -> PickleValue {
            let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
            let (value, length) = try PickleMachine.loadPrefix(rest, allowed: allowed, source: "\(path) (\(what) at byte \(offset))")
            offset += length
            return value
        }
        guard let version = try next("protocol version").int, version == 1001 else {
            throw SafetensorsError.invalidHeader(path: path, message: "legacy torch format: protocol version is not 1001")
        }
        let systemInfo = try next("system info")
        if let little = systemInfo.items?.first(where: { $0.key.string == "little_endian" })?.value,
           case .bool(false) = little {
            throw SafetensorsError.invalidHeader(path: path, message: "big-endian tensors are not read")
        }
        let root = try next("state dict", allowed: allowed)
        guard let keys = try next("storage keys").tuple?.map(\.string), keys.allSatisfy({ $0 != nil }) else {
            throw SafetensorsError.invalidHeader(path: path, message: "legacy torch format: the storage keys are not a list of strings")
        }
        // Element sizes come from the storage types the state dict names.
        var types: [String: SafetensorsDType] = [:]
        for (_, value) in root.items ?? [] {
            var call: PickleCall? = nil
            if case .call(let outer) = value {
                call = outer
                if outer.callable.name == "_rebuild_parameter", case .call(let inner) = outer.arguments.first ?? .none { call = inner }
            }
            if let call, case .persistent(let id) = call.arguments.first ?? .none, let reference = id.tuple,
               reference.count >= 5, case .global(let type) = reference[1], let key = reference[2].string,
               let dtype = storageTypes[type.name] {
                types[key] = dtype
            }
        }
        for key in keys.map({ $0! }) {
            guard let dtype = types[key] else {
                throw SafetensorsError.invalidHeader(path: path, message: "legacy torch format: storage \(key) is not used by any tensor")
            }
            guard offset + 8 <= all.count else {
                throw SafetensorsError.invalidHeader(path: path, message: "legacy torch format: truncated at byte \(offset) (storage \(key))")
            }
            let count = Int(exactly: Int64(littleEndian: all.loadUnaligned(fromByteOffset: offset, as: Int64.self))) ?? -1
            guard count >= 0, let size = CheckedSize.product(count, dtype.byteSize), size <= all.count - offset - 8 else {
                throw SafetensorsError.invalidHeader(path: path, message: "legacy torch format: storage \(key) at byte \(offset) claims \(count) elements, past the end of the file")
            }
            storages[key] = Storage(offset: offset + 8, size: size)
            offset += 8 + size
        }
        return root
    }

    /// A tensor of the state dict: `_rebuild_tensor_v2(storage, offset, size, stride, …)`, possibly inside
    /// `_rebuild_parameter(tensor, …)`, its storage a persistent id `('storage', torch.<Type>Storage, key, location, numel)`
    /// (the legacy format adds a sixth member, the view metadata: None).
    private static func view(_ value: PickleValue, storages: [String: Storage], path: String, name: String) throws -> View {
        func bad(_ reason: String) -> SafetensorsError { .invalidEntry(path: path, tensor: name, message: reason) }
        guard case .call(var call) = value else { throw bad("not a tensor") }
        if call.callable.name == "_rebuild_parameter" {
            guard case .call(let inner) = call.arguments.first ?? .none else { throw bad("a parameter without its tensor") }
            call = inner
        }
        guard call.callable.name == "_rebuild_tensor_v2", call.arguments.count >= 4,
              case .persistent(let id) = call.arguments[0], let reference = id.tuple, reference.count == 5 || reference.count == 6,
              reference[0].string == "storage", case .global(let type) = reference[1], let key = reference[2].string,
              let numel = reference[4].int, let offset = call.arguments[1].int,
              let size = call.arguments[2].tuple?.map(\.int), let stride = call.arguments[3].tuple?.map(\.int),
              size.allSatisfy({ $0 != nil }), stride.allSatisfy({ $0 != nil }), size.count == stride.count else {
            throw bad("not a tensor as torch.save writes one (_rebuild_tensor_v2 of a storage)")
        }
        guard let dtype = storageTypes[type.name] else { throw bad("storage type \(type) is not read") }
        guard let member = storages[key] else { throw bad("its storage \(key) is not in the file") }
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
        return View(start: member.offset, elements: StridedElements(dtype: dtype, offset: offset, shape: shape, strides: strides))
    }

    public func readFloats(named name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let view = tensors[name] else { throw SafetensorsError.tensorNotFound(path: source, tensor: name) }
        try view.elements.readFloats(from: file.bytes(offset: 0, count: file.byteCount), at: view.start, source: source, name: name,
                                     into: destination)
    }
}
