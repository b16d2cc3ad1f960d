#!/usr/bin/env python3
"""Speed comparison for ErnieData's index building against PaddleNLP's C++ helper (developers only).

1. Writes a synthetic corpus in PaddleNLP's layout (<dir>/synth_ids.npy, synth_idx.npz, vocab.txt) with numpy.
2. If PaddleNLP's compiled helpers are importable (`pip install tool_helpers`), times `build_mapping` for the train
   split and saves the result under PaddleNLP's cache name in <dir>/paddle/ for an exact comparison.
3. Prints the `ernie samples` command to time ours; then `--compare` checks the two maps are equal.

Usage: python3 tools/data_bench.py /tmp/ernie-bench [--documents 1000000] [--samples 10000000]
       python3 tools/data_bench.py /tmp/ernie-bench --compare
"""
import argparse
import os
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=10_000_000)
    parser.add_argument("--max_seq_len", type=int, default=512)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    os.makedirs(os.path.join(args.folder, "paddle"), exist_ok=True)
    os.makedirs(os.path.join(args.folder, "ours"), exist_ok=True)
    prefix = os.path.join(args.folder, "synth")
    name = "synth_train_indexmap_%dmns_%dmsl_0.10ssp_1234s.npy" % (args.samples, args.max_seq_len - 3)
    if args.compare:
        a = np.load(os.path.join(args.folder, "paddle", name), mmap_mode="r")
        b = np.load(os.path.join(args.folder, "ours", name), mmap_mode="r")
        print("paddle", a.shape, a.dtype, "ours", b.shape, b.dtype, "equal:", bool(a.shape == b.shape and np.array_equal(a, b)))
        return

    rng = np.random.default_rng(7)
    if not os.path.exists(prefix + "_idx.npz"):
        sentences = rng.integers(1, 13, size=args.documents)  # sentences per document
        lens = rng.integers(5, 61, size=int(sentences.sum())).astype(np.int32)
        docs = np.zeros(args.documents + 1, dtype=np.int64)
        np.cumsum(sentences, out=docs[1:])
        ids = rng.integers(5, 3005, size=int(lens.sum()), dtype=np.uint16)
        np.save(prefix + "_ids.npy", ids)
        np.savez(prefix + "_idx.npz", lens=lens, docs=docs)
        with open(os.path.join(args.folder, "vocab.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"] + [chr(0x4E00 + k) for k in range(3000)]) + "\n")
        print("corpus: %d documents, %d sentences, %d tokens" % (args.documents, len(lens), len(ids)))

    try:
        from tool_helpers import helpers
    except ImportError:
        helpers = None
        print("PaddleNLP helpers not installed (pip install tool_helpers): skipping its timing")
    if helpers is not None:
        index = np.load(prefix + "_idx.npz")
        lens, docs = index["lens"], index["docs"]
        total = len(docs) - 1
        train_end = 0 + int(round(0.949 * total))  # 949,50,1 (exact PaddleNLP arithmetic differs only at .5)
        splits = [0, train_end]
        start = time.time()
        mapping = helpers.build_mapping(docs[splits[0]:splits[1] + 1], lens, np.iinfo(np.int32).max - 1, args.samples,
                                        args.max_seq_len - 3, 0.1, 1234, False, 2)
        elapsed = time.time() - start
        np.save(os.path.join(args.folder, "paddle", name), mapping)
        print("PaddleNLP build_mapping: %d samples in %.3f s" % (len(mapping), elapsed))
    print("now: ernie samples --input_dir %s --tokenizer_name_or_path %s --max_seq_len %d --num_samples %d --count 20000 "
          "--cache_dir %s --output /dev/null" % (prefix, args.folder, args.max_seq_len, args.samples, os.path.join(args.folder, "ours")))


if __name__ == "__main__":
    main()
