import ErnieBasics
/// `.npz` archives as `np.savez` writes them: a zip of STORED `<name>.npy` members, each with a zip64 local header.
///
/// Reading maps the archive and hands out members without copying. Writing reproduces `np.savez` byte for byte
/// (CPython's `zipfile` with `force_zip64=True`): DOS date 1980-01-01 00:00, version 4.5, mode 0600, no data descriptor.
public struct NumpyZipArchive: Sendable {
    public let path: String
    /// Members by name without `.npy`, in archive order.
    public let members: [(name: String, array: NumpyArray)]

    /// Maps `path` and parses its central directory. - Throws: `DataError` naming the archive (and member).
    public init(contentsOf path: String) throws {
        let file = try MappedFile(path: path)
        self.path = path
        var members: [(String, NumpyArray)] = []
        for entry in try ZipDirectory.read(file: file, path: path) {
            let memberName = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            let array = try NumpyArray(file: file, offset: entry.dataOffset, count: entry.size, name: "\(path):\(entry.name)")
            members.append((memberName, array))
        }
        self.members = members
    }

    /// The member `name` (with or without `.npy`). - Throws: `DataError.malformed` listing what the archive holds.
    public func array(named name: String) throws -> NumpyArray {
        let bare = name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
        guard let member = members.first(where: { $0.name == bare }) else {
            throw DataError.malformed(
                path: path, reason: "no member '\(bare).npy' (members: \(members.map { $0.name + ".npy" }.joined(separator: ", ")))")
        }
        return member.array
    }
}

/// One array to put in an `.npz`.
public struct NumpyZipMember: Sendable {
    /// Where the raw (little-endian, C-order) element bytes come from.
    public enum Payload: Sendable {
        case bytes([UInt8])
        /// The whole content of a file (streamed, never loaded whole).
        case file(path: String)
    }

    public var name: String
    public var dtype: NumpyDType
    public var shape: [Int]
    public var payload: Payload

    public init(name: String, dtype: NumpyDType, shape: [Int], payload: Payload) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.payload = payload
    }

    /// A member holding `values` as a 1-D array.
    public init<T: FixedWidthInteger>(name: String, values: [T]) {
        let bytes = values.withUnsafeBytes { Array($0) }
        self.init(name: name, dtype: .of(T.self), shape: [values.count], payload: .bytes(bytes))
    }
}

public enum NumpyZip {
    /// Writes an `.npz` atomically, byte-identical to `np.savez(path, **{name: array, …})` with members in this order.
    public static func write(_ members: [NumpyZipMember], to path: String) throws {
        let output = try AtomicFile(path: path, createFolders: true)
        let writer = try BinaryFileWriter(path: output.temporaryPath)
        var entries: [ZipDirectory.Entry] = []
        for member in members {
            let fileName = member.name + ".npy"
            let headerOffset = writer.position
            // Placeholder local header (CRC and sizes are known after the data, as in CPython's zipfile).
            try writer.write(ZipDirectory.localHeader(name: fileName, crc: 0, size: 0))
            var crc = CRC32()
            let npyHeader = NumpyHeader.encode(dtype: member.dtype, shape: member.shape)
            crc.update(npyHeader)
            try writer.write(npyHeader)
            var dataSize = 0
            switch member.payload {
            case .bytes(let bytes):
                try bytes.withUnsafeBytes { raw in
                    crc.update(raw)
                    try writer.write(raw)
                }
                dataSize = bytes.count
            case .file(let sourcePath):
                let source = try MappedFile(path: sourcePath)
                var offset = 0
                while offset < source.byteCount {
                    let chunk = source.bytes(offset: offset, count: min(1 << 22, source.byteCount - offset))
                    crc.update(chunk)
                    try writer.write(chunk)
                    offset += chunk.count
                }
                dataSize = source.byteCount
            }
            let expected = member.shape.reduce(1, *) * member.dtype.size
            precondition(dataSize == expected, "member \(member.name): \(dataSize) data bytes for shape \(member.shape)")
            let size = npyHeader.count + dataSize
            try writer.rewrite(ZipDirectory.localHeader(name: fileName, crc: crc.value, size: size), at: headerOffset)
            entries.append(.init(name: fileName, crc: crc.value, size: size, headerOffset: headerOffset, dataOffset: 0))
        }
        try writer.write(ZipDirectory.centralDirectory(entries, startingAt: writer.position))
        try writer.closeFile()
        try output.commit()
    }
}

/// The parts of the zip format `np.savez` and `torch.save` use (STORED members, zip64 where CPython puts it).
public enum ZipDirectory {
    public struct Entry {
        public var name: String
        public var crc: UInt32
        public var size: Int
        public var headerOffset: Int
        public var dataOffset: Int
    }

