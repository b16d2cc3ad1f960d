#!/usr/bin/env bash
# The test suite under a sanitizer (release build with -sanitize=address or thread, in its own .build-<sanitizer>
# folder), then the fuzz targets for a few seconds each under it:
#   tools/sanitize.sh [address|thread] [swift test arguments, e.g. --filter ErnieDataTests]
# Reports go to stderr (a sanitizer report aborts the failing test process). Leak checking is off for the tests (the
# XCTest/Testing runtimes and tests that keep buffers on purpose report leaks at exit, and mpirun'd ranks would fail on
# them) and on for the fuzzer, whose every input must leave nothing behind.
set -uo pipefail
cd "$(dirname "$0")/.."
SANITIZER=${1:-address}
shift || true
SCRATCH=.build-$SANITIZER
FLAGS=(-c release -Xswiftc -enable-testing -Xswiftc -sanitize="$SANITIZER" --scratch-path "$SCRATCH")
# libgomp (the kernels' thread pool) is not instrumented: Sources/CShims/parallel.c annotates its fork and join for
# ThreadSanitizer, so the parallel kernels are checked too (2 threads).
swift build "${FLAGS[@]}" --build-tests || exit 1
ASAN_OPTIONS=detect_leaks=0 swift test "${FLAGS[@]}" --skip-build "$@"
tests=$?
"$(swift build "${FLAGS[@]}" --show-bin-path)/ernie" fuzz --seconds "${FUZZ_SECONDS:-5}" --work_dir /dev/shm/ernie-fuzz-"$SANITIZER"
fuzz=$?
echo "sanitize ($SANITIZER): tests exit $tests, fuzz exit $fuzz"
[ $tests -eq 0 ] && [ $fuzz -eq 0 ]
