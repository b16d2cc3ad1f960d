#!/usr/bin/env bash
# ernie against PyTorch + transformers (and onnxruntime for fp32 inference), side by side, alternating runs (the
# machine is shared and noisy): the cases of the performance issue's bars.
#   tools/bench_peers.sh [ROUNDS] [ERNIE_BINARY]
# Needs python3 with torch and transformers (onnxruntime and onnx for the onnxruntime rows). Prints every run as a JSON
# line, then per case the range of each side and the ratio of the runs of one round (ernie / peer; for latency,
# ernie's ms / the peer's).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
ERNIE=${2:-$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/ernie}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
CASES=(
    "train-base-bf16|train --dtype bf16 --vocab 30522 --steps 6|tools/bench_torch_train.py --dtype bf16 --vocab 30522 --steps 6"
    "train-base-fp32|train --dtype fp32 --vocab 30522 --steps 4|tools/bench_torch_train.py --dtype fp32 --vocab 30522 --steps 4"
    "train-small-bf16|train --dtype bf16 --layers 4 --hidden 256 --heads 4 --batch 32 --steps 30|tools/bench_torch_train.py --dtype bf16 --layers 4 --hidden 256 --heads 4 --batch 32 --steps 30"
    "train-small-fp32|train --dtype fp32 --layers 4 --hidden 256 --heads 4 --batch 32 --steps 20|tools/bench_torch_train.py --dtype fp32 --layers 4 --hidden 256 --heads 4 --batch 32 --steps 20"
    "train-seq512-bf16|train --dtype bf16 --vocab 30522 --seq 512 --batch 4 --steps 4|tools/bench_torch_train.py --dtype bf16 --vocab 30522 --seq 512 --batch 4 --steps 4"
    "infer-bf16|infer --dtype bf16 --batch 32 --steps 5|tools/bench_torch_infer.py --dtype bf16 --batch 32 --steps 5"
    "infer-fp32|infer --dtype fp32 --batch 32 --steps 5|tools/bench_torch_infer.py --dtype fp32 --batch 32 --steps 5 --onnxruntime"
)
# Without bf16 instructions both sides emulate bf16 (PyTorch's fallback took over 18 minutes for the small case's 30
# steps on an AVX2 Zen 2): run the fp32 cases only there.
if ! grep -qw -e avx512_bf16 -e amx_bf16 /proc/cpuinfo; then
    echo "no AVX512-BF16 or AMX on this CPU: fp32 cases only" >&2
    fp32_cases=()
    for case in "${CASES[@]}"; do [[ $case == *"--dtype bf16"* ]] || fp32_cases+=("$case"); done
    CASES=("${fp32_cases[@]}")
fi
for round in $(seq "$ROUNDS"); do
    for case in "${CASES[@]}"; do
        IFS='|' read -r name ernie_args peer_args <<<"$case"
        read -r -a ernie_argv <<<"$ernie_args"
        read -r -a peer_argv <<<"$peer_args"
        "$ERNIE" bench "${ernie_argv[@]}" --json true 2>/dev/null | grep '^{' | while read -r line; do
            echo "{\"case\": \"$name\", \"round\": $round, \"result\": $line}" | tee -a "$OUT"
        done
        python3 "${peer_argv[@]}" 2>/dev/null | grep '^{' | while read -r line; do
            echo "{\"case\": \"$name\", \"round\": $round, \"result\": $line}" | tee -a "$OUT"
        done
    done
done
python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
groups = {}
for row in rows:
    result = row["result"]
    key = (row["case"], result.get("mode", ""), result.get("batch"))
    side = result.get("side", "ernie")
    # Latency rows compare milliseconds (lower is better), the rest tokens/s.
    value = result["value"] if result.get("mode") == "latency" else result["tokens_per_s"]
    groups.setdefault(key, {}).setdefault(side, {})[row["round"]] = value
print("\n| case | ernie | peers | ernie / peer, per round |\n|---|---|---|---|")
for (case, mode, batch), sides in groups.items():
    unit = "ms" if mode == "latency" else "tokens/s"
    ernie = sides.pop("ernie", {})
    def span(values): return f"{min(values):,.1f}–{max(values):,.1f}" if values else "—"
    peers = "; ".join(f"{side} {span(list(values.values()))}" for side, values in sides.items())
    ratios = []
    for side, values in sides.items():
        paired = [ernie[r] / values[r] for r in values if r in ernie]
        if paired: ratios.append(f"{side} {min(paired):.2f}–{max(paired):.2f}×")
    print(f"| {case} {mode} b{batch} ({unit}) | {span(list(ernie.values()))} | {peers} | {'; '.join(ratios)} |")
PY
