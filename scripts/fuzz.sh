#!/usr/bin/env bash
# Fuzzes every file reader with libFuzzer: safetensors, zip/npz/npy, CIFAR binary, MNIST idx and
# gzip, and the resumable run-state loader (targets in Fuzz/).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 10 s each, all targets)
#   scripts/fuzz.sh 600                                  the 10-minute-per-target run (README)
#
# The targets are built with `-sanitize=fuzzer` on the command line (never in Package.swift) in
# their own scratch folders, .build-fuzz/build/<target>. Seeds come from the test suite (FuzzSeedCorpusTests and
# RunStateTests write them to .build/fuzz-corpus, or to $DUALPROP_FUZZ_CORPUS); this script runs
# those tests first when the corpus is missing. New interesting inputs go to
# .build-fuzz/corpus/<target>; a crash or a leak of memory beyond -rss_limit_mb is saved as
# .build-fuzz/findings/<target>/crash-* (replay: `.build/release/<target> FILE`), and the script
# fails. Peak memory of each target is printed by libFuzzer as "peak_rss_mb".
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-safetensors fuzz-zip-npy fuzz-cifar fuzz-idx-gzip fuzz-run-state)
corpus=${DUALPROP_FUZZ_CORPUS:-.build/fuzz-corpus}
if [ ! -d "$corpus/fuzz-run-state" ] || [ ! -d "$corpus/fuzz-safetensors" ]; then
    echo "fuzz: writing the seed corpus ($corpus) with the tests" >&2
    swift test -c release --filter 'FuzzSeedCorpusTests|RunStateTests/testWriteSeedCorpusAndMutate' >/dev/null
fi
# lld: the gold linker of this toolchain fails on the instrumented objects ("internal error in
# format_file_lineno"). -DDUALPROP_LIBFUZZER makes each target's main run libFuzzer's driver.
# One scratch folder per target: SwiftPM 6.3 loses its cached build plan ("unknown build
# description") when one scratch folder alternates between products.
# It can also happen after Package.swift changes: then the plan is dropped and the build retried.
flags=(-c release -Xswiftc -sanitize=fuzzer -Xswiftc -DDUALPROP_LIBFUZZER -Xswiftc -use-ld=lld)
build() {
    local scratch=.build-fuzz/build/$1
    mkdir -p "$scratch"
    if ! swift build "${flags[@]}" --scratch-path "$scratch" --product "$1" >"$scratch/build.log" 2>&1; then
        if grep -q "unknown build description" "$scratch/build.log"; then
            rm -f "$scratch"/x86_64-unknown-linux-gnu/release/description.json "$scratch/release.yaml" "$scratch/build.db"
            swift build "${flags[@]}" --scratch-path "$scratch" --product "$1"
        else
            cat "$scratch/build.log" >&2; echo "fuzz: building $1 failed" >&2; exit 1
        fi
    fi
}
for t in "${targets[@]}"; do build "$t"; done
status=0
for t in "${targets[@]}"; do
    work=.build-fuzz/corpus/$t findings=.build-fuzz/findings/$t
    mkdir -p "$work" "$findings"
    echo "fuzz: $t for ${seconds}s (seeds $corpus/$t)" >&2
    # -rss_limit_mb: a reader may use a small multiple of its input; 2 GB means a bounded-memory bug.
    if ! ".build-fuzz/build/$t/release/$t" "$work" "$corpus/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
            -max_len=1048576 -timeout=30 -print_final_stats=1 -artifact_prefix="$findings/" 2>"$findings/log.txt"; then
        status=1
        echo "fuzz: $t FOUND A PROBLEM; see $findings/ (log.txt and crash-*)" >&2
    fi
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done" "$findings/log.txt" | sed "s/^/fuzz: $t: /" >&2 || true
done
exit $status
