import Foundation
import Testing

@testable import ErnieData

@Suite struct FileFormatTests {
    func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    @Test func npyWriterMatchesNpSave() throws {
        let folder = TestPaths.temporaryFolder()
        for golden in try RandomTests.goldens().npy {
            let path = folder.appendingPathComponent("\(golden.dtype).npy").path
            switch golden.dtype {
            case "uint8": try NumpyFile.write(golden.values.map { UInt8($0) }, shape: golden.shape, to: path)
            case "int16": try NumpyFile.write(golden.values.map { Int16($0) }, shape: golden.shape, to: path)
            case "uint16": try NumpyFile.write(golden.values.map { UInt16($0) }, shape: golden.shape, to: path)
            case "int32": try NumpyFile.write(golden.values.map { Int32($0) }, shape: golden.shape, to: path)
            case "uint32": try NumpyFile.write(golden.values.map { UInt32($0) }, shape: golden.shape, to: path)
            case "int64": try NumpyFile.write(golden.values, shape: golden.shape, to: path)
            case "uint64": try NumpyFile.write(golden.values.map { UInt64($0) }, shape: golden.shape, to: path)
            default: Issue.record("unexpected dtype \(golden.dtype)")
            }
            #expect(try fileBytes(path) == hex(golden.hex), "np.save bytes for \(golden.dtype) \(golden.shape)")
            let array = try NumpyArray(contentsOf: path)
            #expect(array.shape == golden.shape && array.dtype.descr == NumpyDType(descr: array.dtype.descr)?.descr)
        }
    }

    @Test func npzWriterMatchesNpSavez() throws {
        let golden = try RandomTests.goldens().npz
        let path = TestPaths.temporaryFolder().appendingPathComponent("small.npz").path
        try NumpyZip.write([NumpyZipMember(name: "lens", values: golden.lens), NumpyZipMember(name: "docs", values: golden.docs)], to: path)
        #expect(try fileBytes(path) == hex(golden.hex))
        let archive = try NumpyZipArchive(contentsOf: path)
        #expect(Array(try archive.array(named: "lens").elements(as: Int32.self)) == golden.lens)
        #expect(Array(try archive.array(named: "docs.npy").elements(as: Int64.self)) == golden.docs)
        #expect(throws: DataError.self) { try archive.array(named: "sizes") }
        #expect(throws: DataError.self) { try archive.array(named: "lens").elements(as: Int64.self) }
    }

    @Test func zip64CentralDirectoryFieldsFollowCPython() {
        // Entries beyond 2 GiB switch to zip64 fields in the central directory, as CPython's zipfile does.
        let entry = ZipDirectory.Entry(name: "lens.npy", crc: 1, size: 3 << 30, headerOffset: 5 << 30, dataOffset: 0)
        let directory = ZipDirectory.centralDirectory([entry], startingAt: 6 << 30)
        #expect(directory.count == 46 + 8 + 4 + 24 + 56 + 20 + 22)
        #expect(Array(directory[20..<28]) == [UInt8](repeating: 0xFF, count: 8))
        #expect(Array(directory[42..<46]) == [UInt8](repeating: 0xFF, count: 4))
    }

