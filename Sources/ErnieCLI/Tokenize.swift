import ArgumentParser
import ErnieBasics
import ErnieText
import Foundation

/// `ernie tokenize`: ids, tokens and offsets per input line, as `BertTokenizerFast` (WordPiece) or
/// `RobertaTokenizerFast` (byte-level BPE) gives them.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "WordPiece, byte-level BPE or SentencePiece tokenization (Hugging Face BertTokenizerFast / RobertaTokenizerFast / ErnieMTokenizer, sentencepiece "
            + "semantics), one JSON line per input line.",
        discussion: """
            Output per line: {"ids": […], "tokens": […], "offsets": [[start, end], …]} with offsets in Unicode scalars \
            (Python string indices) of the input line; [CLS]/[SEP] (BPE: <s>/</s>) only with --add_special_tokens \
            (offsets [0, 0]). Empty lines give empty lists. A vocab.txt is WordPiece; a vocab.json (with merges.txt) \
            or a folder whose tokenizer.json has a BPE model is byte-level BPE. A folder with sentencepiece.bpe.model is \
            ERNIE-M's tokenizer (ErnieMTokenizer); --sentencepiece_model_file alone gives the bare SentencePiece model's \
            pieces and ids (as the sentencepiece library encodes), with --vocab_file vocab.txt ERNIE-M's tokenizer.
            """)

    @Option(name: .customLong("vocab_file"), help: "vocab.txt (WordPiece) or vocab.json (BPE, with --merges_file).")
    var vocabFile: String?

    @Option(name: .customLong("merges_file"), help: "BPE merges.txt; default: the one beside --vocab_file vocab.json.")
    var mergesFile: String?

    @Option(name: .customLong("sentencepiece_model_file"),
            help: "A SentencePiece .model: alone, its own pieces and ids; with --vocab_file vocab.txt, ERNIE-M's tokenizer.")
    var sentencePieceModel: String?

    @Option(name: .customLong("tokenizer_name_or_path"),
            help: "A model directory: tokenizer.json, vocab.txt (+ tokenizer_config.json), or vocab.json + merges.txt.")
    var tokenizerPath: String?

    @Option(name: .customLong("do_lower_case"), help: "WordPiece: lower-case and strip accents (true|false).")
    var doLowerCase: Bool = true

    @Option(name: .customLong("add_prefix_space"), help: "BPE: add a space before each text (true|false); default: the folder's (false).")
    var addPrefixSpace: Bool?

    @Option(name: .customLong("add_special_tokens"), help: "Wrap each line in [CLS] … [SEP] (BPE: <s> … </s>).")
    var addSpecialTokens = false

    @Option(name: .customLong("input"), help: "UTF-8 text file, one text per line.")
    var input: String

    @Option(name: .customLong("output"), help: "JSON-lines output file ('-' for stdout).")
    var output: String

    @Option(name: .customLong("invalid_utf8"), help: "On invalid UTF-8: error, replace (U+FFFD) or skip the line.")
    var invalidUTF8: String = "error"

    /// The output replaces a file only once the command has succeeded, but never the input it reads.
    func validate() throws {
        if FileLocation.same(input, output) {
            throw ValidationError("--output \(output) is the --input file: write to another path")
        }
    }

    func run() throws {
        guard let policy = InvalidUTF8Policy(rawValue: invalidUTF8) else {
            throw ValidationError("--invalid_utf8 must be error, replace or skip")
        }
        if let sentencePieceModel {
            guard tokenizerPath == nil else { throw ValidationError("give --sentencepiece_model_file or --tokenizer_name_or_path, not both") }
            let model = try SentencePieceModel(contentsOf: URL(fileURLWithPath: sentencePieceModel))
            guard let vocabFile else { return try write(model, policy: policy) }
            let vocabulary = try Vocabulary(contentsOf: URL(fileURLWithPath: vocabFile), requireSpecialTokens: false)
            return try write(ErnieMTokenizer(sentencePiece: model, vocabulary: vocabulary), policy: policy)
        }
        var tokenizer: any TextTokenizer
        switch (vocabFile, tokenizerPath) {
        case (let vocab?, nil) where vocab.hasSuffix(".json"):
            let merges = mergesFile ?? (URL(fileURLWithPath: vocab).deletingLastPathComponent().path + "/merges.txt")
            tokenizer = try ByteLevelBPETokenizer(vocabFile: URL(fileURLWithPath: vocab),
                                                  mergesFile: URL(fileURLWithPath: merges))
        case (let vocab?, nil):
            tokenizer = try BertTokenizer(vocabFile: URL(fileURLWithPath: vocab), doLowerCase: doLowerCase)
        case (nil, let path?):
            tokenizer = try TokenizerLocation.tokenizer(path, flag: "--tokenizer_name_or_path")
        default:
            throw ValidationError("give exactly one of --vocab_file and --tokenizer_name_or_path")
        }
        if let addPrefixSpace {
            guard let bpe = tokenizer as? ByteLevelBPETokenizer else {
                throw ValidationError("--add_prefix_space applies to byte-level BPE tokenizers only")
            }
            tokenizer = try bpe.with(addPrefixSpace: addPrefixSpace)
        }
        try write(tokenizer, policy: policy)
    }

    /// The bare SentencePiece model's pieces (unknown runs as their text), ids and offsets per line.
    private func write(_ model: SentencePieceModel, policy: InvalidUTF8Policy) throws {
        let writer = try TextFileWriter(path: output)
        var scratch = SentencePieceModel.Scratch()
        let quotedPieces = model.pieces.map { JSONWriter.quoted($0) }
        try TextLines.forEachLine(path: input, policy: policy) { _, scalars in
            model.encode(scalars: scalars, scratch: &scratch)
            let count = scratch.ids.count
            var line = "{\"ids\": [" + scratch.ids.map { String($0) }.joined(separator: ", ") + "], \"tokens\": ["
            line += (0..<count).map { index in
                Int(scratch.ids[index]) == model.unknownId ? JSONWriter.quoted(model.piece(at: index, of: scratch))
                                                           : quotedPieces[Int(scratch.ids[index])]
            }.joined(separator: ", ")
            line += "], \"offsets\": [" + (0..<count).map { "[\(scratch.begins[$0]), \(scratch.ends[$0])]" }.joined(separator: ", ") + "]}\n"
            writer.write(line)
        }
        try writer.close()
    }

    /// One JSON line per input line (generic, so the tokenizer's scratch type is known).
    private func write<Tokenizer: TextTokenizer>(_ tokenizer: Tokenizer, policy: InvalidUTF8Policy) throws {
        let cls = Int32(tokenizer.classifierTokenId)
        let sep = Int32(tokenizer.separatorTokenId)
        let writer = try TextFileWriter(path: output)
        var pieces = TokenPieces()
        var scratch = tokenizer.makeScratch()
        // JSON of each token once, not per occurrence.
        let quotedTokens = tokenizer.vocabulary.tokens.map { JSONWriter.quoted($0) }
        try TextLines.forEachLine(path: input, policy: policy) { _, scalars in
            pieces.removeAll()
            if addSpecialTokens { pieces.append(cls, 0, 0) }
            tokenizer.appendPieces(of: scalars, to: &pieces, scratch: &scratch)
            if addSpecialTokens { pieces.append(sep, 0, 0) }
            var line = "{\"ids\": ["
            line += pieces.ids.map { String($0) }.joined(separator: ", ")
            line += "], \"tokens\": ["
            line += pieces.ids.map { quotedTokens[Int($0)] }.joined(separator: ", ")
            line += "], \"offsets\": ["
            line += (0..<pieces.count).map { "[\(pieces.starts[$0]), \(pieces.ends[$0])]" }.joined(separator: ", ")
            line += "]}\n"
            writer.write(line)
        }
        try writer.close()
    }
}
