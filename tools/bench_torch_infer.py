#!/usr/bin/env python3
"""The PyTorch + transformers side of `ernie bench infer`: the encoder's forward pass (no grad, eval mode) on random
ids, batch 1 latency and batch N throughput, fp32 or bf16 autocast, at the same shapes as ernie's benchmark.

    python tools/bench_torch_infer.py [--layers 12 --hidden 768 --heads 12 --vocab 21128 --seq 128 --batch 32]
        [--dtype fp32|bf16] [--steps 10] [--threads 2] [--onnxruntime]

Prints one JSON line per case like `ernie bench infer --json` (value = ms per call). With --onnxruntime it also
exports the same model with torch.onnx and times onnxruntime fp32 on it. Run it alternating with ernie's (the
machine is noisy).
"""
import argparse, json, os, statistics, tempfile, time

import torch
import transformers


def timed(steps, run):
    run(); run()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    for name, default in [("layers", 12), ("hidden", 768), ("heads", 12), ("vocab", 21128), ("seq", 128), ("batch", 32),
                          ("steps", 10), ("threads", 2)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--dtype", default="fp32")
    p.add_argument("--onnxruntime", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    config = transformers.ErnieConfig(vocab_size=a.vocab, hidden_size=a.hidden, num_hidden_layers=a.layers,
                                      num_attention_heads=a.heads, intermediate_size=4 * a.hidden,
                                      max_position_embeddings=max(512, a.seq))
    model = transformers.ErnieModel(config).eval()
    for batch in sorted({1, a.batch}):
        ids = torch.randint(5, a.vocab, (batch, a.seq))

        def run():
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.dtype == "bf16"):
                model(input_ids=ids)
        seconds = timed(a.steps, run)
        print(json.dumps({"bench": "infer", "side": "pytorch", "torch": torch.__version__, "mode": "latency" if batch == 1 else "throughput",
                          "layers": a.layers, "hidden": a.hidden, "seq": a.seq, "batch": batch, "dtype": a.dtype,
                          "threads": a.threads, "value": seconds * 1000, "unit": "ms", "tokens_per_s": batch * a.seq / seconds}))
        if a.onnxruntime and a.dtype == "fp32":
            import numpy as np
            import onnxruntime as ort
            path = os.path.join(tempfile.mkdtemp(), "model.onnx")
            class Encoder(torch.nn.Module):  # input_ids → last_hidden_state, the graph ernie export writes
                def __init__(self, inner):
                    super().__init__()
                    self.inner = inner

                def forward(self, input_ids):
                    return self.inner(input_ids=input_ids).last_hidden_state
            torch.onnx.export(Encoder(model), (ids,), path, input_names=["input_ids"],
                              dynamic_axes={"input_ids": {0: "b", 1: "s"}}, opset_version=17, dynamo=False)
            options = ort.SessionOptions()
            options.intra_op_num_threads = a.threads
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            feed = {"input_ids": ids.numpy().astype(np.int64)}
            seconds = timed(a.steps, lambda: session.run(None, feed))
            print(json.dumps({"bench": "infer", "side": "onnxruntime", "onnxruntime": ort.__version__,
                              "mode": "latency" if batch == 1 else "throughput", "layers": a.layers, "hidden": a.hidden,
                              "seq": a.seq, "batch": batch, "dtype": "fp32", "threads": a.threads, "value": seconds * 1000,
                              "unit": "ms", "tokens_per_s": batch * a.seq / seconds}))


if __name__ == "__main__":
    main()
