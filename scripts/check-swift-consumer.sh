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
fail() { echo "FAIL swift-consumer $1 (log: $2)"; [ "${KEEP:-0}" = 1 ] || tail -n 40 "$2"; echo "FAIL check-swift-consumer"; exit 1; }

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
# Once the Swift GEMM wrapper exists in the tagged tree, check it instead of the interim C call.
if git -C "$repo" grep -q 'public func matmul(' main -- Sources/DualPropKernels; then
  sed -i 's|^\( *\)let c = try interimGEMM(a, b)$|\1let c = try matmul(a, b)|' "$consumer/Sources/GEMMConsumer/main.swift"
  echo "     swift-consumer uses DualPropKernels.matmul"
else
  echo "     swift-consumer uses the interim ck_sgemm call (no DualPropKernels.matmul in $tag yet)"
fi

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
echo "PASS check-swift-consumer"
