import ErnieBasics
import ErnieModels
import Foundation
import Testing
@testable import ErnieExport

/// Reading ONNX back: the protobuf reader against the writer, and damaged or hostile model files.
@Suite struct OnnxWeightsTests {
    @Test func readerDecodesWhatTheWriterWrites() throws {
        var inner = ProtobufWriter()
        inner.appendString(field: 1, "name")
        var writer = ProtobufWriter()
        writer.appendInt64(field: 1, -5)
        writer.appendFloat(field: 2, 1.5)
        writer.appendDouble(field: 3, -2.25)
        writer.appendLengthDelimited(field: 4, inner.bytes)
        writer.appendInt64(field: 536_870_911, 1 << 40)   // the largest field number
        try writer.bytes.withUnsafeBytes { bytes in
            var reader = ProtobufReader(bytes)
            var fields: [Int] = []
            while let (field, value) = try reader.next() {
                fields.append(field)
                switch (field, value) {
                case (1, .varint(let v)): #expect(Int64(bitPattern: v) == -5)
                case (2, .fixed32(let v)): #expect(Float(bitPattern: v) == 1.5)
                case (3, .fixed64(let v)): #expect(Double(bitPattern: v) == -2.25)
                case (4, .bytes(let range)):
                    var message = reader.message(range)
                    let (f, v) = try #require(try message.next())
                    guard case .bytes(let text) = v else { Issue.record("not bytes"); return }
                    #expect(f == 1 && message.string(text) == "name")
                case (536_870_911, .varint(let v)): #expect(v == 1 << 40)
                default: Issue.record("unexpected field \(field)")
                }
            }
            #expect(fields == [1, 2, 3, 4, 536_870_911])
        }
    }

    @Test(arguments: [[0x0A, 0x05, 0x01], [0x08, 0x80], [0x15, 0x01, 0x02], [0x0B], [0x00, 0x01],
                      [0x08] + [UInt8](repeating: 0xFF, count: 11)] as [[UInt8]])
    func readerRefusesDamagedMessages(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var reader = ProtobufReader(buffer)
            #expect(throws: ProtobufReader.DecodingError.self) { while try reader.next() != nil {} }
        }
    }

    /// Every truncation of an exported model is an error naming the file, never a crash or a partial read.
    @Test func truncatedModelsAreRefused() throws {
        let directory = try OnnxExportTests.folder(.sequenceClassification)
        let (bytes, _, _) = try BertOnnxExport.export(directory: directory, task: nil, opset: 18)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-truncated-\(UUID().uuidString).onnx")
        for length in stride(from: 1, to: bytes.count, by: max(1, bytes.count / 97)) {
            try Data(bytes[..<length]).write(to: file)
            do {
                let weights = try OnnxWeights(file: file)
                // A cut between initializers leaves a valid, shorter model: whatever it lists must read.
                for name in weights.shapes.keys { _ = try weights.floats(named: name) }
            } catch let error as SafetensorsError {
                #expect(String(describing: error).contains(file.path))
            }
        }
    }

    @Test func externalDataOutsideTheFolderIsRefused() throws {
        var tensor = ProtobufWriter()
        tensor.appendInt64(field: 1, 4)
        tensor.appendInt64(field: 2, 1)
        tensor.appendString(field: 8, "bert.embeddings.LayerNorm.weight")
        for (key, value) in [("location", "../../etc/passwd"), ("offset", "0"), ("length", "16")] {
            var entry = ProtobufWriter()
            entry.appendString(field: 1, key)
            entry.appendString(field: 2, value)
            tensor.appendLengthDelimited(field: 13, entry.bytes)
        }
        tensor.appendInt64(field: 14, 1)
        var graph = ProtobufWriter()
        graph.appendLengthDelimited(field: 5, tensor.bytes)
        var model = ProtobufWriter()
        model.appendLengthDelimited(field: 7, graph.bytes)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-external-\(UUID().uuidString).onnx")
        try Data(model.bytes).write(to: file)
        #expect { try OnnxWeights(file: file) } throws: { String(describing: $0).contains("outside the model's folder") }
    }
}
