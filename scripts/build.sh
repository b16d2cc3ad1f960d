#!/usr/bin/env bash
# Release build of the ernie binary, with the flags the test command uses, so both share one build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release -Xswiftc -enable-testing --product ernie "$@"
