#!/usr/bin/env bash
# Runs every test: installs what is missing (scripts/setup.sh), then the Swift test suites in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
ERNIE_SKIP_BUILD=1 scripts/setup.sh
swift test -c release -Xswiftc -enable-testing "$@"
