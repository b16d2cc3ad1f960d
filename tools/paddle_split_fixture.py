#!/usr/bin/env python3
"""Writes Tests/ErnieModelsTests/Fixtures/tiny_ernie_paddle/split_protocol2.pdparams (+ .json): a `.pdparams` with a
split parameter, laid out as `paddle.save(state_dict, path, protocol=2)` lays out arrays above 2^30 − 1 bytes
(paddle/framework/io.py `_unpack_saved_dict`): the array flattened and cut into 1-D slices `name@@.0`, `name@@.1`, …,
and an `UnpackBigParamInfor@@` entry {name: {"OriginShape": shape, "slices": [...]}}. Real split arrays are above
1 GB; this fixture cuts small ones the same way (the reader follows the entry, not the size), with numpy and pickle
only — what paddle.save does for numpy arrays at protocol 2.

    python3 tools/paddle_split_fixture.py

The JSON holds every array's values by name (Paddle's layout), for the test to compare.
"""
import json
import os
import pickle

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests/ErnieModelsTests/Fixtures/tiny_ernie_paddle")

rng = np.random.default_rng(3)
weight = rng.standard_normal((5, 3)).astype(np.float32)      # Linear [in, out]
embeddings = rng.standard_normal((7, 3)).astype(np.float32)
bias = rng.standard_normal(3).astype(np.float32)
state = {"ernie.encoder.layers.0.linear1.bias": bias}
info = {}
for name, array, cuts in [("ernie.encoder.layers.0.linear1.weight", weight, [6, 12]),
                          ("ernie.embeddings.word_embeddings.weight", embeddings, [10])]:
    flat = array.flatten()
    pieces = np.split(flat, cuts)
    names = [f"{name}@@.{index}" for index in range(len(pieces))]
    for part, piece in zip(names, pieces):
        state[part] = piece
    info[name] = {"OriginShape": array.shape, "slices": names}
state["UnpackBigParamInfor@@"] = info
with open(os.path.join(OUT, "split_protocol2.pdparams"), "wb") as f:
    pickle.dump(state, f, protocol=2)
values = {"ernie.encoder.layers.0.linear1.weight": weight.tolist(), "ernie.embeddings.word_embeddings.weight": embeddings.tolist(),
          "ernie.encoder.layers.0.linear1.bias": bias.tolist()}
with open(os.path.join(OUT, "split_protocol2.json"), "w") as f:
    json.dump(values, f)
print("wrote", os.path.join(OUT, "split_protocol2.pdparams"))
