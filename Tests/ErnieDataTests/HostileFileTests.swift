import Foundation
import Testing

@testable import ErnieData

/// Sizes and offsets read from corpus files are checked (overflow included) when the file is opened: a corrupt or
/// hostile file is a `DataError` naming it, never a trap or a read outside the mapping.
@Suite struct HostileFileTests {
    /// Little-endian bytes of `values`.
    static func le<T: FixedWidthInteger>(_ values: T...) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    }

    /// Expects opening `open` to throw a `DataError` whose message names `file`.
    static func expectError(naming file: String, _ open: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) { try open() } throws: { error in
            (error as? DataError)?.description.contains(file) ?? false
        }
    }

    /// A small corpus of int32 ids: sentences of 3, 1 and 2 ids.
    static func corpus(_ format: TokenFileWriter.Format) throws -> String {
        let prefix = TestPaths.temporaryFolder().appendingPathComponent("c").path
        let writer = try TokenFileWriter(outputPrefix: prefix, vocabularySize: 70_000, format: format)
        try writer.appendSentence([5, 6, 7])
        try writer.appendSentence([8])
        try writer.endDocument()
        try writer.appendSentence([9, 10])
        try writer.endDocument()
        _ = try writer.finish()
        return prefix
    }

    /// `lens` headers claiming 2^61 (the byte count overflows) or 2^40 elements (past the end).
    @Test(arguments: [1 << 61, 1 << 40])
    func npzMemberClaimingHugeShape(elements: Int) throws {
        let prefix = try Self.corpus(.paddleNumpy)
        let path = prefix + "_idx.npz"
        var bytes = try fileBytes(path)
        let original = NumpyHeader.encode(dtype: .int32, shape: [3]), claimed = NumpyHeader.encode(dtype: .int32, shape: [elements])
        #expect(original.count == claimed.count)  // numpy's growth room keeps 1-D headers one length
        let start = try #require((0...(bytes.count - original.count)).first { Array(bytes[$0..<($0 + original.count)]) == original })
        bytes.replaceSubrange(start..<(start + claimed.count), with: claimed)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        Self.expectError(naming: path) { _ = try TokenCorpus(prefix: prefix) }
    }

    static let endRecord = le(UInt32(0x0605_4B50)) + le(UInt16(0), UInt16(0), UInt16(1), UInt16(1)) + le(UInt32(0), UInt32(0)) + le(UInt16(0))
    static func locator(_ offset: UInt64) -> [UInt8] { le(UInt32(0x0706_4B50), UInt32(0)) + le(offset) + le(UInt32(1)) }
    static func zip64End(count: UInt64, directory: UInt64) -> [UInt8] {
        le(UInt32(0x0606_4B50)) + le(UInt64(44)) + le(UInt16(45), UInt16(45)) + le(UInt32(0), UInt32(0))
            + le(count, count, UInt64(0), directory)
    }
    /// One central-directory record whose size and local-header offset live in the zip64 extra.
    static func centralRecord(size: UInt64, headerOffset: UInt64) -> [UInt8] {
        let name = Array("lens.npy".utf8)
        return le(UInt32(0x0201_4B50)) + le(UInt16(45), UInt16(45), UInt16(0), UInt16(0), UInt16(0), UInt16(0))
            + le(UInt32(0), UInt32.max, UInt32.max) + le(UInt16(name.count), UInt16(28), UInt16(0), UInt16(0), UInt16(0))
            + le(UInt32(0), UInt32.max) + name + le(UInt16(1), UInt16(24)) + le(size, size, headerOffset)
    }

    static let hostileArchives: [[UInt8]] = [
        locator(1 << 63 - 10) + endRecord,
        locator(UInt64.max) + endRecord,
        zip64End(count: 1, directory: 1 << 63 - 10) + locator(0) + endRecord,
        zip64End(count: 1, directory: UInt64.max) + locator(0) + endRecord,
        zip64End(count: UInt64.max, directory: 0) + locator(0) + endRecord,
        zip64End(count: 1 << 62, directory: 0) + locator(0) + endRecord,
        centralRecord(size: 10, headerOffset: 1 << 63 - 10) + endRecord,
        centralRecord(size: 10, headerOffset: UInt64.max) + endRecord,
        centralRecord(size: 1 << 63 - 10, headerOffset: 0) + endRecord,
    ]

    @Test(arguments: hostileArchives.indices)
    func zip64OffsetsNearIntMax(index: Int) throws {
        let path = TestPaths.temporaryFolder().appendingPathComponent("hostile_\(index).npz").path
        try Data(Self.hostileArchives[index]).write(to: URL(fileURLWithPath: path))
        Self.expectError(naming: path) { _ = try NumpyZipArchive(contentsOf: path) }
    }

    /// Any sentence (not only the last) with a negative or out-of-file pointer or size.
    @Test(arguments: [(0, Int64(-4), nil), (0, Int64(400), nil), (1, Int64.max - 3, nil), (0, Int64(2), nil), (1, Int64(0), Int32(-1)),
                      (0, Int64(0), Int32.max)] as [(Int, Int64, Int32?)])
    func megatronPointersAndSizesAreChecked(sentence: Int, pointer: Int64, size: Int32?) throws {
        let prefix = try Self.corpus(.megatron)
        let path = prefix + ".idx"
        var bytes = try fileBytes(path)
        let sentences = 3, header = 34
        if let size { bytes.replaceSubrange((header + 4 * sentence)..<(header + 4 * sentence + 4), with: Self.le(size)) }
        let pointerAt = header + 4 * sentences + 8 * sentence
        bytes.replaceSubrange(pointerAt..<(pointerAt + 8), with: Self.le(pointer))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        Self.expectError(naming: path) { _ = try TokenCorpus(prefix: prefix) }
    }

    /// Sizes that disagree with the pointers while every sentence stays inside the .bin (found by `ernie fuzz`: a run
    /// of sentences read from the first one's pointer went past the file).
    @Test func megatronSizesMustMatchThePointers() throws {
        let prefix = try Self.corpus(.megatron)
        let path = prefix + ".idx"
        var bytes = try fileBytes(path)
        let header = 34
        let size = bytes[header..<(header + 4)].enumerated().reduce(Int32(0)) { $0 | Int32($1.element) << (8 * Int32($1.offset)) }
        bytes.replaceSubrange(header..<(header + 4), with: Self.le(size - 1))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect { _ = try TokenCorpus(prefix: prefix) } throws: { "\($0)".contains("sizes and pointers disagree") && "\($0)".contains(path) }
    }
}
