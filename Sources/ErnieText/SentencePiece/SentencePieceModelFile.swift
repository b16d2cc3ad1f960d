import ErnieBasics
import Foundation

/// The fields of a SentencePiece `ModelProto` (`sentencepiece_model.proto`) that encoding needs.
///
/// Field numbers: ModelProto pieces 1, trainer_spec 2, normalizer_spec 3; SentencePiece piece 1, score 2, type 3;
/// TrainerSpec model_type 3, treat_whitespace_as_suffix 24, byte_fallback 35, unk/bos/eos/pad_id 40–43,
/// unk/bos/eos/pad_piece 45–48; NormalizerSpec name 1, precompiled_charsmap 2, add_dummy_prefix 3,
/// remove_extra_whitespaces 4, escape_whitespaces 5.
struct SentencePieceModelFile {
    struct Piece {
        var text: String
        var score: Float = 0
        var type: SentencePieceModel.PieceType = .normal
    }

    var pieces: [Piece] = []
    var algorithm: SentencePieceModel.Algorithm = .unigram
    var treatWhitespaceAsSuffix = false
    var byteFallback = false
    var normalizerName = ""
    var precompiledCharsmap: [UInt8] = []
    var addDummyPrefix = true
    var removeExtraWhitespaces = true
    var escapeWhitespaces = true
    var specialPieces = (unknown: "<unk>", begin: "<s>", end: "</s>", padding: "<pad>")

    /// A model with no pieces and the library's default specs (the trainer fills it in).
    init() {}

    /// - Throws: `SentencePieceError.malformedModel` naming the byte offset of the first bad field.
    init(bytes: [UInt8], source: String) throws {
        do {
            try bytes.withUnsafeBytes { buffer in
                var model = ProtobufReader(buffer)
                while let (field, value) = try model.next() {
                    switch (field, value) {
                    case (1, .bytes(let range)): pieces.append(try Self.piece(model.message(range)))
                    case (2, .bytes(let range)): try readTrainerSpec(model.message(range))
                    case (3, .bytes(let range)): try readNormalizerSpec(model.message(range))
                    case (1, _), (2, _), (3, _):
                        throw ProtobufReader.DecodingError(description: "field \(field) has the wrong wire type")
                    default: break  // self-test data, denormalizer
                    }
                }
            }
        } catch let error as ProtobufReader.DecodingError {
            throw SentencePieceError.malformedModel(path: source, reason: error.description)
        }
        guard !pieces.isEmpty else { throw SentencePieceError.malformedModel(path: source, reason: "it has no pieces") }
    }

    private static func piece(_ reader: ProtobufReader) throws -> Piece {
        var reader = reader
        var piece = Piece(text: "")
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let range)): piece.text = reader.string(range)
            case (2, .fixed32(let bits)): piece.score = Float(bitPattern: bits)
            case (3, .varint(let type)):
                guard let known = SentencePieceModel.PieceType(rawValue: Int(truncatingIfNeeded: type)) else {
                    throw ProtobufReader.DecodingError(description: "piece type \(type) is unknown")
                }
                piece.type = known
            case (1, _), (2, _), (3, _): throw ProtobufReader.DecodingError(description: "a piece's field \(field) has the wrong wire type")
            default: break
            }
        }
        return piece
    }

    private mutating func readTrainerSpec(_ reader: ProtobufReader) throws {
        var reader = reader
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (3, .varint(let type)):
                guard let known = SentencePieceModel.Algorithm(rawValue: Int(truncatingIfNeeded: type)) else {
                    throw ProtobufReader.DecodingError(description: "model_type \(type) is unknown")
                }
                algorithm = known
            case (24, .varint(let flag)): treatWhitespaceAsSuffix = flag != 0
            case (35, .varint(let flag)): byteFallback = flag != 0
            case (45, .bytes(let range)): specialPieces.unknown = reader.string(range)
            case (46, .bytes(let range)): specialPieces.begin = reader.string(range)
            case (47, .bytes(let range)): specialPieces.end = reader.string(range)
            case (48, .bytes(let range)): specialPieces.padding = reader.string(range)
            default: break  // training options
            }
        }
    }

    private mutating func readNormalizerSpec(_ reader: ProtobufReader) throws {
        var reader = reader
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let range)): normalizerName = reader.string(range)
            case (2, .bytes(let range)): precompiledCharsmap = Array(reader.bytes[range])
            case (3, .varint(let flag)): addDummyPrefix = flag != 0
            case (4, .varint(let flag)): removeExtraWhitespaces = flag != 0
            case (5, .varint(let flag)): escapeWhitespaces = flag != 0
            default: break
            }
        }
    }
}
