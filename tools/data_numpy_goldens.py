#!/usr/bin/env python3
"""Goldens for ErnieData's numpy re-implementations (run by developers; tests read the JSON it writes).

Writes Tests/ErnieDataTests/Fixtures/numpy_goldens.json with:
- legacy RandomState draws: random(), randint(low, high), shuffle(list), choice(a, p) for a few seeds;
- np.save bytes (hex) for small arrays of several dtypes and shapes, and np.savez bytes for a small archive;
- PaddleNLP's split arithmetic (get_train_valid_test_split_, re-typed from its definition) for a few sizes.

Usage: python3 tools/data_numpy_goldens.py   (numpy ≥ 1.23)
"""
import io
import json
import os

import numpy as np


def random_goldens():
    out = []
    for seed in [0, 1, 1234, 1235, 4294967295]:
        rng = np.random.RandomState(seed)
        record = {"seed": seed, "random": [rng.random() for _ in range(5)]}
        record["randint"] = [[lo, hi, int(rng.randint(lo, hi))] for lo, hi in [(1, 3), (1, 7), (0, 3177), (0, 1 << 33), (5, 6)]]
        items = list(range(11))
        rng.shuffle(items)
        record["shuffle11"] = items
        pvals = 1.0 / np.arange(1, 4)
        pvals /= pvals.sum(keepdims=True)
        record["choice"] = [int(rng.choice(np.arange(1, 4), p=pvals / pvals.sum(keepdims=True))) for _ in range(20)]
        rev = pvals[::-1]
        record["choice_longer"] = [int(rng.choice(np.arange(1, 4), p=rev / rev.sum(keepdims=True))) for _ in range(20)]
        record["after"] = rng.random()
        out.append(record)
    return out


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue().hex()


def npy_goldens():
    cases = [
        ("uint16", [5], np.arange(5, dtype=np.uint16)),
        ("int32", [0], np.zeros(0, dtype=np.int32)),
        ("int64", [3], np.array([0, 7, 9], dtype=np.int64)),
        ("uint32", [4, 3], np.arange(12, dtype=np.uint32).reshape(4, 3)),
        ("uint64", [0, 3], np.zeros((0, 3), dtype=np.uint64)),
        ("uint8", [7], np.arange(7, dtype=np.uint8)),
        ("int16", [2, 2], np.array([[1, -2], [3, -4]], dtype=np.int16)),
    ]
    out = []
    for dtype, shape, array in cases:
        out.append({"dtype": dtype, "shape": shape, "values": array.reshape(-1).tolist(), "hex": npy_bytes(array)})
    return out


def npz_golden():
    buffer = io.BytesIO()
    lens = np.array([3, 1, 4, 1, 5], dtype=np.int32)
    docs = np.array([0, 2, 5], dtype=np.int64)
    np.savez(buffer, lens=lens, docs=docs)
    return {"lens": lens.tolist(), "docs": docs.tolist(), "hex": buffer.getvalue().hex()}


def split_goldens():
    def paddle_split(splits_string, size):
        splits = [float(s) for s in splits_string.split(",")]
        while len(splits) < 3:
            splits.append(0.0)
        splits = splits[:3]
        total = sum(splits)
        splits = [s / total for s in splits]
        index = [0]
        for i, s in enumerate(splits):
            index.append(index[i] + int(round(s * float(size))))
        diff = index[-1] - size
        for i in range(1, len(index)):
            index[i] -= diff
        return index

    out = []
    for spec in ["949,50,1", "98,2,0", "1,1,1", "100", "7,2,1"]:
        for size in [1, 2, 3, 10, 25, 500, 1001, 123457]:
            out.append({"split": spec, "documents": size, "boundaries": paddle_split(spec, size)})
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "Tests", "ErnieDataTests", "Fixtures", "numpy_goldens.json")
    data = {"numpy": np.__version__, "random": random_goldens(), "npy": npy_goldens(), "npz": npz_golden(), "splits": split_goldens()}
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
