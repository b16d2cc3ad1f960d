import Foundation

/// A SentencePiece model (`*.model`, the `sentencepiece` library's protobuf): its pieces, normaliser and algorithm,
/// encoding exactly as `SentencePieceProcessor.Encode` does — unigram Viterbi over piece scores or BPE merges by
/// score, unknown characters merged or byte-fallback `<0xXX>` pieces, offsets into the original text.
public final class SentencePieceModel: Sendable {
    public enum Algorithm: Int, Sendable {
        case unigram = 1, bpe, word, char
    }

    public enum PieceType: Int, Sendable {
        case normal = 1, unknown, control, userDefined, unused, byte = 6
    }

    /// Pieces by id, with their scores and types.
    public let pieces: [String]
    public let scores: [Float]
    public let types: [PieceType]
    public let algorithm: Algorithm
    public let byteFallback: Bool
    /// The id of the `UNKNOWN` piece (`<unk>` by default).
    public let unknownId: Int
    /// The `.model` file's bytes (written again as they were by `ErnieMFiles`).
    public let serialized: [UInt8]
    /// The normaliser's name in the model (`nmt_nfkc`, `nfkc`, `identity`, …); its rules are the compiled map.
    public let normalizerName: String

    let normalizer: SentencePieceNormalizer
    /// NORMAL, USER_DEFINED and UNUSED pieces (SentencePiece's `pieces_`), and the rest (`reserved_id_map_`).
    let pieceTrie: PieceTrie
    let reservedTrie: PieceTrie
    /// Ids of the `<0x00>`…`<0xFF>` pieces when byte fallback is on.
    let byteIds: [Int32]
    /// The id of the piece `▁` (-1 when the model has none).
    public let spaceId: Int
    /// Unigram: the lowest and highest NORMAL score (the highest starts at FLT_MIN, as in SentencePiece).
    let minimumScore: Float
    let maximumScore: Float

    /// Reads a `.model` file.
    /// - Throws: `SentencePieceError` for a file that is not a SentencePiece model, contradicts itself, or uses a
    ///   feature ernie does not implement (named).
    public convenience init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SentencePieceError.malformedModel(path: url.path, reason: "unreadable: \(error.localizedDescription)")
        }
        try self.init(bytes: [UInt8](data), source: url.path)
    }

    /// A model from the bytes of a `.model` file.
    public init(bytes: [UInt8], source: String = "SentencePiece model") throws {
        let file = try SentencePieceModelFile(bytes: bytes, source: source)
        serialized = bytes
        guard file.algorithm == .unigram || file.algorithm == .bpe else {
            throw SentencePieceError.unsupported(path: source, feature: "model_type \(file.algorithm == .word ? "WORD" : "CHAR") (ernie encodes UNIGRAM and BPE models)")
        }
        pieces = file.pieces.map(\.text)
        scores = file.pieces.map(\.score)
        types = file.pieces.map(\.type)
        algorithm = file.algorithm
        byteFallback = file.byteFallback
        normalizerName = file.normalizerName

        var normal: [(bytes: [UInt8], id: Int)] = []
        var reserved: [(bytes: [UInt8], id: Int)] = []
        var userDefined: [(bytes: [UInt8], id: Int)] = []
        var seenNormal = Set<String>(), seenReserved = Set<String>()
        var unknown: Int?
        var byteIds = [Int32](repeating: -1, count: 256)
        var minimum = Float.greatestFiniteMagnitude, maximum = Float.leastNormalMagnitude
        for (id, piece) in file.pieces.enumerated() {
            guard !piece.text.isEmpty else { throw SentencePieceError.malformedModel(path: source, reason: "piece \(id) is empty") }
            switch piece.type {
            case .normal, .userDefined, .unused:
                guard seenNormal.insert(piece.text).inserted else {
                    throw SentencePieceError.malformedModel(path: source, reason: "piece \"\(piece.text)\" (id \(id)) is defined twice")
                }
                normal.append((Array(piece.text.utf8), id))
                if piece.type == .userDefined { userDefined.append((Array(piece.text.utf8), id)) }
                if piece.type == .normal {
                    minimum = min(minimum, piece.score)
                    maximum = max(maximum, piece.score)
                }
            case .unknown, .control, .byte:
                guard seenReserved.insert(piece.text).inserted else {
                    throw SentencePieceError.malformedModel(path: source, reason: "piece \"\(piece.text)\" (id \(id)) is defined twice")
                }
                reserved.append((Array(piece.text.utf8), id))
                if piece.type == .unknown {
                    guard unknown == nil else { throw SentencePieceError.malformedModel(path: source, reason: "two unknown pieces (ids \(unknown!) and \(id))") }
                    unknown = id
                }
                if piece.type == .byte {
                    guard file.byteFallback else {
                        throw SentencePieceError.malformedModel(path: source, reason: "byte piece \(piece.text) but byte_fallback is off")
                    }
                    guard let byte = Self.byteValue(of: piece.text) else {
                        throw SentencePieceError.malformedModel(path: source, reason: "byte piece \(piece.text) is not <0xXX>")
                    }
                    byteIds[byte] = Int32(id)
                }
            }
        }
        guard let unknown else { throw SentencePieceError.malformedModel(path: source, reason: "it has no unknown piece") }
        if file.byteFallback, let missing = byteIds.firstIndex(of: -1) {
            throw SentencePieceError.malformedModel(path: source, reason: String(format: "byte_fallback is on but piece <0x%02X> is missing", missing))
        }
        unknownId = unknown
        self.byteIds = byteIds
        spaceId = normal.first { $0.bytes == SentencePieceNormalizer.spaceSymbol }?.id ?? -1
        minimumScore = minimum
        maximumScore = maximum
        pieceTrie = PieceTrie(normal)
        reservedTrie = PieceTrie(reserved)
        normalizer = try SentencePieceNormalizer(file, userDefined: userDefined.isEmpty ? nil : PieceTrie(userDefined), source: source)
    }

    /// `<0x41>` → 0x41.
    static func byteValue(of piece: String) -> Int? {
        let scalars = Array(piece.utf8)
        guard scalars.count == 6, piece.hasPrefix("<0x"), piece.hasSuffix(">") else { return nil }
        return Int(String(decoding: scalars[3..<5], as: UTF8.self), radix: 16)
    }

    public var count: Int { pieces.count }



    /// `PieceToId`: reserved pieces first, then the others, else the unknown id.
    public func id(of piece: String) -> Int {
        let bytes = Array(piece.utf8)
        return bytes.withUnsafeBufferPointer { bytes in
            Int(reservedTrie.id(of: bytes, 0..<bytes.count) ?? pieceTrie.id(of: bytes, 0..<bytes.count) ?? Int32(unknownId))
        }
    }
}

/// One piece of an encoded text: as `SentencePieceProcessor.encode(…, out_type=immutable_proto)` reports it.
public struct SentencePieceToken: Equatable, Sendable {
    public var piece: String
    public var id: Int
    /// Byte offsets into the original UTF-8 text (a byte-fallback piece that is not its character's last has
    /// `begin == end`).
    public var begin: Int
    public var end: Int

    public init(piece: String, id: Int, begin: Int, end: Int) {
        self.piece = piece
        self.id = id
        self.begin = begin
        self.end = end
    }
}
