/*
 * conv3x3_direct.h — the direct 3x3 / stride 1 / pad 1 path (internal), used by conv.c for the
 * forward pass and, with flipped weights, the backward-data pass, when the active ISA has a
 * direct tile kernel and the output channels are a multiple of its block; likewise for
 * backward-weights.
 */
#ifndef CK_CONV3X3_DIRECT_H
#define CK_CONV3X3_DIRECT_H

#include "ck_conv.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/* Whether the direct path handles a 3x3/1/1 convolution from c_in to c_out channels. */
int ck_conv3x3_direct_eligible(const ck_conv2d_params *p, int64_t c_in, int64_t c_out);

/* Workspace bytes of the direct forward (flip = 0) or backward-data (flip = 1) pass. */
size_t ck_conv3x3_direct_workspace(const ck_conv2d_params *p, int flip);

/* y (N,H,W,c_out) = conv3x3(x (N,H,W,c_in), w) + bias. Without flip, w is (3,3,c_in,c_out);
 * with flip it is the forward weights (3,3,c_out,c_in) of which this computes the transposed
 * convolution (backward-data). ws holds ck_conv3x3_direct_workspace bytes, 64-byte aligned. */
ck_status ck_conv3x3_direct(const ck_conv2d_params *p, int flip, const float *x, const float *w,
                            const float *bias, float *y, void *ws);

/* Whether ck_conv3x3_direct_bwd_weights handles `p`, and the workspace bytes it needs. */
int ck_conv3x3_direct_bwd_weights_eligible(const ck_conv2d_params *p);
size_t ck_conv3x3_direct_bwd_weights_workspace(const ck_conv2d_params *p);

/* dw (3,3,C,K) = Σ_pixels x_shifted ⊗ dy + beta·dw for a 3x3/1/1 convolution eligible for the
 * direct path (ck_conv3x3_direct_eligible(p, p->c, p->k)); ws holds
 * ck_conv3x3_direct_bwd_weights_workspace(p) bytes. */
ck_status ck_conv3x3_direct_bwd_weights(const ck_conv2d_params *p, const float *x, const float *dy,
                                        float beta, float *dw, void *ws);

/* Work (multiply-adds) of each of `threads` threads in the direct driver's split of pass
 * 0 = forward, 1 = backward-data, 2 = backward-weights (dynamic loops: chunks dealt evenly);
 * returns the threads the pass uses. For the work-split report (ck_conv2d_work_split). */
int ck_conv3x3_direct_work_split(const ck_conv2d_params *p, int pass, int threads, double *work);

#pragma GCC visibility pop
#endif
