#!/usr/bin/env python3
"""`ernie export` of ERNIE-M against transformers 4.x and onnxruntime.

    python3 tools/onnx_check_ernie_m.py [--work DIR] [--old_python /work/venv-tf440/bin/python]

transformers 4.40 (its own virtual environment: ErnieM left transformers in v5) makes a small random ERNIE-M for each
head (base, sequence classification, token classification, question answering), saves it with save_pretrained
beside the SentencePiece test model and its ERNIE-M vocab.txt, and computes its outputs on a padded batch of mixed
Chinese / English / emoji texts tokenized by its ErnieMTokenizer. `ernie export` writes each folder as ONNX; the
graph must pass `onnx.checker` (full check), and onnxruntime's outputs must equal transformers' on the real tokens
(bar 1e-4 absolute). Prints one JSON line per head; exits 1 when a bar fails. Needs onnx, onnxruntime, numpy here
and transformers 4.x + torch + sentencepiece in --old_python.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile

import numpy as np
import onnx
import onnxruntime as ort

from ernie_tool_support import ROOT, ernie_binary

TEXTS = ["人民日报记者报道了今天的新闻。", "The model reads 12 lines of text, twice!", "好吃 😀 but too sweet",
         "短", "A longer English sentence about cross-lingual natural language inference in many languages."]

OLD_SIDE = r'''
import json, sys, numpy as np, torch
from transformers import ErnieMConfig, ErnieMTokenizer, ErnieMModel, ErnieMForSequenceClassification, \
    ErnieMForTokenClassification, ErnieMForQuestionAnswering
folder, head, texts = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
tok = ErnieMTokenizer.from_pretrained(folder)
torch.manual_seed(7)
config = ErnieMConfig(vocab_size=len(tok.vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                      intermediate_size=64, max_position_embeddings=130, num_labels=2 if head == "qa" else 3)
cls = {"base": ErnieMModel, "seq": ErnieMForSequenceClassification, "token": ErnieMForTokenClassification,
       "qa": ErnieMForQuestionAnswering}[head]
model = cls(config).eval()
for p in model.parameters():  # random but not tiny: differences show
    torch.nn.init.normal_(p, std=0.2)
model.save_pretrained(folder)
enc = tok(texts, padding=True, return_attention_mask=True, return_tensors="pt")
with torch.no_grad():
    out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
arrays = {"input_ids": enc["input_ids"].numpy(), "attention_mask": enc["attention_mask"].numpy()}
for name in ["last_hidden_state", "pooler_output", "logits", "start_logits", "end_logits"]:
    if getattr(out, name, None) is not None:
        arrays[name] = getattr(out, name).numpy()
np.savez(folder + "/reference.npz", **arrays)
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", default=None)
    parser.add_argument("--old_python", default="/work/venv-tf440/bin/python")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="onnx-ernie-m-")
    ernie = ernie_binary()
    failed = False
    for head in ["base", "seq", "token", "qa"]:
        folder = os.path.join(work, head)
        os.makedirs(folder, exist_ok=True)
        shutil.copy(os.path.join(ROOT, "Tests/ErnieTextTests/Fixtures/sentencepiece/unigram.model"),
                    os.path.join(folder, "sentencepiece.bpe.model"))
        shutil.copy(os.path.join(ROOT, "Tests/ErnieTextTests/Fixtures/ernie_m/unigram/vocab.txt"), os.path.join(folder, "vocab.txt"))
        subprocess.run([args.old_python, "-c", OLD_SIDE, folder, head, json.dumps(TEXTS)], check=True)
        reference = np.load(os.path.join(folder, "reference.npz"))
        output = os.path.join(folder, "onnx", "model.onnx")
        os.makedirs(os.path.dirname(output), exist_ok=True)
        subprocess.run([ernie, "export", "--model_name_or_path", folder, "--output", output], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        onnx.checker.check_model(output, full_check=True)
        session = ort.InferenceSession(output, providers=["CPUExecutionProvider"])
        inputs = [i.name for i in session.get_inputs()]
        feeds = {name: reference[name].astype(np.int64) for name in inputs}
        results = dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))
        mask = reference["attention_mask"].astype(bool)
        report = {"head": head, "inputs": inputs, "outputs": sorted(results)}
        for name, value in results.items():
            expected = reference[name]
            if value.ndim >= 2 and value.shape[:2] == mask.shape:
                difference = np.abs(value - expected)[mask].max()  # real tokens only (padding rows are not compared)
            else:
                difference = np.abs(value - expected).max()
            report[f"max_abs_{name}"] = float(difference)
            failed |= difference > 1e-4
        print(json.dumps(report))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
