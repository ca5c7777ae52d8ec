#!/usr/bin/env bash
# gemm-vs-openblas.sh — our SGEMM (ck-bench gemm) against OpenBLAS's cblas_sgemm on the same
# shapes, same call (row-major, no transposes, alpha 1, beta 0) and same timing method (one
# warm-up, median of --repeats), for each thread count. Prints ours / OpenBLAS per shape.
#
# Needs Debian's OpenBLAS:  sudo apt-get install -y libopenblas-dev   (and gcc, python3).
# Usage: Benchmarks/gemm-vs-openblas.sh [--repeats N] [--threads 1,2] [--skip-4096] [--coretype SkylakeX]
# Runs take about 2-4 minutes on a 2-core Cascade Lake; run on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

repeats=7 threads=1,2 skip=() coretype=SkylakeX
while [ $# -gt 0 ]; do
    case "$1" in
        --repeats) repeats="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --skip-4096) skip=(--skip-4096); shift ;;
        --coretype) coretype="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

out="${TMPDIR:-/tmp}/gemm-vs-openblas.$$"
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT

cblas_dir=""
for d in /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas /usr/include/x86_64-linux-gnu; do
    [ -f "$d/cblas.h" ] && { cblas_dir="$d"; break; }
done
if [ -z "$cblas_dir" ]; then
    echo "cblas.h not found: install OpenBLAS with 'sudo apt-get install -y libopenblas-dev'" >&2
    exit 1
fi
gcc -O2 -I"$cblas_dir" Benchmarks/openblas/openblas_gemm_bench.c -o "$out/openblas_gemm_bench" -lopenblas

echo "building ck-bench (release)..." >&2
swift build -c release ${CK_SCRATCH:+--scratch-path "$CK_SCRATCH"} --product ck-bench >&2
bin="$(swift build -c release ${CK_SCRATCH:+--scratch-path "$CK_SCRATCH"} --show-bin-path)/ck-bench"
"$bin" gemm "${skip[@]}" --list-shapes > "$out/shapes.txt"

IFS=, read -ra thread_list <<< "$threads"
for t in "${thread_list[@]}"; do
    echo "OpenBLAS ($coretype), $t thread(s)..." >&2
    OPENBLAS_CORETYPE="$coretype" OPENBLAS_NUM_THREADS="$t" \
        "$out/openblas_gemm_bench" "$t" "$repeats" < "$out/shapes.txt" > "$out/openblas-$t.json"
done
echo "ck-bench gemm..." >&2
"$bin" gemm "${skip[@]}" --threads "$threads" --repeats "$repeats" --json > "$out/ours.json"

python3 - "$out" "${thread_list[@]}" <<'PY'
import json, sys
out, threads = sys.argv[1], [int(t) for t in sys.argv[2:]]
ours = json.load(open(f"{out}/ours.json"))
theirs = {}
for t in threads:
    doc = json.load(open(f"{out}/openblas-{t}.json"))
    config = doc["config"]
    for r in doc["results"]:
        theirs[(r["shape"], t)] = r["gflops"]
peak = {p["threads"]: p["gflops"] for p in ours.get("fma_peak", [])}
print(f"ours: {ours['kernel']} ({ours['isa']}); OpenBLAS: {config}")
print("FMA peak: " + ", ".join(f"{int(t)} thread(s) {g:.1f} GFLOP/s" for t, g in sorted(peak.items())))
head = f"{'shape':<14}{'m':>6}{'n':>8}{'k':>6}"
for t in threads:
    head += f" | {t}T ours  OpenBLAS  ratio  %peak"
print(head)
rows = {}
for r in ours["results"]:
    rows.setdefault((r["shape"], r["m"], r["n"], r["k"]), {})[int(r["threads"])] = r["gflops"]
for (shape, m, n, k), by_t in rows.items():
    line = f"{shape:<14}{int(m):>6}{int(n):>8}{int(k):>6}"
    for t in threads:
        o, b = by_t.get(t), theirs.get((shape, t))
        ratio = f"{o / b:5.2f}" if o and b else "    -"
        pct = f"{100 * o / peak[t]:5.1f}" if o and t in peak else "    -"
        line += f" | {o or 0:7.1f} {b or 0:9.1f}  {ratio}  {pct}"
    print(line)
PY
