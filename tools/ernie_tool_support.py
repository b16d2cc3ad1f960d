"""What the Python tools share: the repository root, the release `ernie` binary, and a safetensors reader (numpy-free)."""
import json, os, struct, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ernie_binary():
    """$ERNIE, else the release build's binary (as scripts/test.sh builds it)."""
    return os.environ.get("ERNIE") or subprocess.run(["swift", "build", "-c", "release", "-Xswiftc", "-enable-testing", "--show-bin-path"],
                                                     cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip() + "/ernie"


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
