import ErnieBasics
import Foundation

/// The weights of a Hugging Face model directory: one `model.safetensors`, or the shards listed by
/// `model.safetensors.index.json` (`{"metadata": {"total_size": …}, "weight_map": {tensor: shard file}}`).
///
/// As in transformers, the index's `weight_map` defines the checkpoint's tensors; other tensors a shard may hold
/// are not visible.
public final class SafetensorsCheckpoint: Sendable {
    public static let singleFileName = "model.safetensors"
    public static let indexFileName = "model.safetensors.index.json"

    /// The opened files (one, or every shard named by the index, in name order).
    public let files: [SafetensorsFile]
    /// Where the checkpoint came from (directory, file or index path), for messages.
    public let source: String
    private let fileIndexByTensor: [String: Int]

    /// Opens `model.safetensors` in `directory`, else the sharded checkpoint its index describes.
    /// - Throws: `SafetensorsError.missingCheckpoint` when there is neither; file and index errors otherwise.
    public convenience init(directory: URL) throws {
        let single = directory.appendingPathComponent(Self.singleFileName)
        let index = directory.appendingPathComponent(Self.indexFileName)
        if FileManager.default.fileExists(atPath: single.path) {
            try self.init(file: single)
        } else if FileManager.default.fileExists(atPath: index.path) {
            try self.init(indexFile: index)
        } else {
            throw SafetensorsError.missingCheckpoint(directory: directory.path)
        }
    }

    /// One safetensors file.
    public init(file: URL) throws {
        let opened = try SafetensorsFile(contentsOf: file)
        files = [opened]
        source = file.path
        fileIndexByTensor = Dictionary(uniqueKeysWithValues: opened.tensors.map { ($0.name, 0) })
    }

    /// A sharded checkpoint: opens every shard the index names (relative to the index's directory) and checks that
    /// each listed tensor is in its shard.
    public init(indexFile: URL) throws {
        let path = indexFile.path
        let index = try ShardIndex(contentsOf: indexFile)
        let shardNames = index.shards, shardByTensor = index.shardByTensor
        let opened = try shardNames.map { try SafetensorsFile(contentsOf: indexFile.deletingLastPathComponent().appendingPathComponent($0)) }
        var fileIndexByTensor = [String: Int]()
        for (tensor, shard) in shardByTensor {
            let fileIndex = shardNames.firstIndex(of: shard)!
            guard opened[fileIndex].info(named: tensor) != nil else {
                throw SafetensorsError.invalidIndex(path: path, message: "weight_map puts \"\(tensor)\" in \(shard), which has no such tensor")
            }
            fileIndexByTensor[tensor] = fileIndex
        }
        files = opened
        source = path
        self.fileIndexByTensor = fileIndexByTensor
    }

    /// All tensor names, sorted.
    public var tensorNames: [String] { fileIndexByTensor.keys.sorted() }

    /// name → shape of every tensor.
    public var shapes: [String: [Int]] {
        fileIndexByTensor.reduce(into: [:]) { result, item in result[item.key] = files[item.value].info(named: item.key)!.shape }
    }

    /// The file holding `name`, or nil.
    public func file(containing name: String) -> SafetensorsFile? {
        fileIndexByTensor[name].map { files[$0] }
    }

    /// The header entry of `name`, or nil.
    public func info(named name: String) -> SafetensorsTensorInfo? {
        file(containing: name)?.info(named: name)
    }

    /// The elements of `name` as `Float` (see `SafetensorsFile.floats(named:)`).
    public func floats(named name: String) throws -> [Float] {
        guard let file = file(containing: name) else { throw SafetensorsError.tensorNotFound(path: source, tensor: name) }
        return try file.floats(named: name)
    }

    /// Converts `name` into `destination`.
    public func readFloats(named name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let file = file(containing: name) else { throw SafetensorsError.tensorNotFound(path: source, tensor: name) }
        try file.readFloats(named: name, into: destination)
    }
}
