import ErnieEngine
import ErnieModels
import Foundation

/// Float32 tensors by name in one safetensors file: the optimizer state of a checkpoint (`optimizer.safetensors`).
enum NamedTensorsFile {
    static func write(_ tensors: [String: Tensor], to url: URL) throws {
        let entries = tensors.keys.sorted().map { name -> SafetensorsTensor in
            let tensor = tensors[name]!
            return SafetensorsTensor(name: name, shape: tensor.shape,
                                     elements: .borrowed(.float32, UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * 4)))
        }
        try SafetensorsWriter.write(entries, to: url, durable: true)
    }

    static func read(_ url: URL) throws -> [String: Tensor] {
        let file = try SafetensorsFile(contentsOf: url)
        var tensors: [String: Tensor] = [:]
        for info in file.tensors {
            let tensor = Tensor(shape: info.shape)
            try file.readFloats(named: info.name, into: UnsafeMutableBufferPointer(start: tensor.data, count: tensor.count))
            tensors[info.name] = tensor
        }
        return tensors
    }
}
