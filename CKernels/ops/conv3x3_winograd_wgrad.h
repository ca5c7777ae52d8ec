/*
 * conv3x3_winograd_wgrad.h — the Winograd F(2x2, 3x3) backward-weights pass of 3x3 / stride 1 /
 * pad 1 convolutions (internal). Used by conv.c when ck_conv3x3_winograd_selected says so for
 * CK_CONV2D_BWD_WEIGHTS.
 */
#ifndef CK_CONV3X3_WINOGRAD_WGRAD_H
#define CK_CONV3X3_WINOGRAD_WGRAD_H

#include "ck_conv.h"

#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/* Workspace bytes of ck_conv3x3_winograd_wgrad for `p` (any thread count): the 16 transform-
 * domain sums (16·C·K floats) and one block of transformed inputs and output gradients. 0 when
 * the Winograd path cannot compute `p`. */
size_t ck_conv3x3_winograd_wgrad_workspace(const ck_conv2d_params *p);

/* dw (3,3,C,K) = Σ_{n,p,q} x[n, p−1+r, q−1+s, c] · dy[n,p,q,k] (+ beta·dw; beta == 0: dw is
 * not read) through F(2x2, 3x3): dw = Gᵀ [Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ d B)] G. x is (N,H,W,C), dy
 * (N,H,W,K), N ≥ 1. ws: ck_conv3x3_winograd_wgrad_workspace bytes, 64-byte aligned. Every sum
 * is accumulated in the same order for every thread count: bitwise the same results. */
ck_status ck_conv3x3_winograd_wgrad(const ck_conv2d_params *p, const float *x, const float *dy, float beta,
                                    float *dw, void *ws);

#pragma GCC visibility pop
#endif
