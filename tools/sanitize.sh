#!/usr/bin/env bash
# The test suite under a sanitizer (release build with -sanitize=address or thread, in its own .build-<sanitizer>
# folder), then the fuzz targets for a few seconds each under it:
#   tools/sanitize.sh [address|thread] [swift test arguments, e.g. --filter ErnieDataTests]
# Reports go to stderr (a sanitizer report aborts the failing test process).
set -euo pipefail
cd "$(dirname "$0")/.."
SANITIZER=${1:-address}
shift || true
SCRATCH=.build-$SANITIZER
FLAGS=(-c release -Xswiftc -enable-testing -Xswiftc -sanitize="$SANITIZER" --scratch-path "$SCRATCH")
swift build "${FLAGS[@]}" --build-tests
swift test "${FLAGS[@]}" --skip-build "$@"
"$(swift build "${FLAGS[@]}" --show-bin-path)/ernie" fuzz --seconds "${FUZZ_SECONDS:-5}" --work_dir /dev/shm/ernie-fuzz-"$SANITIZER"
