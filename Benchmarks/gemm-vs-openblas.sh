#!/usr/bin/env bash
# gemm-vs-openblas.sh — our SGEMM (ck-bench gemm) against OpenBLAS's cblas_sgemm on the same
# shapes, same call (row-major, no transposes, alpha 1, beta 0) and same timing method (one
# warm-up, median of --repeats), for each thread count, interleaved per shape (--rounds
# alternations of ours and theirs; the median over rounds is shown). Prints ours / OpenBLAS.
#
# Needs Debian's OpenBLAS:  sudo apt-get install -y libopenblas-dev   (and gcc, python3).
# Usage: Benchmarks/gemm-vs-openblas.sh [--repeats N] [--rounds R] [--threads 1,2] [--skip-4096]
#        [--filter TEXT] [--coretype SkylakeX]
# Runs take about 2-4 minutes on a 2-core Cascade Lake; run on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

repeats=7 threads=1,2 skip=() coretype=SkylakeX rounds=3 filter=()
while [ $# -gt 0 ]; do
    case "$1" in
        --repeats) repeats="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --skip-4096) skip=(--skip-4096); shift ;;
        --coretype) coretype="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --filter) filter=(--filter "$2"); shift 2 ;;
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
"$bin" gemm "${skip[@]}" "${filter[@]}" --list-shapes > "$out/shapes.txt"

IFS=, read -ra thread_list <<< "$threads"
# Interleaved: for every shape and thread count, `rounds` alternations of one ck-bench run and
# one OpenBLAS run (each: one warm-up, median of --repeats), so load from other processes hits
# both alike; the table shows the median over rounds. The FMA peak is measured once, first.
"$bin" gemm --threads "$threads" --repeats 1 --filter none-such --json > "$out/peak.json"
while read -r name m n k; do
    for t in "${thread_list[@]}"; do
        for ((r = 0; r < rounds; r++)); do
            "$bin" gemm --exact "$name" --no-peak --threads "$t" --repeats "$repeats" --json >> "$out/ours.jsonl"
            echo "$name $m $n $k" | OPENBLAS_CORETYPE="$coretype" OPENBLAS_NUM_THREADS="$t" \
                "$out/openblas_gemm_bench" "$t" "$repeats" >> "$out/openblas.jsonl"
        done
    done
    echo "  $name done (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done < "$out/shapes.txt"

python3 - "$out" "$rounds" "${thread_list[@]}" <<'PY'
import json, statistics, sys
out, rounds, threads = sys.argv[1], int(sys.argv[2]), [int(t) for t in sys.argv[3:]]
peak_doc = json.load(open(f"{out}/peak.json"))
peak = {int(p["threads"]): p["gflops"] for p in peak_doc.get("fma_peak", [])}
ours, theirs, shapes, config = {}, {}, {}, ""
for line in open(f"{out}/ours.jsonl"):
    for r in json.loads(line)["results"]:
        ours.setdefault((r["shape"], int(r["threads"])), []).append(r["gflops"])
        shapes[r["shape"]] = (int(r["m"]), int(r["n"]), int(r["k"]))
for line in open(f"{out}/openblas.jsonl"):
    doc = json.loads(line)
    config = doc["config"]
    for r in doc["results"]:
        theirs.setdefault((r["shape"], int(r["threads"])), []).append(r["gflops"])
print(f"ours: {peak_doc['kernel']} ({peak_doc['isa']}); OpenBLAS: {config}")
print(f"median over {rounds} interleaved rounds, each the median of the repeats")
print("FMA peak: " + ", ".join(f"{t} thread(s) {g:.1f} GFLOP/s" for t, g in sorted(peak.items())))
head = f"{'shape':<14}{'m':>6}{'n':>8}{'k':>6}"
for t in threads:
    head += f" | {t}T ours  OpenBLAS  ratio  %peak"
print(head)
for shape, (m, n, k) in shapes.items():
    line = f"{shape:<14}{m:>6}{n:>8}{k:>6}"
    for t in threads:
        o = statistics.median(ours[(shape, t)]) if (shape, t) in ours else None
        b = statistics.median(theirs[(shape, t)]) if (shape, t) in theirs else None
        ratio = f"{o / b:5.2f}" if o and b else "    -"
        pct = f"{100 * o / peak[t]:5.1f}" if o and t in peak else "    -"
        line += f" | {o or 0:7.1f} {b or 0:9.1f}  {ratio}  {pct}"
    print(line)
PY
