import ErnieBasics
import Foundation

/// The index of a sharded checkpoint (`model.safetensors.index.json`, `pytorch_model.bin.index.json`):
/// `{"metadata": {…}, "weight_map": {tensor: shard file}}`. As in transformers, the weight map defines the
/// checkpoint's tensors; shards are files beside the index, and each must exist.
struct ShardIndex {
    /// The shard files, sorted.
    let shards: [String]
    let shardByTensor: [String: String]

    init(contentsOf indexFile: URL) throws {
        let path = indexFile.path
        let data: Data
        do { data = try Data(contentsOf: indexFile) } catch {
            throw SafetensorsError.unreadable(path: path, reason: error.localizedDescription)
        }
        let json: JSONValue
        do { json = try JSONParser.parse(data) } catch {
            throw SafetensorsError.invalidIndex(path: path, message: "invalid JSON: \(error.description)")
        }
        guard let weightMap = json.objectValue?["weight_map"]?.objectValue else {
            throw SafetensorsError.invalidIndex(path: path, message: "needs a \"weight_map\" object of tensor name → shard file")
        }
        var shards = [String]()
        var shardByTensor = [String: String]()
        for (tensor, value) in weightMap {
            guard let shard = value.stringValue else {
                throw SafetensorsError.invalidIndex(path: path, message: "weight_map \"\(tensor)\" must name a shard file")
            }
            // Shards are siblings of the index; a path component could read files elsewhere.
            guard !shard.isEmpty, !shard.contains("/"), !shard.contains("\\"), shard != ".", shard != ".." else {
                throw SafetensorsError.invalidIndex(path: path, message: "shard name \"\(shard)\" of \"\(tensor)\" must be a file name in the index's directory")
            }
            if !shards.contains(shard) { shards.append(shard) }
            shardByTensor[tensor] = shard
        }
        shards.sort()
        for shard in shards where !FileManager.default.fileExists(atPath: indexFile.deletingLastPathComponent().appendingPathComponent(shard).path) {
            let example = shardByTensor.first { $0.value == shard }!.key
            throw SafetensorsError.invalidIndex(path: path, message: "shard \(shard) (holding \"\(example)\") does not exist")
        }
        self.shards = shards
        self.shardByTensor = shardByTensor
    }
}

/// A sharded checkpoint in a format without its own index reader (`pytorch_model.bin.index.json`): each tensor read
/// from the shard the index names, which must hold it.
final class ShardedWeights: CheckpointWeights, @unchecked Sendable {
    let source: String
    let shapes: [String: [Int]]
    private let shardByTensor: [String: any CheckpointWeights]

    init(indexFile: URL, open: (URL) throws -> any CheckpointWeights) throws {
        let index = try ShardIndex(contentsOf: indexFile)
        var opened: [String: any CheckpointWeights] = [:]
        for shard in index.shards { opened[shard] = try open(indexFile.deletingLastPathComponent().appendingPathComponent(shard)) }
        var shapes: [String: [Int]] = [:], shardByTensor: [String: any CheckpointWeights] = [:]
        for (tensor, shard) in index.shardByTensor {
            guard let shape = opened[shard]!.shapes[tensor] else {
                throw SafetensorsError.invalidIndex(path: indexFile.path, message: "weight_map puts \"\(tensor)\" in \(shard), which has no such tensor")
            }
            shapes[tensor] = shape
            shardByTensor[tensor] = opened[shard]!
        }
        source = indexFile.path
        self.shapes = shapes
        self.shardByTensor = shardByTensor
    }

    func readFloats(named name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let shard = shardByTensor[name] else { throw SafetensorsError.tensorNotFound(path: source, tensor: name) }
        try shard.readFloats(named: name, into: destination)
    }
}
