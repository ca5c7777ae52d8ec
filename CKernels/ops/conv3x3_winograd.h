/*
 * conv3x3_winograd.h — the Winograd F(2x2, 3x3) path for 3x3 / stride 1 / pad 1 convolutions
 * (internal): forward, and backward-data as the forward convolution of dy with the flipped,
 * transposed filters. Used by conv.c when ck_conv3x3_winograd_selected says so.
 */
#ifndef CK_CONV3X3_WINOGRAD_H
#define CK_CONV3X3_WINOGRAD_H

#include "ck_conv.h"

#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/* Whether the Winograd path can compute `p` (3x3, stride 1, pad 1). */
int ck_conv3x3_winograd_eligible(const ck_conv2d_params *p);

/* Whether conv.c runs `pass` of `p` with Winograd (backward-weights: conv3x3_winograd_wgrad.c):
 * eligible, and either forced by the algorithm setting (ck_conv_set_algorithm / CK_CONV_ALGO)
 * or chosen by the measured per-layer rule in auto mode. */
int ck_conv3x3_winograd_selected(const ck_conv2d_params *p, ck_conv2d_pass pass);

/* Output tile side, 2 (F(2x2, 3x3)) or 4 (F(4x4, 3x3)), that the Winograd path uses for `pass`
 * of `p` under the algorithm setting (the forced size, else the measured rule). */
int ck_conv3x3_winograd_tile(const ck_conv2d_params *p, ck_conv2d_pass pass);

/* "winograd F(2x2,3x3) <isa>" or "winograd F(4x4,3x3) <isa>": the leaves that tile size runs. */
const char *ck_conv3x3_winograd_name(const ck_conv2d_params *p, ck_conv2d_pass pass);

/* Workspace bytes of the Winograd forward (flip = 0) or backward-data (flip = 1) pass with the
 * current thread count (ck_get_num_threads): the transformed filters plus one block of
 * transformed tiles per thread. */
size_t ck_conv3x3_winograd_workspace(const ck_conv2d_params *p, int flip);

/* y (N,H,W,c_out) = conv3x3(x (N,H,W,c_in), w) + bias through F(2x2, 3x3), with the epilogue
 * fused into the output transform: relu → y = max(·, 0); pre (or NULL) also receives the
 * convolution + bias (the pre-activation). Without flip, w is
 * (3,3,c_in,c_out) = (3,3,C,K); with flip, w is the forward weights (3,3,C,K), x is dy
 * (c_in = K), y is dx (c_out = C) and bias must be NULL. ws: ck_conv3x3_winograd_workspace
 * bytes for the current thread count, 64-byte aligned. */
ck_status ck_conv3x3_winograd(const ck_conv2d_params *p, int flip, const float *x, const float *w,
                              const float *bias, int relu, float *pre, float *y, void *ws);

#pragma GCC visibility pop
#endif
