import Foundation
import Testing

@testable import ErnieModels

@Suite struct SafetensorsTests {
    static let sample: [SafetensorsTensor] = [
        SafetensorsTensor(name: "b.weight", shape: [2, 3], floats: [1, -2, 3.5, 0, .infinity, -0.25]),
        SafetensorsTensor(name: "a.bias", shape: [3], floats: [0.5, 1e-30, -7]),
        SafetensorsTensor(name: "ids", shape: [1, 4], elements: .int64([0, 1, -5, Int64.max])),
        SafetensorsTensor(name: "scalar", shape: [], floats: [42]),
        SafetensorsTensor(name: "empty", shape: [0, 5], floats: []),
    ]

    @Test func roundTripThroughAFile() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try SafetensorsWriter.write(Self.sample, to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.metadata == ["format": "pt"])
        // I64 ranks above F32, then names in order.
        #expect(file.names == ["ids", "a.bias", "b.weight", "empty", "scalar"])
        #expect(try file.floats(named: "b.weight") == [1, -2, 3.5, 0, .infinity, -0.25])
        #expect(file.info(named: "b.weight")?.shape == [2, 3])
        #expect(try file.floats(named: "a.bias") == [0.5, 1e-30, -7])
        #expect(try file.integers(named: "ids") == [0, 1, -5, Int64.max])
        #expect(try file.floats(named: "scalar") == [42])
        #expect(try file.floats(named: "empty") == [])
        #expect(file.info(named: "empty")?.shape == [0, 5])
        // The header is padded with spaces to a multiple of 8.
        let data = try Data(contentsOf: url)
        let headerLength = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
        #expect(data[8 + Int(headerLength) - 1] == UInt8(ascii: " ") || headerLength % 8 == 0)
        // Overwriting replaces the file atomically.
        try SafetensorsWriter.write([SafetensorsTensor(name: "x", shape: [1], floats: [1])], to: url)
        #expect(try SafetensorsFile(contentsOf: url).names == ["x"])
    }

    /// Reading then re-serializing a file written by `safetensors.torch.save_file` reproduces it byte for byte.
    @Test(arguments: ["tiny_bert_pretraining.safetensors", "tiny_ernie_token_classification.safetensors", "tiny_bert/model.safetensors", "minilm_outputs.safetensors"])
    func writerIsByteIdenticalToTheReference(name: String) throws {
        let url = TestSupport.fixture(name)
        let file = try SafetensorsFile(contentsOf: url)
        let tensors = try file.tensors.map { info -> SafetensorsTensor in
            switch info.dtype {
            case .float32: SafetensorsTensor(name: info.name, shape: info.shape, floats: try file.floats(named: info.name))
            case .int64: SafetensorsTensor(name: info.name, shape: info.shape, elements: .int64(try file.integers(named: info.name)))
            default: throw SafetensorsError.invalidTensor(tensor: info.name, message: "unexpected \(info.dtype)")
            }
        }
        #expect(try SafetensorsWriter.serialize(tensors) == Data(contentsOf: url))
    }

    @Test func halfPrecisionConversions() throws {
        // F16 bit patterns: 1, -2, 65504 (max), 2^-24 (smallest subnormal), -0, inf, 0.333…, 2^-14 (smallest normal).
        let halves: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x3555, 0x0400]
        let expectedHalf: [Float] = [1, -2, 65504, 0x1p-24, -0.0, .infinity, 0.333251953125, 0x1p-14]
        // BF16: upper halves of Float bit patterns.
        let bfloats: [UInt16] = [0x3F80, 0xC040, 0x3E80, 0x7F80]
        let expectedBFloat: [Float] = [1, -3, 0.25, .infinity]
        let doubles: [Double] = [0.1, -1e10]
        let data = try halves.withUnsafeBytes { halfBytes in
            try bfloats.withUnsafeBytes { bfloatBytes in
                try doubles.withUnsafeBytes { doubleBytes in
                    try SafetensorsWriter.serialize([
                        SafetensorsTensor(name: "h", shape: [8], elements: .borrowed(.float16, halfBytes)),
                        SafetensorsTensor(name: "b", shape: [4], elements: .borrowed(.bfloat16, bfloatBytes)),
                        SafetensorsTensor(name: "d", shape: [2], elements: .borrowed(.float64, doubleBytes)),
                        SafetensorsTensor(name: "i", shape: [2], elements: .int32([7, -8])),
                    ])
                }
            }
        }
        let file = try SafetensorsFile(data: data, name: "memory")
        let half = try file.floats(named: "h")
        #expect(half == expectedHalf)
        #expect(half[4].sign == .minus)
        #expect(try file.floats(named: "b") == expectedBFloat)
        #expect(try file.floats(named: "d") == [Float(0.1), -1e10])
        #expect(try file.integers(named: "i") == [7, -8])
        #expect(throws: SafetensorsError.self) { try file.floats(named: "i") }
        #expect(throws: SafetensorsError.self) { try file.integers(named: "h") }
        let nan = ElementConversion.float(fromHalf: 0x7E00)
        #expect(nan.isNaN)
        // Every F16 value converts exactly (checked against Float's own rounding of the exact value).
        for bits in UInt16(0)...UInt16(0x7BFF) {
            let converted = ElementConversion.float(fromHalf: bits)
            let exponent = Int(bits >> 10)
            let mantissa = Float(bits & 0x3FF)
            let exact = exponent == 0 ? mantissa * 0x1p-24 : (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
            #expect(converted == exact)
            if converted != exact { break }
        }
    }

    @Test func readIntoCallerBuffer() throws {
        let file = try SafetensorsFile(data: SafetensorsWriter.serialize(Self.sample), name: "memory")
        var buffer = [Float](repeating: 0, count: 8)
        try buffer.withUnsafeMutableBufferPointer { try file.readFloats(named: "b.weight", into: $0) }
        #expect(Array(buffer.prefix(6)) == [1, -2, 3.5, 0, .infinity, -0.25])
        var small = [Float](repeating: 0, count: 2)
        #expect { try small.withUnsafeMutableBufferPointer { try file.readFloats(named: "b.weight", into: $0) } } throws: { error in
            String(describing: error).contains("\"b.weight\" has 6 elements but the destination holds 2")
        }
        #expect { try file.floats(named: "nope") } throws: { error in
            String(describing: error) == "memory has no tensor \"nope\""
        }
    }

    @Test func writerRejectsBadTensors() {
        let mismatch = SafetensorsTensor(name: "w", shape: [2, 2], floats: [1, 2, 3])
        #expect { try SafetensorsWriter.serialize([mismatch]) } throws: { error in
            String(describing: error).contains("\"w\": shape [2, 2] of F32 needs 16 bytes, got 12")
        }
        let duplicate = [SafetensorsTensor(name: "w", shape: [1], floats: [1]), SafetensorsTensor(name: "w", shape: [1], floats: [2])]
        #expect(throws: SafetensorsError.self) { try SafetensorsWriter.serialize(duplicate) }
        #expect(throws: SafetensorsError.self) {
            try SafetensorsWriter.serialize([SafetensorsTensor(name: "__metadata__", shape: [1], floats: [1])])
        }
        #expect { try SafetensorsWriter.write(Self.sample, to: URL(fileURLWithPath: "/nonexistent-dir/x.safetensors")) } throws: { error in
            String(describing: error).hasPrefix("cannot write /nonexistent-dir/x.safetensors")
        }
    }

    // MARK: - Malformed files: each must throw an error naming the file (and the tensor), never crash.

    /// A file from a literal header and a data buffer of `dataBytes` bytes.
    static func file(header: String, dataBytes: Int, pad: Bool = true) -> Data {
        var headerBytes = Array(header.utf8)
        if pad { headerBytes += Array(repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8) }
        var data = Data()
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        data.append(Data(repeating: 0x3F, count: dataBytes))
        return data
    }

    static let good = #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#

    @Test func wellFormedHandMadeFileReads() throws {
        let file = try SafetensorsFile(data: Self.file(header: Self.good, dataBytes: 12), name: "good")
        #expect(file.names == ["a", "b"])
        // An unpadded header is valid too.
        #expect(throws: Never.self) { try SafetensorsFile(data: Self.file(header: Self.good, dataBytes: 12, pad: false), name: "unpadded") }
    }

    /// (description, file bytes, fragments the message must contain)
    static let badFiles: [(String, Data, [String])] = {
        var cases: [(String, Data, [String])] = []
        let good = SafetensorsTests.good
        func file(_ header: String, _ dataBytes: Int) -> Data { SafetensorsTests.file(header: header, dataBytes: dataBytes) }
        cases.append(("empty file", Data(), ["0 bytes is too small"]))
        cases.append(("short file", Data([1, 2, 3]), ["3 bytes is too small"]))
        var huge = Data()
        var length = UInt64(200_000_000).littleEndian
        withUnsafeBytes(of: &length) { huge.append(contentsOf: $0) }
        huge.append(contentsOf: Array("{}".utf8))
        cases.append(("header over 100 MB", huge, ["exceeds the 100 MB limit"]))
        var long = Data()
        length = UInt64(1000).littleEndian
        withUnsafeBytes(of: &length) { long.append(contentsOf: $0) }
        long.append(contentsOf: Array("{}".utf8))
        cases.append(("header longer than file", long, ["header of 1000 bytes does not fit"]))
        cases.append(("truncated data", file(good, 10), ["tensor \"b\"", "extend past the end", "truncated"]))
        cases.append(("trailing bytes", file(good, 20), ["tensors end at byte 12", "holds 20 data bytes"]))
        cases.append(("not JSON", file("{not json}", 0), ["invalid safetensors header"]))
        cases.append(("not starting with brace", file(" {}", 0), ["must start with '{'"]))
        cases.append(("duplicate key", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8), ["duplicate key \"a\""]))
        cases.append(("unknown dtype", file(#"{"a":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}"#, 4), ["tensor \"a\" has unknown dtype \"F17\""]))
        cases.append(("size mismatch", file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8), ["tensor \"a\" F32 [3] needs 12 bytes but its data_offsets span 8"]))
        cases.append(("hole", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, 12), ["tensor \"b\"", "leave a hole after byte 4"]))
        cases.append(("overlap", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8), ["overlap tensor \"a\""]))
        cases.append(("not starting at 0", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8), ["tensor \"a\"", "hole after byte 0"]))
        cases.append(("reversed offsets", file(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, 8), ["tensor \"a\"", "data_offsets"]))
        cases.append(("negative dimension", file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, 4), ["tensor \"a\"", "non-negative"]))
        cases.append(("overflowing shape", file(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#, 4), ["tensor \"a\"", "too large"]))
        cases.append(("missing dtype", file(#"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, 4), ["tensor \"a\"", "missing \"dtype\""]))
        cases.append(("missing shape", file(#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, 4), ["missing \"shape\""]))
        cases.append(("bad offsets", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, 4), ["data_offsets"]))
        cases.append(("entry not an object", file(#"{"a":[1]}"#, 0), ["tensor \"a\"", "must be an object"]))
        cases.append(("metadata not strings", file(#"{"__metadata__":{"format":1}}"#, 0), ["\"__metadata__\".\"format\" must be a string"]))
        cases.append(("header is an array", file("[1]", 0), ["must start with '{'"]))
        return cases
    }()

    @Test(arguments: 0..<badFiles.count)
    func malformedFileThrowsNamedError(index: Int) {
        let (what, data, fragments) = Self.badFiles[index]
        #expect(performing: { try SafetensorsFile(data: data, name: "bad.safetensors") }, throws: { error in
            let message = String(describing: error)
            let ok = message.hasPrefix("bad.safetensors") && fragments.allSatisfy { message.contains($0) }
            if !ok { print("\(what): \(message)") }
            return ok
        })
    }

    @Test func malformedFileOnDiskNamesThePath() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("broken.safetensors")
        try Self.file(header: Self.good, dataBytes: 10).write(to: url)
        #expect { try SafetensorsFile(contentsOf: url) } throws: { error in
            String(describing: error).hasPrefix(url.path) && String(describing: error).contains("\"b\"")
        }
        let empty = directory.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(contentsOf: empty) }
        #expect { try SafetensorsFile(contentsOf: directory.appendingPathComponent("absent.safetensors")) } throws: { error in
            String(describing: error).contains("absent.safetensors")
        }
    }

    /// Every truncation of a valid file is rejected (cheap fuzzing of the length checks).
    @Test func everyTruncationIsRejected() throws {
        let data = try SafetensorsWriter.serialize(Self.sample)
        for length in 0..<data.count {
            #expect(throws: SafetensorsError.self, "length \(length)") {
                try SafetensorsFile(data: data.prefix(length), name: "cut")
            }
        }
    }
}
