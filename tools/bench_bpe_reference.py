#!/usr/bin/env python3
"""Reference speed of Hugging Face's RobertaTokenizerFast (Rust tokenizers under transformers), one thread, one line at
a time with offsets, on the `ernie bench tokenize` text (People's Daily 1998, tags removed) or --input:

    python3 tools/bench_bpe_reference.py [--tokenizer FOLDER] [--input FILE]
    .build/release/ernie bench tokenize --tokenizer FOLDER [--input FILE]      # the same lines, ernie's side

FOLDER holds vocab.json + merges.txt (default: the test fixture, Tests/ErnieTextTests/Fixtures/bpe); <mask> strips
on the left as in RoBERTa. The text is read as `BenchCorpus` reads it (lines split on "\\n").
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("RAYON_NUM_THREADS", "1")
import bpe_goldens  # noqa: E402
import make_text_goldens as goldens  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--tokenizer", default=bpe_goldens.FIX)
parser.add_argument("--input")
parser.add_argument("--passes", type=int, default=3)
args = parser.parse_args()

if args.input:
    text = open(args.input, encoding="utf-8", errors="replace").read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    name = os.path.basename(args.input)
else:
    lines = goldens.corpus_lines("peoples_daily")
    name = "peoples_daily"
size = sum(len(line.encode()) + 1 for line in lines)

tok = bpe_goldens.tokenizer(False, folder=args.tokenizer)
times = []
tokens = 0
for _ in range(args.passes):
    start = time.perf_counter()
    tokens = 0
    for line in lines:
        tokens += len(tok(line, add_special_tokens=False, return_offsets_mapping=True)["input_ids"])
    times.append(time.perf_counter() - start)
seconds = min(times)
print(json.dumps({"bench": "tokenize_reference", "impl": "RobertaTokenizerFast", "vocab": os.path.basename(os.path.normpath(args.tokenizer)),
                  "corpus": name, "lines": len(lines), "value": size / seconds / 1e6, "unit": "MB/s",
                  "tokens_per_s": tokens / seconds, "us_per_line": seconds / len(lines) * 1e6}))
