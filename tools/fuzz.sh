#!/usr/bin/env bash
# The long fuzzing run: every `ernie fuzz` target for ITERATIONS mutated inputs (default 1,000,000) or SECONDS each
# (default 1800), one JSON line per target with the counts and time. A crash stops the script with the target's
# name; its input is in the work folder (/dev/shm/ernie-fuzz/<target>): copy it into Tests/FuzzSeeds/<target>/ as
# crash-<n>-<seed file name> so every later run replays it.
#   tools/fuzz.sh [ITERATIONS] [SECONDS] [ERNIE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
ITERATIONS=${1:-1000000}
SECONDS_PER_TARGET=${2:-1800}
ERNIE=${3:-.build/release/ernie}
for target in config vocab tokenizer_json merges safetensors torch pdparams ckpt tfrecord tfrecord_examples corpus_npy corpus_megatron \
              seqcls_jsonl seqcls_tsv conll squad; do
    if ! "$ERNIE" fuzz --targets "$target" --iterations "$ITERATIONS" --seconds "$SECONDS_PER_TARGET" --seed "${FUZZ_SEED:-1}"; then
        echo "fuzz: target $target crashed or failed; its last input is in /dev/shm/ernie-fuzz/$target" >&2
        exit 1
    fi
done
