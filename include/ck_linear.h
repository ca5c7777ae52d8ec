/*
 * ck_linear.h — fully connected (dense) layer through SGEMM.
 *
 * Layouts: x is (B, IN) row-major, w is (IN, OUT) row-major (the same "input-major" convention
 * as the convolution's RSCK weights: a 1x1 convolution's weights are exactly a linear layer's),
 * bias is (OUT), y is (B, OUT). PyTorch's nn.Linear stores weight as (OUT, IN) = wᵀ.
 *   y = x · w + b
 */
#ifndef CK_LINEAR_H
#define CK_LINEAR_H

#include "ck_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Forward: y = x·w + b (bias may be NULL: no bias). y is overwritten.
 *  Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION (negative size), CK_ERR_OUT_OF_MEMORY. */
CK_API ck_status ck_linear_fwd(int64_t batch, int64_t in, int64_t out,
                               const float *x, const float *w, const float *bias, float *y);

/** Backward-data: dx = dy · wᵀ. dy is (B,OUT), dx is (B,IN), overwritten. Errors as the forward. */
CK_API ck_status ck_linear_bwd_data(int64_t batch, int64_t in, int64_t out,
                                    const float *dy, const float *w, float *dx);

/** Backward-weights and bias: dw = xᵀ · dy + beta·dw, db = Σ_rows dy + beta·db (db may be NULL).
 *  beta = 0 overwrites (dw, db not read). Errors as the forward. */
CK_API ck_status ck_linear_bwd_weights(int64_t batch, int64_t in, int64_t out,
                                       const float *x, const float *dy, float beta, float *dw, float *db);

#ifdef __cplusplus
}
#endif
#endif /* CK_LINEAR_H */
