#!/usr/bin/env bash
# Runs every test: installs what is missing (scripts/setup.sh), then the Swift test suites in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
ERNIE_SKIP_BUILD=1 scripts/setup.sh
swift test -c release -Xswiftc -enable-testing "$@"
# Mutation fuzzing of every reader of untrusted files, 2 s per target (tools/fuzz.sh is the long run).
swift build -c release -Xswiftc -enable-testing --product ernie
"$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/ernie" fuzz --seconds 2
