import ErnieEngine
import Foundation

/// Which rank of a sharding group owns each parameter's optimizer state (ZeRO stage 1): whole tensors, largest
/// first, each to the least-loaded shard (ties to the lowest index), so shards hold nearly equal numbers of scalars.
/// A function of the parameter list and the degree only: every rank computes the same layout.
public struct ShardLayout: Sendable, Equatable {
    public let degree: Int
    /// Shard index by parameter name.
    public let owners: [String: Int]
    /// Scalars per shard.
    public let loads: [Int]

    public init(parameters: [(name: String, count: Int)], degree: Int) {
        precondition(degree >= 1)
        self.degree = degree
        var loads = [Int](repeating: 0, count: degree)
        var owners: [String: Int] = [:]
        let bySize = parameters.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }
        for (_, parameter) in bySize {
            let shard = loads.indices.min { (loads[$0], $0) < (loads[$1], $1) }!
            owners[parameter.name] = shard
            loads[shard] += parameter.count
        }
        self.owners = owners
        self.loads = loads
    }
}

/// Named float tensors as bytes, to move optimizer state between ranks:
/// per tensor, the UTF-8 name's length and bytes, the rank, the dimensions, then the floats (all little-endian).
enum StateTensorCoding {
    static func encode(_ tensors: [String: Tensor]) -> [UInt8] {
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        append(UInt64(tensors.count))
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!.contiguous()
            let utf8 = Array(name.utf8)
            append(UInt64(utf8.count))
            bytes += utf8
            append(UInt64(tensor.shape.count))
            for dimension in tensor.shape { append(UInt64(dimension)) }
            if tensor.count > 0 { bytes += UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * MemoryLayout<Float>.stride) }
        }
        return bytes
    }

    struct Truncated: Error {}

    static func decode(_ bytes: [UInt8]) throws -> [String: Tensor] {
        guard !bytes.isEmpty else { return [:] }
        var at = 0
        func read(_ count: Int) throws -> ArraySlice<UInt8> {
            guard at + count <= bytes.count else { throw Truncated() }
            defer { at += count }
            return bytes[at..<(at + count)]
        }
        func integer() throws -> Int {
            Int(UInt64(littleEndian: try read(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
        }
        var tensors: [String: Tensor] = [:]
        for _ in 0..<(try integer()) {
            let name = String(decoding: try read(try integer()), as: UTF8.self)
            let shape = try (0..<(try integer())).map { _ in try integer() }
            let tensor = Tensor(uninitializedShape: shape)
            let floats = try read(tensor.count * MemoryLayout<Float>.stride)
            if tensor.count > 0 {
                floats.withUnsafeBytes { UnsafeMutableRawPointer(tensor.data).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
            tensors[name] = tensor
        }
        return tensors
    }
}
