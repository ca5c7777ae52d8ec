#!/usr/bin/env bash
# The project's test command: the Swift test suite (release build: SwiftPM compiles C at -O0
# in debug), the kernel-contract tests again in debug, then the plain C build consumed through
# pkg-config.
set -euo pipefail
cd "$(dirname "$0")/.."
. ./scripts/swift-path.sh             # a Swift that install-deps.sh put in place, when none is on PATH
swift build -c release
swift test -c release 2>&1 | tee /tmp/dualprop-swift-test.log
# Debug: Tensor(unfilledShape:) fills kernel outputs with NaN there (compiled out of release), so
# a kernel that leaves an element of its output unwritten fails its test. Only the kernel tests:
# C at -O0 makes everything else slow (this step: a debug build plus ~1 min of tests). RuntimeTests
# checks that ck_build_optimized() is false there.
swift test --filter "DualPropKernelsTests|CKernelsTests.RuntimeTests" 2>&1 | tee /tmp/dualprop-swift-debug-test.log
./scripts/check-c-consumer.sh        # CMake build + install, pkg-config and find_package consumers
./scripts/thread-sweep.sh            # every threaded driver at 1…64 threads on every ISA; workspaces
./scripts/check-swift-consumer.sh    # a package depending on this one by version (uses HEAD)
./scripts/fuzz.sh 10                 # every file reader under libFuzzer, 10 s each, on the tests' seed corpus
# MNIST smoke runs of the papers' MLP experiments (each fails unless learning happened; ~2-3 min).
# The data folder comes from $DUALPROP_DATA_DIR as for any user; CI and the development machines
# keep it beside the checkout, in ../shared/data.
data="${DUALPROP_DATA_DIR:-${DP_DATA_DIR:-$(cd .. && pwd)/shared/data}}"
if [ -d "$data/mnist" ]; then
    out=$(mktemp -d)
    for experiment in dp-alpha dp-stability fenchel lifted bregman; do
        DUALPROP_DATA_DIR="$data" swift run -c release mnist-mlp "$experiment" --quick --no-progress --output "$out"
    done
else
    echo "mnist-mlp --quick runs SKIPPED: no MNIST data in $data/mnist (set DUALPROP_DATA_DIR to a folder with an mnist/ subfolder)" >&2
fi
