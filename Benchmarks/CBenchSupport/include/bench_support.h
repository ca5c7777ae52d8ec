/*
 * bench_support.h — machine limits measured beside the kernels (benchmark-only C target):
 * FP32 FMA throughput and STREAM-like copy bandwidth.
 */
#ifndef CBS_BENCH_SUPPORT_H
#define CBS_BENCH_SUPPORT_H

#include <stdint.h>

/** FP32 FMA throughput in GFLOP/s of `threads` threads, each running independent chains of
 *  zmm (AVX-512) FMAs — or ymm when the CPU lacks AVX-512 — with 24 accumulators for about
 *  `seconds` seconds. Returns the median over 5 runs. */
double cbs_fma_peak_gflops(int threads, double seconds);
/** cbs_fma_peak_gflops timed with the process CPU clock when cpu_time is set: the peak of a core
 *  that is not shared, for kernels timed the same way on a loaded machine (with several threads,
 *  the CPU clock sums them, so the result is the peak if each thread had its own core). */
double cbs_fma_peak_gflops_on(int threads, double seconds, int cpu_time);

/** One STREAM-like copy pass dst[i] = src[i], i < n, split statically over `threads` threads
 *  with non-temporal stores where available. Bandwidth = 2·4·n bytes / time. */
void cbs_stream_copy(float *dst, const float *src, int64_t n, int threads);

#endif