    /// CPython's `zipfile.ZIP64_LIMIT`: above it the central directory switches to zip64 fields.
    static let zip64Limit = (1 << 31) - 1
    static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1  // 1980-01-01
    static let version: UInt8 = 45

    static func localHeader(name: String, crc: UInt32, size: Int) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        var bytes = ByteBuffer()
        bytes.append(UInt32(0x0403_4B50))
        bytes.append(version); bytes.append(UInt8(0))
        bytes.append(flags(for: name)); bytes.append(UInt16(0))  // flags, STORED
        bytes.append(UInt16(0)); bytes.append(dosDate)
        bytes.append(crc)
        bytes.append(UInt32.max); bytes.append(UInt32.max)  // sizes live in the zip64 extra
        bytes.append(UInt16(nameBytes.count)); bytes.append(UInt16(20))
        bytes.bytes += nameBytes
        bytes.append(UInt16(1)); bytes.append(UInt16(16))
        bytes.append(UInt64(size)); bytes.append(UInt64(size))
        return bytes.bytes
    }

    static func centralDirectory(_ entries: [Entry], startingAt start: Int) -> [UInt8] {
        var bytes = ByteBuffer()
        for entry in entries {
            let nameBytes = Array(entry.name.utf8)
            var extra: [UInt64] = []
            let bigSize = entry.size > zip64Limit
            if bigSize { extra += [UInt64(entry.size), UInt64(entry.size)] }
            let bigOffset = entry.headerOffset > zip64Limit
            if bigOffset { extra.append(UInt64(entry.headerOffset)) }
            bytes.append(UInt32(0x0201_4B50))
            bytes.append(version); bytes.append(UInt8(3))  // made by: version 4.5, Unix
            bytes.append(version); bytes.append(UInt8(0))
            bytes.append(flags(for: entry.name)); bytes.append(UInt16(0))
            bytes.append(UInt16(0)); bytes.append(dosDate)
            bytes.append(entry.crc)
            bytes.append(bigSize ? UInt32.max : UInt32(entry.size))
            bytes.append(bigSize ? UInt32.max : UInt32(entry.size))
            bytes.append(UInt16(nameBytes.count)); bytes.append(UInt16(extra.isEmpty ? 0 : 4 + 8 * extra.count))
            bytes.append(UInt16(0)); bytes.append(UInt16(0)); bytes.append(UInt16(0))  // comment, disk, internal
            bytes.append(UInt32(0o600 << 16))
            bytes.append(bigOffset ? UInt32.max : UInt32(entry.headerOffset))
            bytes.bytes += nameBytes
            if !extra.isEmpty {
                bytes.append(UInt16(1)); bytes.append(UInt16(8 * extra.count))
                for value in extra { bytes.append(value) }
            }
        }
        let end = start + bytes.bytes.count
        var count = entries.count
        var size = bytes.bytes.count
        var offset = start
        if count > 0xFFFF || offset > zip64Limit || size > zip64Limit {
            bytes.append(UInt32(0x0606_4B50)); bytes.append(UInt64(44))
            bytes.append(UInt16(45)); bytes.append(UInt16(45)); bytes.append(UInt32(0)); bytes.append(UInt32(0))
            bytes.append(UInt64(count)); bytes.append(UInt64(count)); bytes.append(UInt64(size)); bytes.append(UInt64(offset))
            bytes.append(UInt32(0x0706_4B50)); bytes.append(UInt32(0)); bytes.append(UInt64(end)); bytes.append(UInt32(1))
            count = min(count, 0xFFFF)
            size = min(size, 0xFFFF_FFFF)
            offset = min(offset, 0xFFFF_FFFF)
        }
        bytes.append(UInt32(0x0605_4B50)); bytes.append(UInt16(0)); bytes.append(UInt16(0))
        bytes.append(UInt16(count)); bytes.append(UInt16(count))
        bytes.append(UInt32(size)); bytes.append(UInt32(offset)); bytes.append(UInt16(0))
        return bytes.bytes
    }

    /// Bit 11 (UTF-8 name) when the name is not ASCII, as CPython sets it.
    static func flags(for name: String) -> UInt16 { name.utf8.allSatisfy { $0 < 0x80 } ? 0 : 0x800 }

    /// The members of a zip archive, with where each one's data starts.
    /// - Parameter kind: what the archive should be, for messages ("an .npz written by np.savez").
    public static func read(file: MappedFile, path: String, kind: String = "an .npz written by np.savez") throws -> [Entry] {
        func bad(_ reason: String) -> DataError { .malformed(path: path, reason: reason + " (not \(kind)?)") }
        let total = file.byteCount
        guard total >= 22 else { throw bad("too short for a zip archive") }
        var endOffset = -1
        var probe = total - 22
        let lowest = max(0, total - 22 - 0xFFFF)
        while probe >= lowest {
            if file.load(UInt32.self, at: probe) == 0x0605_4B50 { endOffset = probe; break }
            probe -= 1
        }
        guard endOffset >= 0 else { throw bad("no end-of-central-directory record") }
        // zip64 fields are u64 the archive may set to anything: nil unless a valid offset, checked against the
        // file with `contains` (overflow-checked) before use.
        func zip64(at offset: Int) -> Int? { Int(exactly: file.load(UInt64.self, at: offset)) }
        var count = Int(file.load(UInt16.self, at: endOffset + 10))
        var directoryOffset = Int(file.load(UInt32.self, at: endOffset + 16))
        if endOffset >= 20, file.load(UInt32.self, at: endOffset - 20) == 0x0706_4B50 {
            guard let zip64End = zip64(at: endOffset - 12), file.contains(offset: zip64End, count: 56),
                  file.load(UInt32.self, at: zip64End) == 0x0606_4B50,
                  let zip64Count = zip64(at: zip64End + 32), let zip64Offset = zip64(at: zip64End + 48) else {
                throw bad("broken zip64 end record")
            }
            count = zip64Count
            directoryOffset = zip64Offset
        }
        // Each central record takes ≥ 46 bytes: a larger count cannot be right (and would loop for long).
        guard count <= total / 46 else { throw bad("\(count) members cannot fit in \(total) bytes") }
        var entries: [Entry] = []
        var cursor = directoryOffset
        for _ in 0..<count {
            guard file.contains(offset: cursor, count: 46), file.load(UInt32.self, at: cursor) == 0x0201_4B50 else {
                throw bad("broken central directory")
            }
            let flags = file.load(UInt16.self, at: cursor + 8)
            let method = file.load(UInt16.self, at: cursor + 10)
            let crc = file.load(UInt32.self, at: cursor + 16)
            var size = Int(file.load(UInt32.self, at: cursor + 24))
            let compressedField = file.load(UInt32.self, at: cursor + 20)
            let nameLength = Int(file.load(UInt16.self, at: cursor + 28))
            let extraLength = Int(file.load(UInt16.self, at: cursor + 30))
            let commentLength = Int(file.load(UInt16.self, at: cursor + 32))
            var headerOffset = Int(file.load(UInt32.self, at: cursor + 42))
            guard file.contains(offset: cursor, count: 46 + nameLength + extraLength + commentLength) else { throw bad("broken central directory") }
            let name = String(decoding: file.bytes(offset: cursor + 46, count: nameLength), as: UTF8.self)
            // zip64 extra: only the fields that are 0xFFFFFFFF in the record, in this order.
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let tag = file.load(UInt16.self, at: extra)
                let length = Int(file.load(UInt16.self, at: extra + 2))
                if tag == 1 {
                    var field = extra + 4
                    // -1 (rejected below) for values past Int.max.
                    if size == 0xFFFF_FFFF, field + 8 <= extraEnd { size = zip64(at: field) ?? -1; field += 8 }
                    if compressedField == 0xFFFF_FFFF, field + 8 <= extraEnd { field += 8 }
                    if headerOffset == 0xFFFF_FFFF, field + 8 <= extraEnd { headerOffset = zip64(at: field) ?? -1 }
                }
                extra += 4 + length
            }
            guard flags & 1 == 0 else { throw DataError.unsupported(path: path, reason: "\(name) is encrypted") }
            guard method == 0 else {
                throw DataError.unsupported(path: path, reason: "\(name) is compressed; \(kind) stores its members uncompressed")
            }
            guard file.contains(offset: headerOffset, count: 30), file.load(UInt32.self, at: headerOffset) == 0x0403_4B50 else {
                throw bad("\(name): broken local header")
            }
            let dataOffset = headerOffset + 30 + Int(file.load(UInt16.self, at: headerOffset + 26))
                + Int(file.load(UInt16.self, at: headerOffset + 28))
            guard file.contains(offset: dataOffset, count: size) else { throw bad("\(name): data runs past the end of the archive") }
            entries.append(Entry(name: name, crc: crc, size: size, headerOffset: headerOffset, dataOffset: dataOffset))
            cursor += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }
}

/// Little-endian byte assembly for headers.
struct ByteBuffer {
    var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
