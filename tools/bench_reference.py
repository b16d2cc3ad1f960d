#!/usr/bin/env python3
"""Reference speeds on the `ernie bench tokenize|segment` text (People's Daily 1998, tags removed), one thread:
HF BertTokenizerFast (Rust tokenizers) encoding one line at a time with offsets, and jieba 0.42.1 lcut (HMM on/off).

    /path/to/venv/bin/python tools/bench_reference.py [vocab.txt]
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("RAYON_NUM_THREADS", "1")
import make_text_goldens as goldens  # noqa: E402

lines = goldens.corpus_lines("peoples_daily")
size = sum(len(line.encode()) + 1 for line in lines)


def best_of(passes, run):
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


from transformers import BertTokenizerFast  # noqa: E402

vocab = sys.argv[1] if len(sys.argv) > 1 else goldens.MINILM_VOCAB
tok = BertTokenizerFast(vocab_file=vocab, do_lower_case=True)
seconds = best_of(3, lambda: [tok(line, add_special_tokens=False, return_offsets_mapping=True) for line in lines])
print(json.dumps({"bench": "tokenize_reference", "impl": "BertTokenizerFast", "vocab": os.path.basename(os.path.dirname(vocab)),
                  "value": size / seconds / 1e6, "unit": "MB/s"}))
import jieba  # noqa: E402

jieba.setLogLevel(60)
jieba.initialize()
for hmm in (True, False):
    seconds = best_of(1, lambda: [jieba.lcut(line, HMM=hmm) for line in lines])
    print(json.dumps({"bench": "segment_reference", "impl": "jieba " + jieba.__version__, "hmm": hmm,
                      "value": size / seconds / 1e6, "unit": "MB/s"}))
