#!/usr/bin/env python3
"""Checks that Hugging Face loads the tokenizer of a model folder ernie wrote, and tokenizes as ernie does.

Run by developers (never by CI; no torch needed):

    pip install transformers tokenizers
    python tools/hf_folder_check.py DIR [--corpus FILE ...] [--ernie .build/release/ernie] [--limit N]

DIR is an `ernie pretrain` model_<step>/model_last or an `ernie finetune` output folder (final model, best_model/,
checkpoint-<step>/). The script checks that

1. DIR has vocab.txt, tokenizer.json, tokenizer_config.json and special_tokens_map.json, and that
   tokenizer_config.json's model_max_length is config.json's max_position_embeddings (a difference is reported, not
   failed: a source folder's own model_max_length is carried through);
2. `AutoTokenizer.from_pretrained(DIR)` gives a fast BERT tokenizer whose settings (do_lower_case, strip_accents,
   tokenize_chinese_chars) are those of tokenizer_config.json;
3. for every line of a built-in mixed Chinese/English corpus (cased words, accents, CJK, emoji, typed special tokens)
   plus the --corpus files, the ids and character offsets with [CLS] … [SEP] equal those of
   `ernie tokenize --tokenizer_name_or_path DIR --add_special_tokens true`.

Exit status: 0 when everything matches, 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

# Our own text: what a wrong casing, accent or CJK setting would tokenize differently.
BUILTIN = [
    "Hello World, this is a Test.",
    "HELLO hello Hello hELLo",
    "The quick brown fox jumps over the lazy dog.",
    "Café naïve résumé Ångström ÉCOLE",
    "Αθήνα Москва İstanbul straße",
    "今天天气很好，我们去公园散步吧。",
    "北京大学的学生在2023年发表了100篇论文，其中很多论文被国际会议接收。",
    "iPhone 15 Pro 的价格是 7999 元，比 Galaxy S24 贵。",
    "我爱NLP和Deep Learning！😀👍",
    "[CLS] 你好 [SEP] World [MASK] [PAD] [UNK]",
    "ＡＢＣ全角字母 and ｈａｌｆ",
    "e-mail: someone@example.com, url https://example.com/a?b=c",
    "  leading and trailing spaces  ",
    "\ttabs\tand\u3000ideographic space\u00a0nbsp",
    "",
    "supercalifragilisticexpialidocious" * 4,
]


def read_lines(path, limit):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines[:limit] if limit else lines


def ernie_pieces(ernie, directory, lines):
    with tempfile.TemporaryDirectory() as work:
        corpus = os.path.join(work, "corpus.txt")
        output = os.path.join(work, "out.jsonl")
        with open(corpus, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        subprocess.run([ernie, "tokenize", "--tokenizer_name_or_path", directory, "--add_special_tokens", "true",
                        "--input", corpus, "--output", output], check=True)
        with open(output, encoding="utf-8") as f:
            return [json.loads(line) for line in f]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--corpus", action="append", default=[], help="UTF-8 text, one line per input (repeatable)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many lines of each corpus file")
    parser.add_argument("--ernie", default=os.path.join(ROOT, ".build", "release", "ernie"))
    args = parser.parse_args()
    directory = args.directory
    failures = []

    missing = [name for name in FILES if not os.path.exists(os.path.join(directory, name))]
    if missing:
        failures.append(f"missing files: {missing}")
    config = {}  # an old-layout folder (vocab.txt alone) is still compared, to show what goes wrong
    if os.path.exists(os.path.join(directory, "tokenizer_config.json")):
        with open(os.path.join(directory, "tokenizer_config.json"), encoding="utf-8") as f:
            config = json.load(f)
    model_config_path = os.path.join(directory, "config.json")
    if os.path.exists(model_config_path):
        with open(model_config_path, encoding="utf-8") as f:
            positions = json.load(f).get("max_position_embeddings")
        note = "" if positions == config.get("model_max_length") else "  (differs: carried from the source folder?)"
        print(f"model_max_length {config.get('model_max_length')}, max_position_embeddings {positions}{note}")

    import transformers
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(directory)
    print(f"transformers {transformers.__version__}: {type(tokenizer).__name__}, fast={tokenizer.is_fast}, "
          f"model_max_length={tokenizer.model_max_length}")
    normalizer = json.loads(tokenizer.backend_tokenizer.normalizer.__getstate__())
    print(f"normalizer {normalizer}")
    expected = {"lowercase": config.get("do_lower_case"), "strip_accents": config.get("strip_accents"),
                "handle_chinese_chars": config.get("tokenize_chinese_chars")}
    for key, value in expected.items():
        if config and normalizer.get(key) != value:
            failures.append(f"normalizer {key} is {normalizer.get(key)!r}, tokenizer_config.json says {value!r}")
    if not tokenizer.is_fast:
        failures.append("AutoTokenizer did not load a fast tokenizer")

    lines = list(BUILTIN)
    for path in args.corpus:
        lines += read_lines(path, args.limit)
    # ernie reads lines: a text cannot hold a line break.
    lines = [line.replace("\r", " ") for line in lines]
    ours = ernie_pieces(args.ernie, directory, lines)
    if len(ours) != len(lines):
        failures.append(f"ernie tokenize wrote {len(ours)} lines for {len(lines)}")
    encoded = tokenizer(lines, add_special_tokens=True, return_offsets_mapping=True)
    differing = 0
    for index, (line, mine) in enumerate(zip(lines, ours)):
        ids = encoded["input_ids"][index]
        offsets = [list(o) for o in encoded["offset_mapping"][index]]
        if ids != mine["ids"] or offsets != mine["offsets"]:
            differing += 1
            if differing <= 5:
                print(f"line {index + 1} differs: {line[:80]!r}\n  hf    {tokenizer.convert_ids_to_tokens(ids)[:40]}\n"
                      f"  ernie {mine['tokens'][:40]}")
    tokens = sum(len(ids) for ids in encoded["input_ids"])
    print(f"{len(lines)} lines, {tokens} tokens: {len(lines) - differing} identical (ids and offsets), {differing} differ")
    if differing:
        failures.append(f"{differing} lines tokenize differently")

    for failure in failures:
        print("FAIL:", failure)
    print("OK" if not failures else "MISMATCH")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
