import ErnieBasics
import Foundation

/// TFRecord files opened for random access: every record's offset found by walking the headers (each header's
/// checksum verified), data checksums verified when a record is read.
public final class TFRecordFiles: Sendable {
    public let files: [MappedFile]
    /// Per record: which file, and the byte offset of its header.
    private let locations: [(file: Int32, offset: Int)]

    public var count: Int { locations.count }

    /// Opens `paths` in order. - Throws: `DataError.malformed` naming the file and byte offset of a header that is
    /// cut short or fails its checksum (not a TFRecord file, or a damaged one).
    public init(paths: [String]) throws {
        var files: [MappedFile] = []
        var locations: [(file: Int32, offset: Int)] = []
        for path in paths {
            let file = try MappedFile(path: path)
            let bytes = file.bytes(offset: 0, count: file.byteCount)
            var offset = 0
            while offset < file.byteCount {
                let data: Range<Int>
                do {
                    data = try TFRecord.record(in: bytes, at: offset, checkData: false)
                } catch let error as TFRecord.FramingError {
                    throw DataError.malformed(path: path, reason: error.description)
                }
                locations.append((Int32(files.count), offset))
                offset = data.upperBound + 4
            }
            files.append(file)
        }
        self.files = files
        self.locations = locations
    }

    /// Record `index`: its data (checksum verified), the file's path and the record's byte offset, for messages.
    public func record<Result>(_ index: Int, _ body: (UnsafeRawBufferPointer, _ path: String, _ offset: Int) throws -> Result) throws -> Result {
        precondition(locations.indices.contains(index), "record \(index) outside 0..<\(locations.count)")
        let (fileIndex, offset) = locations[index]
        let file = files[Int(fileIndex)]
        let bytes = file.bytes(offset: 0, count: file.byteCount)
        let data: Range<Int>
        do {
            data = try TFRecord.record(in: bytes, at: offset)
        } catch let error as TFRecord.FramingError {
            throw DataError.malformed(path: file.path, reason: error.description)
        }
        return try body(UnsafeRawBufferPointer(rebasing: bytes[data]), file.path, offset)
    }

    /// The files `--input_dir` names: one file, a comma-separated list, or a folder (its files with "tfrecord" in
    /// the name, else every file but `*.json` and hidden ones), sorted by name.
    public static func paths(_ input: String) throws -> [String] {
        let parts = input.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw DataError.invalidArgument(name: "--input_dir", reason: "empty") }
        var paths: [String] = []
        for part in parts {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: part, isDirectory: &isFolder) else {
                throw DataError.io(path: part, reason: "no such file or folder")
            }
            guard isFolder.boolValue else {
                paths.append(part)
                continue
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: part).sorted().filter { name in
                var isSubfolder: ObjCBool = false
                FileManager.default.fileExists(atPath: (part as NSString).appendingPathComponent(name), isDirectory: &isSubfolder)
                return !isSubfolder.boolValue && !name.hasPrefix(".")
            }
            let tagged = names.filter { $0.lowercased().contains("tfrecord") }
            let chosen = tagged.isEmpty ? names.filter { !$0.hasSuffix(".json") && !$0.hasSuffix(".db") } : tagged
            guard !chosen.isEmpty else { throw DataError.io(path: part, reason: "no TFRecord file in this folder") }
            paths += chosen.map { (part as NSString).appendingPathComponent($0) }
        }
        return paths
    }
}
