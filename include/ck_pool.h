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
CK_API ck_status ck_maxpool2d_fwd(int64_t n, int64_t h, int64_t w, int64_t c,
                                  const float *x, float *y, uint8_t *argmax);

/**
 * Backward through recorded switches: dx[n, 2p+i, 2q+j, c] = dy[n,p,q,c] if argmax[n,p,q,c] = 2i+j,
 * else 0 (dx is overwritten everywhere, including a dropped odd last row/column).
 * dy and argmax are (N,H/2,W/2,C), dx is (N,H,W,C). Errors: CK_ERR_NULL_POINTER,
 * CK_ERR_BAD_DIMENSION, CK_ERR_BAD_ARGUMENT (a switch > 3).
 */
CK_API ck_status ck_maxpool2d_bwd(int64_t n, int64_t h, int64_t w, int64_t c,
                                  const float *dy, const uint8_t *argmax, float *dx);

/**
 * Backward through the switches of a *different* tensor: dx gets dy at the argmax of each window
 * of `switch_src` (N,H,W,C) — e.g. the pre-activation conv(s⁺) at which dual propagation
 * linearises the pooling — without storing the switches. Same tie rule as the forward,
 * so ck_maxpool2d_bwd_switched(x, dy) == ck_maxpool2d_bwd(argmax of x, dy) exactly.
 * Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION.
 */
CK_API ck_status ck_maxpool2d_bwd_switched(int64_t n, int64_t h, int64_t w, int64_t c,
                                           const float *switch_src, const float *dy, float *dx);

/**
 * Switches of maxpool(conv3x3(x_new) + b) from those of maxpool(z_old), z_old = conv3x3(x_old) + b,
 * for a 3x3 convolution with stride 1 and zero padding 1 (VGG's), without the full convolution.
 *
 * Dual propagation needs the pooling switches of the convolution of a state that moved slightly
 * since the forward pass. Every value of a window moves by at most
 * ‖w[·,·,·,kk]‖₁ · max |x_new − x_old| over the window's 4×4 input patch, so a window whose
 * recorded winner leads the other three positions of z_old by more than twice that bound keeps its
 * switch, and so does a window whose patch is unchanged. The other (window, channel) pairs are
 * "undecided": when there are at most `max_recompute` of them, each is recomputed from x_new,
 * summed in float64, with the forward's tie rule (first maximum wins); when there are more, the
 * switches are left as given and the caller should recompute the convolution (cheaper then).
 * The result is the argmax of the exact convolution of x_new wherever that is not within the
 * float rounding of z_old of a tie — the guarantee a float recomputation gives as well.
 *
 * x_new, x_old: (N,H,W,C) NHWC; weight: RSCK (3,3,C,K); bias: (K); z_old: (N,H,W,K), the
 * convolution of x_old plus bias; switches: (N,H/2,W/2,K), in: those of z_old (each 0…3), out:
 * those of the convolution of x_new (unless more than max_recompute were undecided); *undecided:
 * the number of undecided pairs. Errors: CK_ERR_NULL_POINTER, CK_ERR_BAD_DIMENSION,
 * CK_ERR_BAD_ARGUMENT (a switch > 3), CK_ERR_OUT_OF_MEMORY.
 */
CK_API ck_status ck_conv3x3_pool_switches_update(int64_t n, int64_t h, int64_t w, int64_t c, int64_t k,
                                                 const float *x_new, const float *x_old, const float *weight,
                                                 const float *bias, const float *z_old, uint8_t *switches,
                                                 int64_t max_recompute, int64_t *undecided);

#ifdef __cplusplus
}
#endif
#endif /* CK_POOL_H */
