#!/usr/bin/env bash
# Thread-count sweep of the C kernels (Tests/threads): every threaded driver at 1…64 threads on
# every ISA path against its 1-thread result, the default-thread-count parsers, and the
# per-thread workspaces (freed at thread exit and when the team shrinks).
# Usage: scripts/thread-sweep.sh [--lsan] [thread_sweep args, e.g. --threads 1,2,5 --quick]
#   --lsan  build with clang -fsanitize=address and run with LeakSanitizer at several thread counts
#           (needs clang's sanitizer runtime: Debian libclang-rt-14-dev or the compiler-rt package).
# The team on a 2-core machine is oversubscribed: KMP_BLOCKTIME=0 makes idle libomp threads
# sleep at once instead of spinning, which keeps 64 threads on 2 cores from taking minutes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sanitize=""
if [ "${1:-}" = "--lsan" ]; then sanitize=address; shift; fi
build="${CK_THREAD_BUILD_DIR:-$root/.build-threads${sanitize:+-$sanitize}}"
cc="${CC:-$( [ -n "$sanitize" ] && echo clang || echo cc )}"
CC="$cc" cmake -S "$root" -B "$build" -DCK_BUILD_THREAD_TESTS=ON -DCK_SANITIZE="$sanitize" \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target thread_sweep thread_default_test workspace_test >/dev/null
export KMP_BLOCKTIME=0 OMP_WAIT_POLICY=passive
if [ -n "$sanitize" ]; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
    export LSAN_OPTIONS="suppressions=$root/Tests/threads/lsan.supp:print_suppressions=1"
fi
"$build/thread_default_test"
"$build/workspace_test"
if [ -n "$sanitize" ]; then
    # LeakSanitizer reports at exit; run separate processes whose teams grow and shrink.
    for list in 1 4 "16,2" "1,64,3"; do
        echo "== LSan: thread counts $list"
        "$build/thread_sweep" --quick --threads "$list" "$@"
    done
else
    "$build/thread_sweep" "$@"
fi
