#!/usr/bin/env bash
# The README's quick start on a fresh Debian 12 machine: install what is missing (system packages,
# and a Swift 6 toolchain when `swift` is absent), then train a reduced-width VGG16 with DP⊤ on the
# built-in synthetic data (a few minutes on 2 cores). Extra arguments go to cifar-vgg.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
. ./scripts/swift-path.sh
swift run -c release cifar-vgg --method dpT "$@"