    @Test func malformedFilesNameTheFile() throws {
        let folder = TestPaths.temporaryFolder()
        let notNpy = folder.appendingPathComponent("bad_ids.npy").path
        try Data("hello, world".utf8).write(to: URL(fileURLWithPath: notNpy))
        do {
            _ = try NumpyArray(contentsOf: notNpy)
            Issue.record("no error")
        } catch let error as DataError {
            #expect(error.description.contains(notNpy) && error.description.contains("magic"))
        }
        // Truncated data: a header promising more elements than present.
        let truncated = folder.appendingPathComponent("short.npy").path
        try NumpyFile.write([UInt16](repeating: 7, count: 100), to: truncated)
        let bytes = try fileBytes(truncated)
        try Data(bytes.prefix(bytes.count - 10)).write(to: URL(fileURLWithPath: truncated))
        #expect(throws: DataError.self) { try NumpyArray(contentsOf: truncated) }
        // Not a zip.
        let notZip = folder.appendingPathComponent("bad_idx.npz").path
        try Data(repeating: 0x41, count: 100).write(to: URL(fileURLWithPath: notZip))
        do {
            _ = try NumpyZipArchive(contentsOf: notZip)
            Issue.record("no error")
        } catch let error as DataError {
            #expect(error.description.contains(notZip))
        }
        // A corpus whose index is garbage names the index file.
        do {
            _ = try TokenCorpus(prefix: folder.appendingPathComponent("bad").path)
            Issue.record("no error")
        } catch let error as DataError {
            #expect(error.description.contains("bad_ids.npy") || error.description.contains("bad_idx.npz"))
        }
        #expect(throws: DataError.self) { try TokenCorpus(prefix: folder.appendingPathComponent("absent").path) }
        #expect(throws: DataError.self) { try NumpyArray(contentsOf: folder.appendingPathComponent("absent.npy").path) }
    }

    @Test func streamingWriterSkipsEmptiesAndChecksRanges() throws {
        let prefix = TestPaths.temporaryFolder().appendingPathComponent("out/tiny").path
        let writer = try TokenFileWriter(outputPrefix: prefix, vocabularySize: 100)
        try writer.appendSentence([5, 6, 7])
        try writer.appendSentence([Int]())
        try writer.endDocument()
        try writer.endDocument()
        try writer.appendSentence([8])
        try writer.appendSentence([9, 10])
        #expect(throws: DataError.self) { try writer.appendSentence([70_000]) }
        let summary = try writer.finish()
        #expect(summary == .init(paths: [prefix + "_ids.npy", prefix + "_idx.npz"], dtype: .uint16, tokens: 6, sentences: 3, documents: 2))
        let corpus = try TokenCorpus(prefix: prefix)
        #expect(Array(corpus.sentenceLengths) == [3, 1, 2])
        #expect(Array(corpus.documentStarts) == [0, 1, 3])
        var ids: [Int32] = []
        corpus.appendTokens(ofSentence: 2, to: &ids)
        #expect(ids == [9, 10])
        #expect(TokenFileWriter.dtype(forVocabularySize: 65534) == .uint16)
        #expect(TokenFileWriter.dtype(forVocabularySize: 65535) == .int32)
    }

    @Test func megatronFilesRoundTrip() throws {
        let folder = TestPaths.temporaryFolder()
        let prefix = folder.appendingPathComponent("mega").path
        let writer = try TokenFileWriter(outputPrefix: prefix, vocabularySize: 70_000, format: .megatron)
        var expected: [[Int32]] = []
        for document in 0..<40 {
            for sentence in 0..<(1 + document % 4) {
                let ids = (0..<(1 + (document * 7 + sentence) % 9)).map { Int32(66_000 + document * 10 + sentence + $0) }
                expected.append(ids)
                try writer.appendSentence(ids)
            }
            try writer.endDocument()
        }
        let summary = try writer.finish()
        #expect(summary.dtype == .int32 && summary.documents == 40)
        let corpus = try TokenCorpus(prefix: prefix)
        #expect(corpus.format == .megatron)
        #expect(corpus.sentenceCount == expected.count && corpus.documentCount == 40)
        for (index, sentence) in expected.enumerated() {
            var ids: [Int32] = []
            corpus.appendTokens(ofSentence: index, to: &ids)
            #expect(ids == sentence)
        }
        let header = try fileBytes(prefix + ".idx").prefix(34)
        #expect(Array(header.prefix(9)) == MegatronIndex.magic)
        #expect(header[17] == 4)  // int32
        // Bad magic names the file.
        try Data(repeating: 1, count: 64).write(to: URL(fileURLWithPath: prefix + ".idx"))
        do {
            _ = try TokenCorpus(prefix: prefix)
            Issue.record("no error")
        } catch let error as DataError {
            #expect(error.description.contains("mega.idx"))
        }
    }
}
