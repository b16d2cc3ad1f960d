import ArgumentParser
import ErnieData
import ErnieText
import ErnieTraining
import Foundation

/// Hugging Face `run_language_modeling.py`'s flags on `ernie pretrain` (the domain-adaptive pretraining people run on
/// a text file): the file is prepared into token files cached beside the output (`output_dir/lm_data/`, reused until
/// the text changes or `--overwrite_cache`), then trained MLM-only. `--line_by_line`: each non-blank line is a
/// document, so no sample crosses lines (lines of ≤ 10 characters are dropped, as `ernie prepare` drops them);
/// otherwise blank-line-separated documents are packed into samples of up to `--block_size` tokens (whole lines, where
/// HF's TextDataset cuts the token stream at exact block boundaries). Masking is ernie's (PaddleNLP's n-gram masking at
/// `--mlm_probability`, new masks every epoch, as HF's collator draws them per batch); `--whole_word_mask` masks whole
/// jieba words of Chinese text (what HF's `--train_ref_file` is made for; the ref file itself is accepted and not read).
struct LanguageModelingOptions: ParsableArguments {
    @Option(name: .customLong("train_data_file"), help: "A text file to pretrain on (HF run_language_modeling.py).") var trainDataFile: String?
    @Option(name: .customLong("eval_data_file"), help: "A text file to evaluate on (with --train_data_file).") var evalDataFile: String?
    @Option(name: .customLong("line_by_line"), help: "Each non-blank line is one sample's text (true|false).") var lineByLine = false
    @Option(name: .customLong("mlm"), help: "Masked-LM loss: required for BERT-family models (true|false).") var mlm = false
    @Option(name: .customLong("mlm_probability"), parsing: .unconditional, help: "Alias of --masked_lm_prob.") var mlmProbability: Double?
    @Option(name: .customLong("block_size"), parsing: .unconditional, help: "Alias of --max_seq_len; ≤ 0: the model's maximum.") var blockSize: Int?
    @Option(name: .customLong("whole_word_mask"), help: "Mask whole jieba words (Chinese; true|false).") var wholeWordMask = false
    @Option(name: [.customLong("train_ref_file"), .customLong("eval_ref_file")], help: "Accepted: words come from jieba.") var refFile: String?
    @Option(name: .customLong("overwrite_cache"), help: "Prepare the text again even when the cache is current (true|false).") var overwriteCache = false
    @Option(name: .customLong("tokenizer_name"), help: "Alias of --tokenizer_name_or_path.") var tokenizerName: String?
    @Option(name: .customLong("config_name"), help: "A config.json (or its folder, or a preset) to train from scratch.") var configName: String?
    @Option(name: .customLong("cache_dir"), help: "Accepted (nothing is downloaded).") var cacheDir: String?
    @Option(name: .customLong("plm_probability"), parsing: .unconditional, help: "XLNet only: not used.") var plmProbability: Double?
    @Option(name: .customLong("max_span_length"), parsing: .unconditional, help: "XLNet only: not used.") var maxSpanLength: Int?

    var isActive: Bool { trainDataFile != nil }

    /// Prepares the text files (or reuses the cache) and points `configuration` at them.
    func apply(to configuration: inout PretrainingConfiguration, tokenizerPath: String?) throws {
        guard let trainDataFile else {
            if evalDataFile != nil { throw ValidationError("--eval_data_file needs --train_data_file") }
            return
        }
        guard mlm else {
            throw ValidationError("BERT-family models have masked-LM heads, not LM heads: pass --mlm (causal language modeling is not built)")
        }
        if plmProbability != nil || maxSpanLength != nil { throw ValidationError("--plm_probability / --max_span_length are XLNet's permutation LM: not built") }
        guard let tokenizerPath = tokenizerName ?? tokenizerPath ?? Self.modelFolderTokenizer(configuration.modelNameOrPath) else {
            throw ValidationError("--train_data_file needs a tokenizer: --tokenizer_name (a folder with vocab.txt, tokenizer.json or vocab.json + merges.txt; or the vocab.txt file)")
        }
        let tokenizer = try TokenizerLocation.tokenizer(tokenizerPath, flag: "--tokenizer_name")
        let cache = (configuration.outputDir as NSString).appendingPathComponent("lm_data")
        func prepared(_ file: String, name: String) throws -> String {
            let prefix = (cache as NSString).appendingPathComponent(name)
            let index = prefix + "_idx.npz"
            let modified = { (path: String) in (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil }
            let settings = "\(lineByLine) \(wholeWordMask) \(tokenizerPath)"
            let stamp = prefix + ".settings"
            if !overwriteCache, let built = modified(index), let source = modified(file), built >= source,
               (try? String(contentsOfFile: stamp, encoding: .utf8)) == settings {
                return prefix
            }
            try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
            var options = PrepareOptions()
            options.inputFormat = lineByLine ? .lines : .text
            options.splitSentences = true
            options.chinese = true
            options.wholeWordSegment = wholeWordMask
            options.logInterval = 0
            let statistics = try Prepare.prepare(inputPaths: [file], outputPrefix: prefix, tokenizer: tokenizer, tokenizerSource: tokenizerPath,
                                                 options: options)
            guard statistics.documents > 0 else { throw ValidationError("\(file): no usable text (every line blank or of ≤ 10 characters)") }
            try settings.write(toFile: stamp, atomically: true, encoding: .utf8)
            return prefix
        }
        configuration.inputDir = try prepared(trainDataFile, name: "train")
        configuration.inputFormat = .mmap
        configuration.tokenizerNameOrPath = tokenizerPath
        configuration.binaryHead = false
        configuration.split = "1,0,0"
        if let evalDataFile { configuration.evalInputDir = try prepared(evalDataFile, name: "eval") }
        if let mlmProbability { configuration.maskedLMProb = mlmProbability }
        if let blockSize, blockSize > 0 { configuration.maxSeqLen = blockSize }
        if let configName {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: configName, isDirectory: &isFolder), !isFolder.boolValue {
                configuration.modelNameOrPath = (configName as NSString).deletingLastPathComponent
            } else {
                configuration.modelNameOrPath = configName
            }
        }
    }

    static func modelFolderTokenizer(_ path: String) -> String? {
        ["vocab.txt", "tokenizer.json", "vocab.json"].contains {
            FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent($0))
        } ? path : nil
    }
}
