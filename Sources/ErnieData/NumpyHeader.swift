import ErnieBasics

/// The header of an `.npy` file (format 1.0–3.0): element type, shape, order, and where the data starts.
public struct NumpyHeader: Sendable, Equatable {
    public var dtype: NumpyDType
    public var shape: [Int]
    public var fortranOrder: Bool
    /// Bytes before the data (magic + version + length + header text).
    public var dataOffset: Int

    public var elementCount: Int { shape.reduce(1, *) }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// The exact header bytes numpy ≥ 1.23's `np.save` writes (format 1.0): the dict literal with keys in sorted
    /// order, 21 − digits(shape[0]) spaces of growth room (so a 1-D header never changes length as the array grows),
    /// then spaces and `\n` to a 64-byte boundary.
    public static func encode(dtype: NumpyDType, shape: [Int], fortranOrder: Bool = false) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var text = "{'descr': '\(dtype.descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        if let growthAxis = fortranOrder ? shape.last : shape.first {
            text += String(repeating: " ", count: max(0, 21 - String(growthAxis).count))
        }
        let textLength = text.utf8.count + 1  // + "\n"
        let padding = 64 - ((magic.count + 2 + 2 + textLength) % 64)
        let headerLength = textLength + padding
        precondition(headerLength <= 0xFFFF, "npy header too long for format 1.0")
        var bytes = magic + [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        bytes += Array(text.utf8)
        bytes += [UInt8](repeating: 0x20, count: padding)
        bytes.append(0x0A)
        return bytes
    }

    /// Parses the header at `offset` of `file` (an `.npy`, or an `.npz` member when `offset` > 0).
    /// - Parameter available: bytes from `offset` that belong to this array.
    /// - Throws: `DataError.malformed` / `.unsupported` naming `name`.
    static func parse(file: MappedFile, offset: Int, available: Int, name: String) throws -> NumpyHeader {
        guard available >= 10 else { throw DataError.malformed(path: name, reason: "shorter than an .npy header") }
        let prefix = file.bytes(offset: offset, count: 8)
        guard Array(prefix.prefix(6)) == magic else {
            throw DataError.malformed(path: name, reason: "missing the \\x93NUMPY magic (not an .npy file)")
        }
        let major = prefix[6]
        let textOffset: Int
        let textLength: Int
        switch major {
        case 1:
            textLength = Int(file.load(UInt16.self, at: offset + 8))
            textOffset = 10
        case 2, 3:
            guard available >= 12 else { throw DataError.malformed(path: name, reason: "truncated header") }
            textLength = Int(file.load(UInt32.self, at: offset + 8))
            textOffset = 12
        default:
            throw DataError.unsupported(path: name, reason: "npy format version \(major).\(prefix[7])")
        }
        guard textOffset + textLength <= available else {
            throw DataError.malformed(path: name, reason: "header length \(textLength) runs past the end of the file")
        }
        let textBytes = file.bytes(offset: offset + textOffset, count: textLength)
        guard let text = String(validating: textBytes, as: UTF8.self) else {
            throw DataError.malformed(path: name, reason: "header is not text")
        }
        var header = try parseDictionary(text, name: name)
        header.dataOffset = textOffset + textLength
        // parseDictionary checked that the byte count fits an Int.
        let dataBytes = header.elementCount * header.dtype.size
        guard CheckedSize.sum(header.dataOffset, dataBytes).map({ $0 <= available }) ?? false else {
            throw DataError.malformed(
                path: name,
                reason: "shape \(header.shape) of \(header.dtype.descr) needs \(dataBytes) data bytes, only "
                    + "\(available - header.dataOffset) present (truncated file?)")
        }
        return header
    }

    /// Reads numpy's header dict literal: `{'descr': '<u2', 'fortran_order': False, 'shape': (N,), }`.
    static func parseDictionary(_ text: String, name: String) throws -> NumpyHeader {
        func value(of key: String) throws -> Substring {
            guard let keyRange = text.range(of: "'\(key)'") ?? text.range(of: "\"\(key)\"") else {
                throw DataError.malformed(path: name, reason: "header lacks '\(key)': \(text.trimmingSpaces)")
            }
            var rest = text[keyRange.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { throw DataError.malformed(path: name, reason: "bad header: \(text.trimmingSpaces)") }
            rest = rest.dropFirst().drop { $0 == " " }
            return rest
        }
        let descrRest = try value(of: "descr")
        guard let quote = descrRest.first, quote == "'" || quote == "\"",
              let end = descrRest.dropFirst().firstIndex(of: quote) else {
            throw DataError.unsupported(path: name, reason: "structured dtype in header \(text.trimmingSpaces)")
        }
        let descr = String(descrRest[descrRest.index(after: descrRest.startIndex)..<end])
        guard let dtype = NumpyDType(descr: descr) else {
            throw DataError.unsupported(path: name, reason: "dtype '\(descr)' (expected a little-endian integer or float)")
        }
        let orderRest = try value(of: "fortran_order")
        let fortran: Bool
        if orderRest.hasPrefix("True") { fortran = true } else if orderRest.hasPrefix("False") { fortran = false } else {
            throw DataError.malformed(path: name, reason: "bad fortran_order in \(text.trimmingSpaces)")
        }
        let shapeRest = try value(of: "shape")
        guard shapeRest.first == "(", let close = shapeRest.firstIndex(of: ")") else {
            throw DataError.malformed(path: name, reason: "bad shape in \(text.trimmingSpaces)")
        }
        var shape = [Int]()
        for part in shapeRest[shapeRest.index(after: shapeRest.startIndex)..<close].split(separator: ",") {
            let digits = part.trimmingAll(of: " L")
            if digits.isEmpty { continue }
            guard let dimension = Int(digits), dimension >= 0 else {
                throw DataError.malformed(path: name, reason: "bad shape in \(text.trimmingSpaces)")
            }
            shape.append(dimension)
        }
        guard CheckedSize.product(shape + [dtype.size]) != nil else {
            throw DataError.malformed(path: name, reason: "shape \(shape) is too large")
        }
        return NumpyHeader(dtype: dtype, shape: shape, fortranOrder: fortran, dataOffset: 0)
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        trimmingAll(of: " \n")
    }

    fileprivate func trimmingAll(of characters: String) -> String {
        let set = Set(characters)
        return String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
