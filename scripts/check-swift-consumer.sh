#!/usr/bin/env bash
# Checks that another Swift package can depend on this one BY VERSION:
#   1. pushes the current commit (HEAD: commit first, uncommitted edits are not seen) into a
#      temporary bare git repository and tags it 0.1.0 there;
#   2. copies examples/swift-consumer, pointing its `.package(url:from: "0.1.0")` at that
#      repository's file:// URL;
#   3. resolves (swift-argument-parser comes through git's URL rewriting, like any dependency),
#      builds and runs the consumer, which multiplies two Tensors and validates the product.
# A package with unsafeFlags, or a manifest that does not resolve, fails here.
# Usage: scripts/check-swift-consumer.sh      (env KEEP=1 keeps the temp dir; CONFIG=debug|release)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/dualprop-swift-consumer.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
config="${CONFIG:-release}"
tag=0.1.0
fail() { # fail STEP LOG: the log's tail (KEEP=1 keeps the whole temp dir instead)
  if [ "${KEEP:-0}" = 1 ]; then echo "FAIL swift-consumer $1 (log: $2)"; else echo "FAIL swift-consumer $1:"; tail -n 40 "$2"; fi
  echo "FAIL check-swift-consumer"; exit 1; }

if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
  echo "note: uncommitted changes are not part of this check (it uses HEAD $(git -C "$root" rev-parse --short HEAD))"
fi

repo="$work/DualProp.git"
{ git init -q --bare "$repo" &&
  git -C "$root" push -q "$repo" HEAD:refs/heads/main &&
  git -C "$repo" tag "$tag" main; } >"$work/repo.log" 2>&1 || fail "make tagged repo" "$work/repo.log"
echo "PASS swift-consumer tagged $(git -C "$repo" rev-parse --short main) as $tag in file://$repo"

consumer="$work/consumer"
cp -r "$root/examples/swift-consumer" "$consumer"
rm -rf "$consumer"/.build* "$consumer/Package.resolved"
sed -i "s|\.package(url: \"[^\"]*\", from: \"[^\"]*\"), // DUALPROP_URL|.package(url: \"file://$repo\", from: \"$tag\"), // DUALPROP_URL|" \
  "$consumer/Package.swift"
grep -q "file://$repo" "$consumer/Package.swift" || { echo "FAIL swift-consumer could not set the URL"; exit 1; }
# SwiftPM leaves lock files in $TMPDIR: keep them inside the temp dir that is removed at exit.
mkdir -p "$work/tmp"; export TMPDIR="$work/tmp"
# No shared dependency cache: the temp repository's URL is new each run anyway.
swiftpm=(--package-path "$consumer" --scratch-path "$consumer/.build" --disable-dependency-cache)
swift package "${swiftpm[@]}" resolve >"$work/resolve.log" 2>&1 || fail "resolve" "$work/resolve.log"
resolved="$(grep -o '"identity" : "[^"]*"\|"version" : "[^"]*"' "$consumer/Package.resolved" | cut -d'"' -f4 | paste -sd' ' | sed 's/\([^ ]*\) \([^ ]*\)/\1@\2/g')"
echo "PASS swift-consumer resolve ($resolved)"
swift build -c "$config" "${swiftpm[@]}" >"$work/build.log" 2>&1 || fail "build -c $config" "$work/build.log"
echo "PASS swift-consumer build -c $config"
"$consumer/.build/$config/GEMMConsumer" >"$work/run.log" 2>&1 || fail "run" "$work/run.log"
sed 's/^/    /' "$work/run.log"
echo "PASS swift-consumer run"

# DualProp's own swift-argument-parser dependency is pruned for library-product consumers
# (target-based resolution: no library product needs it). Resolve once more with the consumer
# also using ArgumentParser, so the github.com URL goes through git's URL rewriting (a local
# mirror on machines without network) and is unified with DualProp's `from: "1.5.0"`.
# Resolve only: building ArgumentParser would add ~40 s and test nothing of ours.
sed -i -e 's|^\( *\)\(\.package(url: "file://.*// DUALPROP_URL\)$|&\n\1.package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),|' \
       -e 's|^\( *\)\(\.product(name: "DualPropKernels", package: "DualProp"),\)$|&\n\1.product(name: "ArgumentParser", package: "swift-argument-parser"),|' \
  "$consumer/Package.swift"
swift package "${swiftpm[@]}" resolve >"$work/resolve-ap.log" 2>&1 || fail "resolve with swift-argument-parser" "$work/resolve-ap.log"
ap="$(grep -A6 '"identity" : "swift-argument-parser"' "$consumer/Package.resolved" | grep -o '"version" : "[^"]*"' | cut -d'"' -f4)"
[ -n "$ap" ] || fail "swift-argument-parser missing from Package.resolved" "$consumer/Package.resolved"
echo "PASS swift-consumer resolve with swift-argument-parser@$ap beside dualprop@$tag"
echo "PASS check-swift-consumer"
