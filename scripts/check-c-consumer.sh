#!/usr/bin/env bash
# Checks the plain C build as a C consumer sees it, for each compiler (default: gcc and clang):
#   1. cmake configure (default prefix) + build, then `cmake --install --prefix` into a staging
#      folder, which is then moved: the .pc file and CMake package must follow the files;
#   2. the installed libckernels.so exports exactly the functions declared in the installed
#      headers (nm -D), and its SONAME is libckernels.so.MAJOR;
#   3. examples/c through pkg-config, linked shared and static, run;
#   4. examples/cmake-consumer through find_package(ckernels), shared and static, run.
# Then, once, the SwiftPM release objects of CKernels (when built): they rely on the headers'
# `#pragma GCC visibility` alone, so only the ck_ API may have default visibility there, and no
# system function may have been declared hidden (a header included inside a hidden region).
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
  # The prefix is chosen at install time, then the tree is moved: nothing may point at the
  # configure-time default (/usr/local) or at the staging folder.
  step "cmake build+install --prefix, moved" "$d/lib.log" bash -c "
    CC='$cc' cmake -S '$root' -B '$d/build' &&
    cmake --build '$d/build' -j \"\$(nproc)\" && cmake --install '$d/build' --prefix '$d/staged' &&
    mv '$d/staged' '$prefix' && ! grep -rn -e '$d/staged' -e /usr/local '$prefix' --include='*.pc' --include='*.cmake'" || continue
  libdir="$(dirname "$(find "$prefix" -name ckernels.pc | head -n 1)")/.."
  export PKG_CONFIG_PATH="$libdir/pkgconfig"
  version="$(pkg-config --modversion ckernels)"
  major="${version%%.*}"
  step "pkg-config paths in the prefix" "$d/pcpaths.log" bash -c "
    [ \"\$(cd \"\$(pkg-config --variable=includedir ckernels)\" && pwd -P)\" = \"\$(cd '$prefix/include' && pwd -P)\" ] &&
    [ \"\$(cd \"\$(pkg-config --variable=libdir ckernels)\" && pwd -P)\" = \"\$(cd '$libdir' && pwd -P)\" ]"

  # Exported symbols = the functions the installed headers declare (nm -D), SONAME = major.
  exports_only_api() {
    local so="$libdir/libckernels.so"
    "$cc" -E -P -I"$prefix/include" "$prefix/include/ckernels/ckernels.h" |
      grep -oE '\bck_[A-Za-z0-9_]+[[:space:]]*\(' | tr -d ' (' | sort -u >"$d/api.txt"
    nm -D --defined-only "$so" | awk '{print $NF}' |
      grep -vxE '_init|_fini|_edata|_end|__bss_start' | sort -u >"$d/exports.txt"
    echo "$(wc -l <"$d/api.txt") functions declared, $(wc -l <"$d/exports.txt") exported"
    diff "$d/api.txt" "$d/exports.txt" || { echo "(< declared only, > exported only)"; return 1; }
    readelf -d "$so" | grep -q "SONAME.*\[libckernels\.so\.$major\]" ||
      { readelf -d "$so" | grep SONAME; echo "SONAME is not libckernels.so.$major"; return 1; }
  }
  step "nm -D exports exactly the header API, SONAME .so.$major" "$d/nm.log" exports_only_api

  # Each binary must run, agree with the naive loop on every ISA (its exit status) and report
  # the same version as the pkg-config file; the static one must not need libckernels.so.
  run_example() { # run_example BINARY LINKAGE
    "$1" >"$1.out" 2>&1 || { cat "$1.out"; return 1; }
    grep -q "^ckernels $version," "$1.out" || { echo "version mismatch, pc says $version"; cat "$1.out"; return 1; }
    if [ "$2" = static ]; then ! readelf -d "$1" | grep -q 'NEEDED.*libckernels'
    else readelf -d "$1" | grep -q "NEEDED.*\[libckernels\.so\.$major\]"; fi
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

# SwiftPM's objects (clang, no visibility flag): only the API has default visibility; no
# undefined symbol other than a ck_ one is hidden. Skipped when no release build exists.
objects="$root/.build/release/CKernels.build"
if [ -d "$objects" ]; then
  cc=swiftpm
  swiftpm_visibility() {
    local syms; syms="$(find "$objects" -name '*.o' -print0 | xargs -0 readelf -sW)"
    clang -E -P -I"$root/include" "$root/include/ckernels.h" |
      grep -oE '\bck_[A-Za-z0-9_]+[[:space:]]*\(' | tr -d ' (' | sort -u >"$work/swiftpm-api.txt"
    awk '$5 == "GLOBAL" && $7 != "UND" && $6 == "DEFAULT" {print $8}' <<<"$syms" | sort -u \
      >"$work/swiftpm-default.txt"
    echo "$(wc -l <"$work/swiftpm-default.txt") symbols with default visibility"
    comm -23 "$work/swiftpm-default.txt" "$work/swiftpm-api.txt" | sed 's/^/not API but visible: /' |
      tee "$work/swiftpm-bad.txt"
    awk '$7 == "UND" && $6 != "DEFAULT" {print $8}' <<<"$syms" | sort -u | grep -v '^ck_' |
      sed 's/^/declared hidden but defined outside the library: /' | tee -a "$work/swiftpm-bad.txt"
    [ ! -s "$work/swiftpm-bad.txt" ]
  }
  step "release objects: only the API visible" "$work/swiftpm.log" swiftpm_visibility
else
  echo "SKIP c-consumer [swiftpm] no release build at $objects (swift build -c release)"
fi

if [ "$failures" -eq 0 ]; then echo "PASS check-c-consumer"; else echo "FAIL check-c-consumer ($failures failed)"; exit 1; fi
