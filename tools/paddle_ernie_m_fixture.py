#!/usr/bin/env python3
"""Writes Tests/ErnieModelsTests/Fixtures/tiny_ernie_m_paddle/: the ERNIE-M family golden's sequence classifier
(tools/family_goldens.py: Fixtures/families/ernie_m) under PaddleNLP's ErnieM names and layout, saved by `paddle.save`:

    pip install paddlepaddle numpy && tools/paddle_ernie_m_fixture.py

PaddleNLP's ErnieMModel is built from paddle.nn.TransformerEncoder: `ernie_m.encoder.layers.N.self_attn.q_proj`
(transformers: `self_attn.self_attn.q_proj`), `self_attn.out_proj`, `linear1`, `linear2`, `norm1`, `norm2`;
Linear weights are stored [in, out]. config.json is the golden's with 3 labels and the sequence-classification
architecture, so the test can compare ernie's logits on the golden's inputs with transformers'.
"""
import collections
import json
import os

import numpy as np
import paddle

from ernie_tool_support import ROOT, safetensors_arrays

FAMILY = os.path.join(ROOT, "Tests/ErnieModelsTests/Fixtures/families/ernie_m")
OUT = os.path.join(ROOT, "Tests/ErnieModelsTests/Fixtures/tiny_ernie_m_paddle")


def main():
    os.makedirs(OUT, exist_ok=True)
    hf = collections.OrderedDict(("ernie_m." + k, v) for k, v in safetensors_arrays(os.path.join(FAMILY, "model/model.safetensors")).items())
    for name, array in safetensors_arrays(os.path.join(FAMILY, "sequence_classification.safetensors")).items():
        if name.startswith("param."):
            hf[name[len("param."):]] = array
    state = collections.OrderedDict()
    for name, array in hf.items():
        target = name.replace("self_attn.self_attn.", "self_attn.")
        linear = array.ndim == 2 and "embeddings" not in target
        state[target] = np.ascontiguousarray(array.T if linear else array)
    paddle.save(state, os.path.join(OUT, "model_state.pdparams"))
    with open(os.path.join(FAMILY, "model/config.json")) as f:
        config = json.load(f)
    config["architectures"] = ["ErnieMForSequenceClassification"]
    config["id2label"] = {str(i): f"LABEL_{i}" for i in range(3)}
    config["label2id"] = {f"LABEL_{i}": i for i in range(3)}
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT} ({len(state)} tensors) with paddle {paddle.__version__}")


if __name__ == "__main__":
    main()
