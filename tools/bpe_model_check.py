#!/usr/bin/env python3
"""Checks a model folder with a byte-level BPE tokenizer (RoBERTa: vocab.json + merges.txt) end to end against
transformers: what `ernie predict` and `ernie encode` compute from raw text equals what `AutoTokenizer` +
`AutoModelFor…` compute from the same folder.

Run by developers (never by CI):

    pip install torch transformers
    python3 tools/bpe_model_check.py DIR --input TEXTS [--ernie .build/release/ernie] [--tolerance 1e-4]
    /work/venv-tf440/bin/python tools/bpe_model_check.py DIR --input TEXTS --tokenizer_class ErnieM   # ERNIE-M

DIR is an `ernie finetune --task_name seq-cls` output (or any folder with a sequence-classification head); TEXTS has
one text per line. The script checks that

1. `AutoTokenizer.from_pretrained(DIR)` loads a RoBERTa tokenizer and `AutoModelForSequenceClassification` loads
   the weights with no missing or unexpected keys;
2. for every line, `ernie predict`'s label equals the argmax of transformers' logits and its confidence the softmax
   maximum (within the tolerance);
3. `ernie encode` (the base model, no head) gives transformers' last hidden state for every line (within the
   tolerance, relative to the largest magnitude).

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

import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

parser = argparse.ArgumentParser()
parser.add_argument("folder")
parser.add_argument("--input", required=True)
parser.add_argument("--ernie", default=os.path.join(ROOT, ".build/release/ernie"))
parser.add_argument("--tolerance", type=float, default=1e-4)
parser.add_argument("--max_length", type=int, default=128)
parser.add_argument("--tokenizer_class", default="Roberta",
                    help="the class AutoTokenizer must give (prefix): Roberta; ErnieM for an ERNIE-M folder (transformers 4.x)")
args = parser.parse_args()

failures = 0


def check(ok, message):
    global failures
    print(("ok   " if ok else "FAIL ") + message)
    failures += 0 if ok else 1


texts = [line.rstrip("\n") for line in open(args.input, encoding="utf-8")]
tokenizer = AutoTokenizer.from_pretrained(args.folder)
check(type(tokenizer).__name__.startswith(args.tokenizer_class), f"AutoTokenizer gives {type(tokenizer).__name__}")
model, info = AutoModelForSequenceClassification.from_pretrained(args.folder, output_loading_info=True)
model.eval()
check(not info["missing_keys"] and not info["unexpected_keys"],
      f"weights load with missing {info['missing_keys']} and unexpected {info['unexpected_keys']}")
id2label = model.config.id2label

with tempfile.TemporaryDirectory() as work:
    predictions = os.path.join(work, "predictions.jsonl")
    subprocess.run([args.ernie, "predict", "--task_name", "seq-cls", "--model_name_or_path", args.folder,
                    "--input", args.input, "--output", predictions, "--max_seq_length", str(args.max_length)],
                   check=True, stderr=subprocess.DEVNULL)
    rows = [json.loads(line) for line in open(predictions, encoding="utf-8")]
    encoded = os.path.join(work, "encoded.safetensors")
    subprocess.run([args.ernie, "encode", "--model_name_or_path", args.folder, "--input", args.input,
                    "--output", encoded, "--max_seq_len", str(args.max_length)], check=True, stderr=subprocess.DEVNULL)
    hidden = load_file(encoded)

check(len(rows) == len(texts), f"ernie predict wrote {len(rows)} rows for {len(texts)} lines")
base = AutoModel.from_pretrained(args.folder, add_pooling_layer=False)
base.eval()
label_mismatches, worst_confidence, worst_hidden = 0, 0.0, 0.0
with torch.no_grad():
    for index, (text, row) in enumerate(zip(texts, rows)):
        batch = tokenizer(text, truncation=True, max_length=args.max_length, return_tensors="pt")
        probabilities = torch.softmax(model(**batch).logits[0].double(), dim=-1)
        label = id2label[int(probabilities.argmax())]
        if label != row["label"]:
            label_mismatches += 1
        worst_confidence = max(worst_confidence, abs(float(probabilities.max()) - row["confidence"]))
        reference = base(**batch).last_hidden_state[0]
        ours = hidden[f"last_hidden_state.{index}"]
        if ours.shape != reference.shape:
            check(False, f"line {index + 1}: ernie encode gives {list(ours.shape)} tokens, transformers {list(reference.shape)}")
            continue
        worst_hidden = max(worst_hidden, float((ours - reference).abs().max() / reference.abs().max()))

check(label_mismatches == 0, f"ernie predict's label equals transformers' argmax on {len(texts) - label_mismatches}/{len(texts)} lines")
check(worst_confidence <= args.tolerance, f"confidence: max |difference| {worst_confidence:.2e} (tolerance {args.tolerance})")
check(worst_hidden <= args.tolerance, f"last hidden state: max relative difference {worst_hidden:.2e} (tolerance {args.tolerance})")
sys.exit(1 if failures else 0)
