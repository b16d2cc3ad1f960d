/// Boolean options as PaddleNLP's and Hugging Face's scripts write them: every boolean option of every command takes
/// `true|false|True|False|1|0`, and a bare `--name` means true. swift-argument-parser knows only `--name true|false`,
/// so the command line is rewritten to that before parsing.
enum BooleanArguments {
    /// The long names of every boolean option of every command (each name is boolean wherever it appears).
    static let names: Set<String> = [
        "do_train", "do_eval", "do_predict", "load_best_model_at_end", "use_crf", "use_amp", "group_by_length",
        "continue_training", "binary_head", "favor_longer_ngram", "use_recompute", "use_sharding", "greater_is_better",
        "strict", "json", "all_cjk", "add_special_tokens", "split_sentences", "chinese", "cn_whole_word_segment",
        "keep_paragraph_lines", "no_hmm", "keep_duplicates", "keep-duplicates", "no_index_cache", "no-index-cache",
        "auto_truncate", "auto-truncate", "access_log", "do_export",
        // The seeds' booleans (PaddleNLP, Hugging Face Trainer, MindSpore's "true"/"false" strings).
        "fp16", "bf16", "share_folder", "check_accuracy", "enable_addto", "overwrite_output_dir", "recompute", "disable_tqdm",
        "dataloader_drop_last", "distribute", "enable_save_ckpt", "enable_lossscale", "do_shuffle", "enable_data_sink",
        "allreduce_post_accumulation", "enable_global_norm", "train_with_eval", "enable_profiling", "enable_modelarts",
        "mlm", "line_by_line", "whole_word_mask", "overwrite_cache", "remove_unused_columns", "train_data_shuffle",
        "eval_data_shuffle", "with_lstm", "use_pynative_mode", "amp_master_grad", "evaluate_during_training", "use_test_data",
        // spm_train's.
        "split_by_whitespace", "split_by_unicode_script", "split_by_number", "split_digits", "treat_whitespace_as_suffix",
        "allow_whitespace_only_pieces", "byte_fallback", "hard_vocab_limit", "add_dummy_prefix", "remove_extra_whitespaces",
        "peak",
    ]

    static let literals = ["true": "true", "True": "true", "TRUE": "true", "1": "true",
                           "false": "false", "False": "false", "FALSE": "false", "0": "false"]

    /// `arguments` (without the program name) with every boolean option followed by `true` or `false`, and
    /// `--name=` (an empty value) as `--name ""`.
    /// A value that is not a boolean literal is left for the parser to reject with its own message.
    static func normalize(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                result += arguments[(index - 1)...]
                break
            }
            guard argument.hasPrefix("--") else {
                result.append(argument)
                continue
            }
            let body = argument.dropFirst(2)
            if body.hasSuffix("="), !body.dropLast().contains("=") {
                // `--name=""` (MindSpore's scripts pass empty paths so): the parser reads `--name=` as a missing value.
                result += ["--" + body.dropLast(), ""]
                continue
            }
            if let equals = body.firstIndex(of: "="), names.contains(String(body[..<equals])) {
                let value = String(body[body.index(after: equals)...])
                result += ["--" + body[..<equals], literals[value] ?? value]
                continue
            }
            result.append(argument)
            guard names.contains(String(body)) else { continue }
            if index < arguments.count, let literal = literals[arguments[index]] {
                result.append(literal)
                index += 1
            } else if index < arguments.count, !arguments[index].hasPrefix("-") {
                continue  // not a boolean: the parser names the bad value
            } else {
                result.append("true")
            }
        }
        return result
    }
}
