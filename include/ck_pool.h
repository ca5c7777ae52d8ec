/*
 * ck_pool.h — max pooling 2x2, stride 2, over NHWC activations.
 *
 * x is (N,H,W,C); the output is (N,P,Q,C) with P = H/2, Q = W/2 (floor: a last odd row or
 * column is dropped, as PyTorch's MaxPool2d(2) does).
 *   y[n,p,q,c] = max_{i,j ∈ {0,1}} x[n, 2p+i, 2q+j, c]
 * The switch (argmax) of each window is its position 2i + j ∈ {0,1,2,3}, stored as uint8 in an
 * (N,P,Q,C) array. Ties: the first maximum in the order (0,0),(0,1),(1,0),(1,1) wins.
 * NaN: a NaN compares false, so a window whose first element is NaN keeps it (y = NaN).
 */
#ifndef CK_POOL_H
#define CK_POOL_H

#include "ck_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Forward: y = maxpool(x), and the switches when `argmax` is not NULL.
 * x is (N,H,W,C), y and argmax are (N,H/2,W/2,C). Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION.
 */
ck_status ck_maxpool2d_fwd(int64_t n, int64_t h, int64_t w, int64_t c,
                           const float *x, float *y, uint8_t *argmax);

/**
 * Backward through recorded switches: dx[n, 2p+i, 2q+j, c] = dy[n,p,q,c] if argmax[n,p,q,c] = 2i+j,
 * else 0 (dx is overwritten everywhere, including a dropped odd last row/column).
 * dy and argmax are (N,H/2,W/2,C), dx is (N,H,W,C). Errors: CK_ERR_NULL_POINTER,
 * CK_ERR_BAD_DIMENSION, CK_ERR_BAD_ARGUMENT (a switch > 3).
 */
ck_status ck_maxpool2d_bwd(int64_t n, int64_t h, int64_t w, int64_t c,
                           const float *dy, const uint8_t *argmax, float *dx);

/**
 * Backward through the switches of a *different* tensor: dx gets dy at the argmax of each window
 * of `switch_src` (N,H,W,C) — e.g. the pre-activation conv(s⁺) at which dual propagation
 * linearises the pooling (SPEC §7) — without storing the switches. Same tie rule as the forward,
 * so ck_maxpool2d_bwd_switched(x, dy) == ck_maxpool2d_bwd(argmax of x, dy) exactly.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION.
 */
ck_status ck_maxpool2d_bwd_switched(int64_t n, int64_t h, int64_t w, int64_t c,
                                    const float *switch_src, const float *dy, float *dx);

#ifdef __cplusplus
}
#endif
#endif /* CK_POOL_H */
