import ErnieBasics
import Foundation

extension UnigramTrainer {
    /// `Serialize`: meta pieces at their ids, the trained pieces in score order around them, and the trainer and
    /// normaliser specs (every field the library reads, written explicitly).
    /// - Throws: when `hard_vocab_limit` is on and the corpus gave fewer pieces than `vocab_size`.
    func serialize(_ pieces: ScoredPieces) throws -> [UInt8] {
        let total = pieces.count + metaPieces.count
        if options.hardVocabLimit && total != options.vocabSize {
            throw SentencePieceError.invalidTrainerOptions("Vocabulary size too high (\(options.vocabSize)). Please set it to a value <= \(total) (or --hard_vocab_limit false).")
        }
        var model = ProtobufWriter()
        var next = 0
        for id in 0..<options.vocabSize {
            var entry = ProtobufWriter()
            if let meta = metaPieces[id] {
                entry.appendString(field: 1, meta.piece)
                entry.appendFloat(field: 2, 0)
                entry.appendInt64(field: 3, Int64(meta.type.rawValue))
            } else if next < pieces.count {
                entry.appendLengthDelimited(field: 1, pieces[next].piece)
                entry.appendFloat(field: 2, pieces[next].score)
                next += 1
            } else {
                continue
            }
            model.appendLengthDelimited(field: 1, entry.bytes)
        }

        var trainer = ProtobufWriter()
        trainer.appendInt64(field: 3, Int64(SentencePieceModel.Algorithm.unigram.rawValue))
        trainer.appendInt64(field: 4, Int64(options.hardVocabLimit ? options.vocabSize : total))
        trainer.appendFloat(field: 10, Float(options.characterCoverage))
        trainer.appendInt64(field: 14, Int64(options.seedSentencePieceSize))
        trainer.appendFloat(field: 15, options.shrinkingFactor)
        trainer.appendInt64(field: 16, Int64(options.numThreads))
        trainer.appendInt64(field: 17, Int64(options.numSubIterations))
        trainer.appendInt64(field: 18, Int64(options.maxSentenceLength))
        trainer.appendInt64(field: 20, Int64(options.maxSentencePieceLength))
        trainer.appendInt64(field: 21, options.splitByUnicodeScript ? 1 : 0)
        trainer.appendInt64(field: 22, options.splitByWhitespace ? 1 : 0)
        trainer.appendInt64(field: 23, options.splitByNumber ? 1 : 0)
        trainer.appendInt64(field: 24, options.treatWhitespaceAsSuffix ? 1 : 0)
        trainer.appendInt64(field: 25, options.splitDigits ? 1 : 0)
        trainer.appendInt64(field: 26, options.allowWhitespaceOnlyPieces ? 1 : 0)
        for symbol in options.controlSymbols { trainer.appendString(field: 30, symbol) }
        for symbol in options.userDefinedSymbols { trainer.appendString(field: 31, symbol) }
        trainer.appendInt64(field: 33, options.hardVocabLimit ? 1 : 0)
        trainer.appendInt64(field: 35, options.byteFallback ? 1 : 0)
        trainer.appendInt64(field: 40, Int64(options.unknownId))
        trainer.appendInt64(field: 41, Int64(options.beginId))
        trainer.appendInt64(field: 42, Int64(options.endId))
        trainer.appendInt64(field: 43, Int64(options.paddingId))
        trainer.appendString(field: 45, options.unknownPiece)
        trainer.appendString(field: 46, options.beginPiece)
        trainer.appendString(field: 47, options.endPiece)
        trainer.appendString(field: 48, options.paddingPiece)
        model.appendLengthDelimited(field: 2, trainer.bytes)

        var normalizer = ProtobufWriter()
        normalizer.appendString(field: 1, normalizerFile.normalizerName)
        if !normalizerFile.precompiledCharsmap.isEmpty {
            normalizer.appendLengthDelimited(field: 2, normalizerFile.precompiledCharsmap)
        }
        normalizer.appendInt64(field: 3, options.addDummyPrefix ? 1 : 0)
        normalizer.appendInt64(field: 4, options.removeExtraWhitespaces ? 1 : 0)
        normalizer.appendInt64(field: 5, 1)
        model.appendLengthDelimited(field: 3, normalizer.bytes)
        return model.bytes
    }
}
