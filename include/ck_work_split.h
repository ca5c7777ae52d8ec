/*
 * ck_work_split.h — how the drivers split a call's work among threads, for the work-split
 * report (`ck-bench split`). Each function runs the driver's own split code (the same
 * functions the threads call) on a shape and a thread count, without doing the work, and
 * writes the work each thread gets into work[0..threads) (unused threads get 0). Units are
 * per function (flops, multiply-adds, elements); only ratios between threads matter:
 * balance = mean / busiest, 1 = perfect. Dynamic loops (chunks handed out from a shared
 * counter) are reported as each chunk going to the thread with the least work so far, their
 * outcome when time is proportional to work.
 * Each returns the number of threads the call would use (≤ threads). The active ISA matters
 * (its block sizes decide the splits).
 */
#ifndef CK_WORK_SPLIT_H
#define CK_WORK_SPLIT_H

#include <stdint.h>
#include "ck_conv.h"

#ifdef __cplusplus
extern "C" {
#endif

/** ck_sgemm of a row-major m×n×k product (column-major: pass n, m); work in flops. */
CK_API int ck_gemm_work_split(int64_t m, int64_t n, int64_t k, int threads, double *work);

/** One pass of a convolution (direct 3x3, or the GEMM of one im2col chunk); work in
 *  multiply-adds (direct) or flops (GEMM). */
CK_API int ck_conv2d_work_split(const ck_conv2d_params *params, ck_conv2d_pass pass, int threads, double *work);

/** ck_maxpool2d_fwd / _bwd; work in pooling windows. */
CK_API int ck_maxpool2d_work_split(int64_t n, int64_t h, int64_t w, int64_t c, int threads, double *work);

/** ck_nudge and the other activation-family kernels over n elements; work in elements. */
CK_API int ck_nudge_work_split(int64_t n, int threads, double *work);

#ifdef __cplusplus
}
#endif
#endif /* CK_WORK_SPLIT_H */
