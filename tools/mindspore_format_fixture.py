#!/usr/bin/env python3
"""Writes Tests/ErnieModelsTests/Fixtures/tiny_bert_mindspore/: tiny_bert's weights as MindSpore's model zoo BERT names
and stores them (`bert.bert.bert_embedding_lookup.embedding_table`, `…bert_encoder.layers.N.attention.attention.
query_layer.weight`, LayerNorm `gamma`/`beta`, `bert.cls1`/`bert.cls2` heads, the MLM decoder tied to the word
embeddings), saved by `mindspore.save_checkpoint` itself, plus what a training checkpoint also holds (Adam moments
`adam_m.*`/`adam_v.*`, `global_step`, `loss_scale`), and the config.json beside it.

    /work/venv-ms/bin/python tools/mindspore_format_fixture.py [--check]

(mindspore 2.10 from PyPI, in its own virtual environment.) --check loads the file back with
mindspore.load_checkpoint and compares every tensor with the safetensors original.
"""
import argparse, os, shutil, sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ernie_tool_support import ROOT, safetensors_arrays

FIXTURES = os.path.join(ROOT, "Tests/ErnieModelsTests/Fixtures")

# transformers name fragment → MindSpore's, applied in order (the inverse of ernie's MindSporeNames).
RENAMES = [
    ("bert.embeddings.word_embeddings.weight", "bert.bert.bert_embedding_lookup.embedding_table"),
    ("bert.embeddings.token_type_embeddings.weight", "bert.bert.bert_embedding_postprocessor.token_type_embedding.embedding_table"),
    ("bert.embeddings.position_embeddings.weight", "bert.bert.bert_embedding_postprocessor.full_position_embedding.embedding_table"),
    ("bert.embeddings.LayerNorm.", "bert.bert.bert_embedding_postprocessor.layernorm."),
    ("bert.encoder.layer.", "bert.bert.bert_encoder.layers."),
    (".attention.self.query.", ".attention.attention.query_layer."),
    (".attention.self.key.", ".attention.attention.key_layer."),
    (".attention.self.value.", ".attention.attention.value_layer."),
    (".attention.output.LayerNorm.", ".attention.output.layernorm."),
    (".intermediate.dense.", ".intermediate."),
    (".output.LayerNorm.", ".output.layernorm."),
    ("bert.pooler.dense.", "bert.bert.dense."),
    ("cls.predictions.transform.dense.", "bert.cls1.dense."),
    ("cls.predictions.transform.LayerNorm.", "bert.cls1.layernorm."),
    ("cls.predictions.bias", "bert.cls1.output_bias"),
    ("cls.seq_relationship.", "bert.cls2.dense."),
]


def mindspore_name(name):
    for old, new in RENAMES:
        name = name.replace(old, new)
    if "layernorm." in name:
        name = name.replace("layernorm.weight", "layernorm.gamma").replace("layernorm.bias", "layernorm.beta")
    return name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    import mindspore as ms
    source = os.path.join(FIXTURES, "tiny_bert")
    out = os.path.join(FIXTURES, "tiny_bert_mindspore")
    os.makedirs(out, exist_ok=True)
    arrays = safetensors_arrays(os.path.join(source, "model.safetensors"))
    weights = [(mindspore_name(n), a) for n, a in arrays.items() if a.dtype == np.float32 and n != "cls.predictions.decoder.weight"]
    entries = [{"name": "loss_scale", "data": ms.Tensor(np.array([65536.0], dtype=np.float32))}]
    entries += [{"name": n, "data": ms.Parameter(ms.Tensor(a), name=n)} for n, a in weights]
    entries.append({"name": "global_step", "data": ms.Tensor(np.array([42], dtype=np.int32))})
    for prefix in ("adam_m.", "adam_v."):
        entries += [{"name": prefix + n, "data": ms.Tensor(np.full_like(a, 0.5))} for n, a in weights]
    path = os.path.join(out, "bert.ckpt")
    ms.save_checkpoint(entries, path)
    shutil.copy(os.path.join(source, "config.json"), os.path.join(out, "config.json"))
    print(f"wrote {path}: {len(weights)} weights, {len(entries)} entries, mindspore {ms.__version__}")
    if args.check:
        loaded = ms.load_checkpoint(path)
        for name, array in weights:
            assert np.array_equal(loaded[name].asnumpy(), array), name
        print("mindspore.load_checkpoint reads every weight back equal")


if __name__ == "__main__":
    main()
