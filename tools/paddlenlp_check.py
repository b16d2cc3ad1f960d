#!/usr/bin/env python3
"""PaddleNLP folders → ernie: tiny random ERNIE models saved by PaddleNLP's `save_pretrained` (config.json +
model_state.pdparams), run by PaddleNLP and by `ernie encode` on the same ids; prints the max abs differences.

    python -m venv --system-site-packages V && V/bin/pip install paddlenlp "huggingface_hub<0.25" \
        "aistudio-sdk==0.2.6" "pyarrow<17" "datasets<3"      # the pins paddlenlp 2.8 needs beside transformers 5
    V/bin/python tools/paddlenlp_check.py [--work work/paddlenlp-check]

Cases: ERNIE 1.0-like (relu) and ERNIE 3.0-like (gelu, task-type embeddings) base models, their pooled output, and a
sequence-classification, a token-classification and a question-answering head (Paddle's [in, out] classifier weights;
the QA head's `classifier` is transformers' `qa_outputs`). Bar: 1e-5. Exits 1 when
a case misses it.
"""
import argparse, json, os, subprocess, sys

import numpy as np
import paddle
from paddlenlp.transformers import (ErnieConfig, ErnieForQuestionAnswering, ErnieForSequenceClassification,
                                    ErnieForTokenClassification, ErnieModel)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ernie_tool_support import ROOT, ernie_binary, safetensors  # noqa: E402

IDS = [[2, 7, 8, 9, 3, 10, 3], [2, 11, 12, 13, 14, 3]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", default=os.path.join(ROOT, "work/paddlenlp-check"))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    with open(f"{args.work}/ids.txt", "w") as f:
        f.write("\n".join(json.dumps(ids) for ids in IDS) + "\n")
    cases = [("ernie1-relu", ErnieModel, dict(hidden_act="relu"), None),
             ("ernie3-task-id", ErnieModel, dict(hidden_act="gelu", use_task_id=True, task_type_vocab_size=3), None),
             ("seq-cls", ErnieForSequenceClassification, dict(hidden_act="gelu", num_labels=3), "seq-cls"),
             ("token-cls", ErnieForTokenClassification, dict(hidden_act="gelu", num_labels=5), "token-cls"),
             ("qa", ErnieForQuestionAnswering, dict(hidden_act="gelu"), "qa")]
    failures = 0
    for name, cls, extra, task in cases:
        paddle.seed(7)
        config = ErnieConfig(vocab_size=45, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=32,
                             max_position_embeddings=32, type_vocab_size=2, **extra)
        model = cls(config)
        model.eval()
        folder = f"{args.work}/{name}"
        model.save_pretrained(folder)
        # What a PaddleNLP tokenizer's save_pretrained would put beside it (ids are given, so only the heads read it).
        with open(f"{folder}/vocab.txt", "w") as f:
            f.write("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"t{i}" for i in range(40)]) + "\n")
        subprocess.run([ernie_binary(), "encode", "--model_name_or_path", folder, "--input", f"{args.work}/ids.txt",
                        "--output", f"{folder}/ernie.safetensors", *(["--task_name", task] if task else [])],
                       check=True, stdout=subprocess.DEVNULL)
        got = {k: np.array(v, np.float32).reshape(shape) for k, (shape, v) in safetensors(f"{folder}/ernie.safetensors").items()}
        worst = 0.0
        for row, ids in enumerate(IDS):
            outputs = model(paddle.to_tensor([ids]))
            if task == "qa":
                expected = {"start_logits": outputs[0].numpy()[0], "end_logits": outputs[1].numpy()[0]}
            elif task:
                expected = {"logits": outputs.numpy()[0]}
            else:
                expected = {"last_hidden_state": outputs[0].numpy()[0], "pooler_output": outputs[1].numpy()[0]}
            for key, value in expected.items():
                worst = max(worst, float(np.abs(got[f"{key}.{row}"] - value).max()))
        ok = worst <= 1e-5
        failures += not ok
        print(json.dumps({"case": name, "files": sorted(os.listdir(folder)), "max_abs": worst, "ok": ok}))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
