#!/usr/bin/env python3
"""Reference speed of the `sentencepiece` library (C++ under Python), one thread, one line at a time, on the
`ernie bench tokenize` text (People's Daily 1998, tags removed) or --input:

    python3 tools/bench_sentencepiece_reference.py --model M.model [--input FILE] [--proto]
    .build/release/ernie bench tokenize --sentencepiece M.model [--input FILE]      # ernie's side
    # ERNIE-M's tokenizer (transformers 4.x ErnieMTokenizer over sentencepiece), from an ERNIE-M folder:
    /work/venv-tf440/bin/python tools/bench_sentencepiece_reference.py --ernie_m FOLDER [--input FILE]
    .build/release/ernie bench tokenize --tokenizer FOLDER [--input FILE]

Default: `sp.encode(line)` (ids only, the library's fastest call); --proto also returns offsets, as ernie does.
"""
import argparse
import json
import os
import sys
import time

import sentencepiece as spm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_text_goldens as goldens  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--model")
parser.add_argument("--ernie_m", help="an ERNIE-M folder: time transformers' ErnieMTokenizer instead")
parser.add_argument("--input")
parser.add_argument("--passes", type=int, default=3)
parser.add_argument("--proto", action="store_true")
args = parser.parse_args()

if args.input:
    lines = open(args.input, encoding="utf-8", errors="replace").read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    name = os.path.basename(args.input)
else:
    lines = goldens.corpus_lines("peoples_daily")
    name = "peoples_daily"
size = sum(len(line.encode()) + 1 for line in lines)
if args.ernie_m:
    from transformers import ErnieMTokenizer
    tok = ErnieMTokenizer.from_pretrained(args.ernie_m)
else:
    sp = spm.SentencePieceProcessor(model_file=args.model, num_threads=1)
times = []
for _ in range(args.passes):
    start = time.perf_counter()
    tokens = 0
    if args.ernie_m:
        for line in lines:
            tokens += len(tok(line, add_special_tokens=False)["input_ids"])
    elif args.proto:
        for line in lines:
            tokens += len(sp.encode(line, return_type="proto").pieces)
    else:
        for line in lines:
            tokens += len(sp.encode(line))
    times.append(time.perf_counter() - start)
seconds = min(times)
impl = "ErnieMTokenizer" if args.ernie_m else "sentencepiece " + spm.__version__ + (" proto" if args.proto else "")
print(json.dumps({"bench": "tokenize_reference", "impl": impl,
                  "vocab": os.path.basename(os.path.normpath(args.ernie_m or args.model)), "corpus": name, "lines": len(lines), "value": size / seconds / 1e6,
                  "unit": "MB/s", "tokens_per_s": tokens / seconds, "us_per_line": seconds / len(lines) * 1e6}))
