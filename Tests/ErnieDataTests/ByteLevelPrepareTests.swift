import Foundation
import Testing
@testable import ErnieData
@testable import ErnieText

/// `ernie prepare` and masking with a byte-level BPE tokenizer (RoBERTa): ids as the tokenizer gives them, whole-word
/// units from `Ġ` and letters, and the WordPiece-only options refused.
@Suite struct ByteLevelPrepareTests {
    /// Special tokens, the 256 byte characters, and the merges of "hello" and " world".
    static func tokenizer() throws -> ByteLevelBPETokenizer {
        let merges = [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), ("Ġ", "w"), ("o", "r"), ("l", "d"),
                      ("Ġw", "or"), ("Ġwor", "ld")].map { BPEMerge($0.0, $0.1) }
        let alphabet = ByteLevelAlphabet.characters.sorted().map { String(Unicode.Scalar($0)!) }
        let tokens = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"] + alphabet + merges.map { $0.left + $0.right }
        return try ByteLevelBPETokenizer(vocabulary: Vocabulary(tokens: tokens, requireSpecialTokens: false), merges: merges)
    }

    @Test func wholeWordUnitsFollowSpacesAndLetters() throws {
        let tokenizer = try Self.tokenizer()
        let vocabulary = try MaskingVocabulary(byteLevel: tokenizer)
        #expect(vocabulary.clsId == 0 && vocabulary.sepId == 2 && vocabulary.maskId == 4 && vocabulary.padId == 1)
        let ids = tokenizer.pieces(of: "hello world,x 你").ids.map(Int.init)
        #expect(tokenizer.tokenize("hello world,x 你") == ["hello", "Ġworld", ",", "x", "Ġ", "ä", "½", "ł"])
        // A piece continues a word when it does not start with Ġ and follows a token ending with a letter (or inside
        // a character).
        let continues = ids.indices.map { index in
            index > 0 && vocabulary.isContinuation[ids[index]] && vocabulary.endsWithLetter![ids[index - 1]]
        }
        #expect(continues == [false, false, true, false, false, false, true, true])
        #expect(!vocabulary.isContinuation[0] && vocabulary.characterId[ids[2]] == Int32(ids[2]))
    }

    @Test func endsWithLetterReadsTheLastCharacter() {
        #expect(MaskingVocabulary.endsWithLetter(Array("abc".utf8)))
        #expect(!MaskingVocabulary.endsWithLetter(Array("ab,".utf8)))
        #expect(MaskingVocabulary.endsWithLetter(Array("好".utf8)))
        #expect(!MaskingVocabulary.endsWithLetter(Array("，".utf8)))
        #expect(MaskingVocabulary.endsWithLetter(Array("好".utf8).dropLast()))   // cut inside a character
        #expect(!MaskingVocabulary.endsWithLetter(Array("1".utf8)))
    }

    @Test func wholeWordSegmentationNeedsWordPiece() throws {
        let tokenizer = try Self.tokenizer()
        let tables = try WholeWordTables(tokenizer: tokenizer, segmenter: nil, source: "bpe")
        #expect(tables.byteLevel != nil && tables.tokenizer == nil)
        var encoder = DocumentEncoder(tables: tables, splitSentencesOnLines: true)
        let text = "  hello world \nhello".unicodeScalars.map(\.value)
        var ids = [Int32](), lengths = [Int32]()
        let sentences = text.withUnsafeBufferPointer {
            encoder.encode($0, range: 0..<text.count, ids: &ids, sentenceLengths: &lengths)
        }
        #expect(sentences == 2)
        #expect(ids.map { tokenizer.vocabulary.tokens[Int($0)] } == ["hello", "Ġworld", "hello"])
        #expect(lengths == [2, 1])
    }
}
