#!/usr/bin/env python3
"""Writes Tests/ErnieModelsTests/Fixtures/tiny_ernie_paddle/: tiny_ernie's weights under PaddleNLP's parameter names
and layout (Linear weights [in, out]), saved by `paddle.save` itself, for the Paddle reader's tests.

    pip install paddlepaddle numpy && tools/paddle_format_fixture.py

- model_state.pdparams: the whole model, protocol 4 (paddle.save's default), plus PaddleNLP's
  `StructuredToParameterName@@` entry;
- linear_protocol2.pdparams: a `paddle.nn.Linear(3, 2)` state dict saved with protocol 2 (array bytes as
  `_codecs.encode(text, 'latin1')`), and linear_protocol2.json with its values in Paddle's [in, out] layout;
- config.json: tiny_ernie's.
The names follow PaddleNLP's ErnieModel (`embeddings.layer_norm`, `encoder.layers.N.self_attn.q_proj`, `linear1`,
`norm1`, …, `cls.predictions.decoder_weight`).
"""
import collections, json, os

import numpy as np
import paddle

from ernie_tool_support import ROOT, safetensors_arrays
FIXTURES = os.path.join(ROOT, "Tests/ErnieModelsTests/Fixtures")

# transformers → PaddleNLP, applied in order (the reverse of ernie's PaddleNames).
TO_PADDLE = [
    (".embeddings.LayerNorm.", ".embeddings.layer_norm."), (".encoder.layer.", ".encoder.layers."),
    (".attention.self.query.", ".self_attn.q_proj."), (".attention.self.key.", ".self_attn.k_proj."),
    (".attention.self.value.", ".self_attn.v_proj."), (".attention.output.dense.", ".self_attn.out_proj."),
    (".attention.output.LayerNorm.", ".norm1."), (".intermediate.dense.", ".linear1."), (".output.dense.", ".linear2."),
    (".output.LayerNorm.", ".norm2."), (".cls.predictions.transform.dense.", ".cls.predictions.transform."),
    (".cls.predictions.transform.LayerNorm.", ".cls.predictions.layer_norm."),
    (".cls.predictions.decoder.weight", ".cls.predictions.decoder_weight"), (".cls.predictions.bias", ".cls.predictions.decoder_bias"),
]


def paddle_name(name):
    name = "." + name
    for source, target in TO_PADDLE:
        name = name.replace(source, target)
    return name[1:]


def main():
    out = os.path.join(FIXTURES, "tiny_ernie_paddle")
    os.makedirs(out, exist_ok=True)
    state = collections.OrderedDict()
    for name, array in safetensors_arrays(os.path.join(FIXTURES, "tiny_ernie/model.safetensors")).items():
        if name.endswith("position_ids"):
            continue
        target = paddle_name(name)
        linear = array.ndim == 2 and "embeddings" not in target and not target.endswith("decoder_weight")
        state[target] = np.ascontiguousarray(array.T if linear else array)
    state["StructuredToParameterName@@"] = {name: f"param_{index}" for index, name in enumerate(state)}
    paddle.save(state, os.path.join(out, "model_state.pdparams"))
    paddle.seed(5)
    linear = paddle.nn.Linear(3, 2)
    paddle.save(linear.state_dict(), os.path.join(out, "linear_protocol2.pdparams"), protocol=2)
    with open(os.path.join(out, "linear_protocol2.json"), "w") as f:
        json.dump({k: v.numpy().astype(float).tolist() for k, v in linear.state_dict().items()}, f)
    with open(os.path.join(FIXTURES, "tiny_ernie/config.json")) as f:
        config = f.read()
    with open(os.path.join(out, "config.json"), "w") as f:
        f.write(config)
    print(f"wrote {out} with paddle {paddle.__version__}")


if __name__ == "__main__":
    main()
