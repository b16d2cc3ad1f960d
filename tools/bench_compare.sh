#!/usr/bin/env bash
# Side-by-side speed of several ernie binaries on this machine, alternating runs (the machine is shared and noisy):
#   tools/bench_compare.sh ROUNDS NAME=BINARY [NAME=BINARY ...]
# Cases: `bench train` small (4 × 256, batch 32) and base (12 × 768, batch 8), fp32 and bf16; `bench infer` base
# (batch 16 and batch 1), fp32 and bf16; all at seq 128. Prints every run as a JSON line (with "binary" and "case"),
# then the median of each case per binary.
set -euo pipefail
ROUNDS=${1:?usage: tools/bench_compare.sh ROUNDS NAME=BINARY ...}
shift
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
CASES=(
    "train-small-fp32|train --layers 4 --hidden 256 --heads 4 --batch 32 --steps 5 --dtype fp32"
    "train-small-bf16|train --layers 4 --hidden 256 --heads 4 --batch 32 --steps 5 --dtype bf16"
    "train-base-fp32|train --batch 8 --steps 3 --dtype fp32"
    "train-base-bf16|train --batch 8 --steps 3 --dtype bf16"
    "infer-base-b16-fp32|infer --batch 16 --steps 5 --dtype fp32"
    "infer-base-b16-bf16|infer --batch 16 --steps 5 --dtype bf16"
    "infer-base-b1-fp32|infer --batch 1 --steps 10 --dtype fp32"
    "infer-base-b1-bf16|infer --batch 1 --steps 10 --dtype bf16"
)
for round in $(seq "$ROUNDS"); do
    for case in "${CASES[@]}"; do
        name=${case%%|*}
        read -r -a args <<<"${case#*|}"
        for pair in "$@"; do
            line=$("${pair#*=}" bench "${args[@]}" --json 2>/dev/null | tail -n 1)
            echo "{\"binary\": \"${pair%%=*}\", \"case\": \"$name\", \"round\": $round, \"result\": $line}" | tee -a "$OUT"
        done
    done
done
python3 - "$OUT" <<'PY'
import json, sys, statistics
rows = [json.loads(l) for l in open(sys.argv[1])]
binaries = list(dict.fromkeys(r["binary"] for r in rows))
cases = list(dict.fromkeys(r["case"] for r in rows))
print("\n| case | " + " | ".join(binaries) + " |")
print("|---|" + "---|" * len(binaries))
for case in cases:
    cells = []
    for b in binaries:
        values = [r["result"]["tokens_per_s"] for r in rows if r["case"] == case and r["binary"] == b]
        cells.append(f"{statistics.median(values):,.0f}" if values else "-")
    print(f"| {case} (tokens/s) | " + " | ".join(cells) + " |")
PY
