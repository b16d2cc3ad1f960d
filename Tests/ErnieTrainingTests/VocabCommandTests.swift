import Foundation
import Testing

/// `ernie vocab --type sentencepiece` through the binary: spm_train's flags, `<prefix>.model` + `<prefix>.vocab`,
/// a model `ernie tokenize` then reads, and refusals that name the problem.
@Suite struct VocabCommandTests {
    @Test(.enabled(if: KillAndResumeTests.binary != nil, KillAndResumeTests.binaryAbsent))
    func trainsAModelTokenizeReads() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-sp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let words = ["the", "model", "reads", "tokens", "from", "lines", "of", "text", "and", "writes", "pieces", "一个", "模型"]
        var state: UInt64 = 5
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        for name in ["a.txt", "b.txt"] {
            let lines = (0..<300).map { _ in (0..<(3 + next() % 8)).map { _ in words[next() % words.count] }.joined(separator: " ") }
            try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let inputs = ["a.txt", "b.txt"].map { directory.appendingPathComponent($0).path }.joined(separator: ",")
        let prefix = directory.appendingPathComponent("sp").path
        let trained = try ErnieBinary.run(["vocab", "--type", "sentencepiece", "--input", inputs, "--model_prefix", prefix,
                                      "--vocab_size", "36", "--split_by_whitespace", "True", "--user_defined_symbols", "[MASK]"])
        #expect(trained.status == 0, "\(trained.errors)")
        #expect(trained.errors.contains("unigram SentencePiece, 36 pieces from 600 sentences"), "\(trained.errors)")
        let vocab = try String(contentsOfFile: prefix + ".vocab", encoding: .utf8).split(separator: "\n")
        #expect(vocab.count == 36)
        #expect(vocab.prefix(4).map { String($0.split(separator: "\t")[0]) } == ["<unk>", "<s>", "</s>", "[MASK]"])
        #expect(vocab.contains { $0.hasPrefix("▁model\t") })

        let text = directory.appendingPathComponent("one.txt")
        try "the model [MASK] 模型\n".write(to: text, atomically: true, encoding: .utf8)
        let tokenized = try ErnieBinary.run(["tokenize", "--sentencepiece_model_file", prefix + ".model", "--input", text.path, "--output", "-"])
        #expect(tokenized.status == 0, "\(tokenized.errors)")
        #expect(tokenized.output.contains("\"[MASK]\"") && tokenized.output.contains("\"▁"), "\(tokenized.output)")

        // Refusals: BPE training, an output over an input, and too small a vocabulary.
        let bpe = try ErnieBinary.run(["vocab", "--type", "sentencepiece", "--model_type", "bpe", "--input", inputs, "--model_prefix", prefix])
        #expect(bpe.status != 0 && bpe.errors.contains("ernie trains unigram"), "\(bpe.errors)")
        let same = try ErnieBinary.run(["vocab", "--type", "sentencepiece", "--input", prefix + ".vocab", "--model_prefix", prefix])
        #expect(same.status != 0 && same.errors.contains("would overwrite the --input file"), "\(same.errors)")
        let small = try ErnieBinary.run(["vocab", "--type", "sentencepiece", "--input", inputs, "--model_prefix", prefix, "--vocab_size", "10"])
        #expect(small.status != 0 && small.errors.contains("Vocabulary size is smaller than required_chars"), "\(small.errors)")
    }
}
