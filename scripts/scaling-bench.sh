#!/usr/bin/env bash
# Scaling of a VGG16 BP step (and DP⊤ α=½) with the thread count, for the many-core table of
# Benchmarks/README.md ("Scaling past two cores"). Run on an otherwise idle machine:
#   scripts/scaling-bench.sh [THREADS...]          default: 1 2 4 8 16 (and the machine's default count)
# env: BATCH (100), REPEATS (5), RULES (bp,dpTh), WIDTH (1).
# Prints the CPU, the default thread count and why, then one row per thread count: median step
# seconds per rule and the speed-up over the first count. Builds dualprop-bench in release first.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=("$@"); [ ${#threads[@]} -gt 0 ] || threads=(1 2 4 8 16)
batch="${BATCH:-100}" repeats="${REPEATS:-5}" rules="${RULES:-bp,dpTh}" width="${WIDTH:-1}"
swift build -c release --product dualprop-bench >/dev/null
swift build -c release --product ck-bench >/dev/null
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) CPUs available)"
.build/release/ck-bench split --batches "$batch" --columns "$(IFS=,; echo "${threads[*]}")" | tail -n 12
echo
echo "| threads | $(echo "$rules" | sed 's/,/ step (s) | /g') step (s) | speed-up ($(echo "$rules" | cut -d, -f1)) |"
echo "|---:|$(echo "$rules" | sed 's/[^,]*/---:/g; s/,/|/g')|---:|"
first=""
for t in "${threads[@]}"; do
    out=$(.build/release/dualprop-bench step --width "$width" --batch "$batch" --repeats "$repeats" \
          --rules "$rules" --threads "$t" --json)
    # one median per rule, in --rules order
    secs=$(python3 -c 'import json,sys; print(" ".join("%.3f" % r["median_s"] for r in json.load(sys.stdin)["rules"]))' <<<"$out")
    s1=${secs%% *}
    [ -n "$first" ] || first=$s1
    speed=$(python3 -c "print(f'{$first/$s1:.2f}')")
    echo "| $t | $(echo "$secs" | sed 's/ / | /g') | $speed× |"
done
