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

/** One STREAM-like copy pass dst[i] = src[i], i < n, split statically over `threads` threads
 *  with non-temporal stores where available. Bandwidth = 2·4·n bytes / time. */
void cbs_stream_copy(float *dst, const float *src, int64_t n, int threads);

#endif
