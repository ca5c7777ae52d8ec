#!/usr/bin/env bash
# Checks the plain C build as a C consumer sees it, for each compiler (default: gcc and clang):
#   1. cmake configure + build + install libckernels into a temporary prefix;
#   2. examples/c through pkg-config, linked shared and static, run;
#   3. examples/cmake-consumer through find_package(ckernels), shared and static, run.
# Prints one PASS/FAIL line per step; exits non-zero on any failure.
# Usage: scripts/check-c-consumer.sh [compiler...]     (env KEEP=1 keeps the temp dir)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/ckernels-c-consumer.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
compilers=("$@"); [ ${#compilers[@]} -gt 0 ] || compilers=(gcc clang)
failures=0

pass() { echo "PASS c-consumer [$cc] $1"; }
fail() { # fail STEP LOG: the log's tail (KEEP=1 keeps the whole temp dir instead)
  failures=$((failures + 1))
  if [ "${KEEP:-0}" = 1 ]; then echo "FAIL c-consumer [$cc] $1 (log: $2)"; else echo "FAIL c-consumer [$cc] $1:"; tail -n 30 "$2"; fi; }
# step NAME LOG CMD...: runs CMD with output to LOG, prints PASS/FAIL.
step() { local name="$1" log="$2"; shift 2; if "$@" >"$log" 2>&1; then pass "$name"; else fail "$name" "$log"; return 1; fi; }

for cc in "${compilers[@]}"; do
  if ! command -v "$cc" >/dev/null; then echo "SKIP c-consumer [$cc] compiler not found"; continue; fi
  d="$work/$cc"; prefix="$d/prefix"; mkdir -p "$d"
  step "cmake build+install" "$d/lib.log" bash -c "
    CC='$cc' cmake -S '$root' -B '$d/build' -DCMAKE_INSTALL_PREFIX='$prefix' &&
    cmake --build '$d/build' -j \"\$(nproc)\" && cmake --install '$d/build'" || continue
  libdir="$(dirname "$(find "$prefix" -name ckernels.pc | head -n 1)")/.."
  export PKG_CONFIG_PATH="$libdir/pkgconfig"
  version="$(pkg-config --modversion ckernels)"

  # Each binary must run, agree with the naive loop on every ISA (its exit status) and report
  # the same version as the pkg-config file; the static one must not need libckernels.so.
  run_example() { # run_example BINARY LINKAGE
    "$1" >"$1.out" 2>&1 || { cat "$1.out"; return 1; }
    grep -q "^ckernels $version," "$1.out" || { echo "version mismatch, pc says $version"; cat "$1.out"; return 1; }
    if [ "$2" = static ]; then ! readelf -d "$1" | grep -q 'NEEDED.*libckernels'
    else readelf -d "$1" | grep -q 'NEEDED.*libckernels\.so\.0\.1'; fi
  }
  cp -r "$root/examples/c" "$d/pc"
  step "pkg-config build" "$d/pc.log" make -C "$d/pc" CC="$cc" &&
  for kind in shared static; do
    step "pkg-config $kind run" "$d/pc-$kind.log" run_example "$d/pc/sgemm_check_$kind" "$kind"
  done
  step "find_package build" "$d/fp.log" bash -c "
    CC='$cc' cmake -S '$root/examples/cmake-consumer' -B '$d/fp' -DCMAKE_PREFIX_PATH='$prefix' &&
    cmake --build '$d/fp'" &&
  for kind in shared static; do
    step "find_package $kind run" "$d/fp-$kind.log" run_example "$d/fp/sgemm_check_$kind" "$kind"
  done
  grep -h '^ok\|^FAIL' "$d/pc/sgemm_check_static.out" 2>/dev/null | sed "s/^/    [$cc] /"
done

if [ "$failures" -eq 0 ]; then echo "PASS check-c-consumer"; else echo "FAIL check-c-consumer ($failures failed)"; exit 1; fi
