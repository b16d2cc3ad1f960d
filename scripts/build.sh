#!/usr/bin/env bash
# Release build of ernie and its tests with one set of flags, so the test run and the CLI share one build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release -Xswiftc -enable-testing --build-tests "$@"
