#!/usr/bin/env python3
"""Writes Tests/ErnieModelsTests/Fixtures/tiny_bert_torch/pytorch_model.bin: tiny_bert's weights as `torch.save` stores
a state dict, for the PyTorch reader's tests.

    tools/torch_format_fixture.py [--check]

With torch importable, the file is `torch.save(state_dict)` itself. Without it (this machine: download.pytorch.org is
unreachable and PyPI's torch needs the CUDA libraries), the same format is written with the standard library: a
STORED zip of `archive/data.pkl` (protocol 2, `collections.OrderedDict` of `torch._utils._rebuild_tensor_v2(storage,
offset, size, stride, requires_grad, OrderedDict())` calls, storages as persistent ids `('storage',
torch.FloatStorage, key, 'cpu', numel)`), `archive/byteorder`, `archive/data/<key>` and `archive/version`, which is
what torch/serialization.py writes. Either way the file exercises what real checkpoints hold: one weight stored
transposed (a strided view), two names sharing one storage (tied embeddings), one tensor wrapped in
`_rebuild_parameter`, and an int64 buffer (`position_ids`).

--check: with torch importable, loads the file with torch.load(weights_only=True) and compares with safetensors.
--legacy (needs torch): writes Tests/ErnieModelsTests/Fixtures/tiny_bert_torch_legacy/pytorch_model.bin instead, the
same state dict in torch's legacy (pre-1.6) format: `torch.save(…, _use_new_zipfile_serialization=False)`.
"""
import argparse, collections, io, json, os, pickle, sys, types, zipfile

import numpy as np

from ernie_tool_support import ROOT, safetensors_arrays
FIXTURES = os.path.join(ROOT, "Tests/ErnieModelsTests/Fixtures")


def write_with_torch(tensors, path, legacy=False):
    import torch
    state = collections.OrderedDict((name, torch.from_numpy(array.copy())) for name, array in tensors.items())
    positions = next(a for n, a in tensors.items() if n.endswith("position_embeddings.weight")).shape[0]
    state["bert.embeddings.position_ids"] = torch.arange(positions).unsqueeze(0)
    transposed = next(name for name, a in tensors.items() if a.ndim == 2 and "embeddings" not in name)
    state[transposed] = torch.from_numpy(tensors[transposed].T.copy()).t()   # strided view
    torch.save(state, path, _use_new_zipfile_serialization=not legacy)


def write_without_torch(tensors, path):
    # Stand-ins that pickle under torch's names (pickle looks globals up by module and qualified name).
    torch_module, utils_module = types.ModuleType("torch"), types.ModuleType("torch._utils")

    class FloatStorage: pass
    class LongStorage: pass
    for cls in (FloatStorage, LongStorage):
        cls.__module__, cls.__qualname__ = "torch", cls.__name__
        setattr(torch_module, cls.__name__, cls)

    def _rebuild_tensor_v2(*args): pass
    def _rebuild_parameter(*args): pass
    for function in (_rebuild_tensor_v2, _rebuild_parameter):
        function.__module__, function.__qualname__ = "torch._utils", function.__name__
        setattr(utils_module, function.__name__, function)
    sys.modules["torch"], sys.modules["torch._utils"] = torch_module, utils_module

    class Storage:
        def __init__(self, key, array):
            self.key, self.array = key, array

    class Tensor:
        def __init__(self, storage, offset, size, stride):
            self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

        def __reduce_ex__(self, protocol):
            return (_rebuild_tensor_v2, (self.storage, self.offset, tuple(self.size), tuple(self.stride), False, collections.OrderedDict()))

    class Parameter:
        def __init__(self, tensor):
            self.tensor = tensor

        def __reduce_ex__(self, protocol):
            return (_rebuild_parameter, (self.tensor, True, collections.OrderedDict()))

    def contiguous_strides(shape):
        strides, step = [], 1
        for extent in reversed(shape):
            strides.insert(0, step)
            step *= extent
        return strides

    storages, state = [], collections.OrderedDict()
    names = list(tensors)
    transposed = next(name for name in names if tensors[name].ndim == 2 and "embeddings" not in name)
    for name in names:
        array = tensors[name]
        if name == transposed:
            storage = Storage(str(len(storages)), np.ascontiguousarray(array.T))
            tensor = Tensor(storage, 0, array.shape, [1, array.shape[0]])
        else:
            storage = Storage(str(len(storages)), np.ascontiguousarray(array).reshape(-1))
            tensor = Tensor(storage, 0, array.shape, contiguous_strides(array.shape))
        storages.append(storage)
        state[name] = Parameter(tensor) if name.endswith("LayerNorm.weight") else tensor
    # An int64 buffer, as BERT checkpoints of transformers < 4.31 hold.
    positions = tensors[next(name for name in names if name.endswith("position_embeddings.weight"))].shape[0]
    position_ids = Storage(str(len(storages)), np.arange(positions, dtype=np.int64))
    storages.append(position_ids)
    state["bert.embeddings.position_ids"] = Tensor(position_ids, 0, [1, positions], [positions, 1])
    # Tied weights: a second name viewing the word embeddings' storage from an offset of one row.
    word = next(name for name in names if name.endswith("word_embeddings.weight"))
    shape = tensors[word].shape
    state["tied.word_embeddings.tail"] = Tensor(state[word].storage, shape[1], [shape[0] - 1, shape[1]], [shape[1], 1])

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                kind = LongStorage if obj.array.dtype == np.int64 else FloatStorage
                return ("storage", kind, obj.key, "cpu", obj.array.size)
            return None

    buffer = io.BytesIO()
    Pickler(buffer, protocol=2).dump(state)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", buffer.getvalue())
        archive.writestr("archive/byteorder", "little")
        for storage in storages:
            archive.writestr(f"archive/data/{storage.key}", storage.array.astype(storage.array.dtype.newbyteorder("<")).tobytes())
        archive.writestr("archive/version", "3\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--legacy", action="store_true")
    args = parser.parse_args()
    tensors = safetensors_arrays(os.path.join(FIXTURES, "tiny_bert/model.safetensors"))
    out = os.path.join(FIXTURES, "tiny_bert_torch_legacy" if args.legacy else "tiny_bert_torch")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "pytorch_model.bin")
    try:
        import torch  # noqa: F401
        have_torch = True
    except Exception:
        have_torch = False
    if args.check:
        import torch
        loaded = torch.load(path, weights_only=True)
        worst = max(float(np.abs(loaded[name].numpy() - tensors[name]).max()) for name in tensors)
        print(json.dumps({"file": path, "max_abs": worst}))
        return
    if args.legacy:
        write_with_torch(tensors, path, legacy=True)
    else:
        (write_with_torch if have_torch else write_without_torch)(tensors, path)
    with open(os.path.join(FIXTURES, "tiny_bert/config.json")) as f:
        config = f.read()
    with open(os.path.join(out, "config.json"), "w") as f:
        f.write(config)
    print(f"wrote {path} ({'torch.save' if have_torch else 'the standard library'})")


if __name__ == "__main__":
    main()
