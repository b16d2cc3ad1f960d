#!/usr/bin/env python3
"""Checks that a byte-level BPE folder written by ernie (`ernie vocab --type bpe`, ByteLevelBPEFiles) loads with
`AutoTokenizer.from_pretrained` to the tokenizer ernie uses: RobertaTokenizer, <mask> stripping on the left, and the
same ids, tokens and offsets as RobertaTokenizerFast over the folder's vocab.json + merges.txt on our hand cases.

    python3 tools/bpe_folder_check.py FOLDER [--train_input FILE --vocab_size N --min_frequency M]

With --train_input, also trains tokenizers.ByteLevelBPETokenizer on FILE with the same settings and compares its
vocab.json and merges.txt with the folder's byte for byte. Prints one line per check; exits 1 on a difference.
"""
import argparse
import filecmp
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("RUST_BACKTRACE", "0")
import bpe_goldens  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("folder")
parser.add_argument("--train_input")
parser.add_argument("--vocab_size", type=int, default=30000)
parser.add_argument("--min_frequency", type=int, default=2)
args = parser.parse_args()

from transformers import AutoTokenizer  # noqa: E402

failures = 0


def check(name, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""))
    failures += 0 if ok else 1


auto = AutoTokenizer.from_pretrained(args.folder)
check("AutoTokenizer class", type(auto).__name__ in ("RobertaTokenizer", "RobertaTokenizerFast"), type(auto).__name__)
check("<mask> strips on the left", auto.added_tokens_decoder[auto.mask_token_id].lstrip)
reference = bpe_goldens.tokenizer(auto.add_prefix_space if hasattr(auto, "add_prefix_space") else False, folder=args.folder)
texts = bpe_goldens.CASES + bpe_goldens.EMOJI_LINES
same = 0
for text in texts:
    a = auto(text, return_offsets_mapping=True)
    b = reference(text, return_offsets_mapping=True)
    if a["input_ids"] == b["input_ids"] and a["offset_mapping"] == b["offset_mapping"]:
        same += 1
    elif same >= 0:
        print("  differs:", repr(text), a["input_ids"][:12], b["input_ids"][:12])
check(f"same ids and offsets on {len(texts)} texts", same == len(texts), f"{same} of {len(texts)}")
pair = auto("Hello world", "second text")
check("pair template <s> A </s></s> B </s>",
      auto.convert_ids_to_tokens(pair["input_ids"])[:1] == ["<s>"] and pair["input_ids"].count(auto.sep_token_id) == 3)

if args.train_input:
    from tokenizers import ByteLevelBPETokenizer

    trainer = ByteLevelBPETokenizer()
    trainer.train([args.train_input], vocab_size=args.vocab_size, min_frequency=args.min_frequency,
                  special_tokens=bpe_goldens.SPECIALS, show_progress=False)
    out = tempfile.mkdtemp()
    trainer.save_model(out)
    for name in ("vocab.json", "merges.txt"):
        check(f"{name} identical to tokenizers' training", filecmp.cmp(os.path.join(out, name),
                                                                       os.path.join(args.folder, name), shallow=False))
sys.exit(1 if failures else 0)
