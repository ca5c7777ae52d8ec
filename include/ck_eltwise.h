/*
 * ck_eltwise.h — element-wise kernels of plain back-propagation: ReLU, bias add, axpy.
 * (The activation families and fused nudge kernels of the learning rules live in their own
 * headers; these are the BP basics.) All arrays are contiguous; n is the element count.
 * The output may alias an input where noted.
 */
#ifndef CK_ELTWISE_H
#define CK_ELTWISE_H

#include "ck_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** y = x > 0 ? x : 0 (so NaN and −0 give +0). y may alias x.
 *  Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION. */
CK_API ck_status ck_relu_fwd(int64_t n, const float *x, float *y);

/** dx = x > 0 ? dy : 0, with x the ReLU's input (or its output: same mask). dx may alias dy. */
CK_API ck_status ck_relu_bwd(int64_t n, const float *x, const float *dy, float *dx);

/** y[i,j] += b[j] for a (rows, cols) row-major y (bias add over NHWC pixels: cols = C). */
CK_API ck_status ck_bias_add(int64_t rows, int64_t cols, const float *bias, float *y);

/** y = y + a·x. */
CK_API ck_status ck_axpy(int64_t n, float a, const float *x, float *y);

#ifdef __cplusplus
}
#endif
#endif /* CK_ELTWISE_H */
