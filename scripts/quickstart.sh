#!/usr/bin/env bash
# Sets up the machine, then runs the quickstart. Until pretraining lands, the quickstart is the engine benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BIN=$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/ernie
"$BIN" bench gemm
"$BIN" bench kernels
