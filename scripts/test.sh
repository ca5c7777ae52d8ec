#!/usr/bin/env bash
# The project's test command: the Swift test suite (release build: SwiftPM compiles C at -O0
# in debug), then the plain C build consumed through pkg-config.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release
swift test -c release 2>&1 | tee /tmp/dualprop-swift-test.log
./scripts/check-c-consumer.sh        # CMake build + install, pkg-config and find_package consumers
./scripts/check-swift-consumer.sh    # a package depending on this one by version (uses HEAD)
