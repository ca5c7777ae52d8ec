#!/usr/bin/env bash
# Builds and runs the -O0 micro-kernel comparison (needs clang, objcopy and an AVX-512 CPU).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
out="$(mktemp -d "${TMPDIR:-/tmp}/o0-microkernel.XXXXXX")"; trap 'rm -rf "$out"' EXIT
for o in O0 O3; do  # the library's kernel, renamed so both builds link into one program
  clang -$o -std=gnu11 -D_GNU_SOURCE -I"$root/include" -I"$root/CKernels" \
    -c "$root/CKernels/x86/avx512/gemm_avx512_8x48.c" -o "$out/k_$o.o"
  objcopy --redefine-sym ck_sgemm_avx512_8x48=k_$o --globalize-symbol=k_$o "$out/k_$o.o"
done
python3 "$here/gen_asm_kernel.py" "$out/asm_kernel.c"
clang -O0 -c "$out/asm_kernel.c" -o "$out/asm.o"
clang -O2 "$here/bench.c" "$out/k_O0.o" "$out/k_O3.o" "$out/asm.o" -o "$out/bench"
"$out/bench"
