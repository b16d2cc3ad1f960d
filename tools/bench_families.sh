#!/usr/bin/env bash
# `ernie bench train --model_type F` against tools/bench_torch_train.py (PyTorch + transformers) for every family,
# alternating the two sides (the machine is shared and noisy), then a table of medians in tokens/s:
#   tools/bench_families.sh [ROUNDS] [ERNIE_BINARY]
# Shape: 4 layers × 256 hidden, 4 heads, vocab 21128, batch 32 × seq 128 (ERNIE_BENCH_SHAPE overrides), fp32 and bf16.
# NEZHA's PyTorch side needs transformers < 5: ERNIE_NEZHA_PYTHON (default /work/venv-tf440/bin/python) runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
ERNIE=${2:-.build/release/ernie}
SHAPE=${ERNIE_BENCH_SHAPE:---layers 4 --hidden 256 --heads 4 --batch 32 --seq 128 --steps 5}
NEZHA_PYTHON=${ERNIE_NEZHA_PYTHON:-/work/venv-tf440/bin/python}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
read -r -a shape <<<"$SHAPE"
for round in $(seq "$ROUNDS"); do
    for family in albert nezha roberta distilbert bert; do
        for dtype in fp32 bf16; do
            python=python3
            [ "$family" = nezha ] && python=$NEZHA_PYTHON
            ours=$("$ERNIE" bench train --model_type "$family" "${shape[@]}" --dtype "$dtype" --json 2>/dev/null | tail -n 1)
            theirs=$("$python" tools/bench_torch_train.py --model_type "$family" "${shape[@]}" --dtype "$dtype" 2>/dev/null | tail -n 1)
            echo "{\"family\": \"$family\", \"dtype\": \"$dtype\", \"round\": $round, \"ernie\": $ours, \"torch\": ${theirs:-null}}" | tee -a "$OUT"
        done
    done
done
python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("\n| model_type | dtype | ernie tokens/s | transformers tokens/s | ratio |")
print("|---|---|---|---|---|")
for key in dict.fromkeys((r["family"], r["dtype"]) for r in rows):
    group = [r for r in rows if (r["family"], r["dtype"]) == key]
    ours = statistics.median(r["ernie"]["tokens_per_s"] for r in group)
    theirs = [r["torch"]["tokens_per_s"] for r in group if r["torch"]]
    theirs = statistics.median(theirs) if theirs else None
    print(f"| {key[0]} | {key[1]} | {ours:,.0f} | {f'{theirs:,.0f}' if theirs else 'n/a'} | "
          f"{f'{ours / theirs:.2f}×' if theirs else 'n/a'} |")
PY
