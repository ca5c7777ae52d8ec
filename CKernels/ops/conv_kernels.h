/*
 * conv_kernels.h — leaf contracts of the convolution, pooling, element-wise and loss families
 * (internal). Drivers in ops/ own validation, workspace and threads; leaves are single-threaded
 * and never allocate.
 */
#ifndef CK_CONV_KERNELS_H
#define CK_CONV_KERNELS_H

#include <stdint.h>
#include "ck_conv.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/* im2col of one output row: col is (Q, R·S·C) for output row `oh` of one image x (H,W,C);
 * taps outside the image are written as 0. */
typedef void (*ck_im2col_row_fn)(const ck_conv2d_params *p, const float *x, int64_t oh,
                                 int64_t q_out, float *col);
/* col2im of one input row: dx_row (W,C) = Σ over every (p,r,q,s) landing on input row `ih`
 * of col[(p·Q + q), (r·S + s)·C + c] — col is (P·Q, R·S·C) of one image. Overwrites dx_row. */
typedef void (*ck_col2im_row_fn)(const ck_conv2d_params *p, const float *col, int64_t ih,
                                 int64_t p_out, int64_t q_out, float *dx_row);

typedef struct ck_im2col_kernels {
    const char *name;
    ck_im2col_row_fn im2col_row;
    ck_col2im_row_fn col2im_row;
} ck_im2col_kernels;

/* Direct 3x3 stride-1 convolution tile: for t < T ≤ max_t,
 *   y[t·y_pix + 0..32) = bias + Σ_{r<rows, s<cols, c<C} xp[t·x_pix + r·x_row + s·C + c] · w[((r·3 + s)·C + c)·K + 0..32)
 * where xp is the input at the tile's first pixel and first valid tap (r_lo, s_lo), w the weights at
 * that tap and the channel block, y the output at the first pixel (channel block). Row tiles of a
 * zero-padded image row have x_pix = C, y_pix = K; batch tiles (the same pixel in T images) have
 * image strides. bias may be NULL. */
typedef void (*ck_conv3x3_tile_fn)(int T, const float *xp, int64_t x_pix, int64_t x_row, int64_t c_in,
                                   const float *w, int64_t k_out, int rows, int cols, const float *bias,
                                   float *y, int64_t y_pix);

/* Direct 3x3 backward-weights tile: dw[ct·ldw + 0..32) += Σ_{p<npix} xs[p·x_pix + ct] · dy[p·dy_pix + 0..32)
 * for ct < CT ≤ max_ct: a (CT × 32) block of one tap's (C, K) weight-gradient matrix, reduced over
 * npix pixels (xs: shifted input at the first channel of the block; dy: output gradient at the
 * first channel of the block; consecutive pixels x_pix and dy_pix floats apart). */
typedef void (*ck_conv3x3_bwdw_tile_fn)(int CT, const float *xs, int64_t x_pix, const float *dy,
                                        int64_t dy_pix, int64_t npix, float *dw, int64_t ldw);

/* Direct 3x3 batch tile: as ck_conv3x3_tile_fn for the same output pixel of T ≤ max_t images, the
 * input in the group-packed layout xg[pixel][c][max_t] (image t of the group at slot t):
 *   y[t·y_pix + 0..32) = bias + Σ_{r<rows, s<cols, c<C} xg[r·x_row + s·x_col + c·max_t + t] · w[((r·3 + s)·C + c)·K + 0..32)
 * xg at the first valid tap's pixel; x_col = max_t·C, x_row = W·max_t·C for a packed image. */
typedef void (*ck_conv3x3_batch_tile_fn)(int T, const float *xg, int64_t x_col, int64_t x_row, int64_t c_in,
                                         const float *w, int64_t k_out, int rows, int cols,
                                         const float *bias, float *y, int64_t y_pix);

typedef struct ck_conv_direct_kernels {
    const char *name;          /* NULL when the ISA has no direct path */
    int max_t, block_k;        /* pixels per tile, output channels per tile */
    ck_conv3x3_tile_fn tile;
    int max_ct;                /* input channels per backward-weights tile */
    ck_conv3x3_bwdw_tile_fn bwdw_tile;
    ck_conv3x3_batch_tile_fn batch_tile;
} ck_conv_direct_kernels;

/* Max-pool 2x2/2 over one output row: x0, x1 are input rows 2p and 2p+1 (W,C); y, sw (Q,C). */
typedef void (*ck_maxpool_fwd_row_fn)(int64_t q_out, int64_t c, const float *x0, const float *x1,
                                      float *y, uint8_t *sw);
/* Route dy (Q,C) of one output row into input rows dx0, dx1 (W,C) at switches sw (Q,C);
 * writes every element of columns [0, 2Q) of both rows. */
typedef void (*ck_maxpool_bwd_row_fn)(int64_t q_out, int64_t c, const float *dy, const uint8_t *sw,
                                      float *dx0, float *dx1);
/* As bwd_row, with the switches computed from rows s0, s1 (W,C) of another tensor. */
typedef void (*ck_maxpool_bwd_switched_row_fn)(int64_t q_out, int64_t c, const float *s0,
                                               const float *s1, const float *dy, float *dx0, float *dx1);

typedef struct ck_pool_kernels {
    const char *name;
    ck_maxpool_fwd_row_fn fwd_row;
    ck_maxpool_bwd_row_fn bwd_row;
    ck_maxpool_bwd_switched_row_fn bwd_switched_row;
} ck_pool_kernels;

typedef struct ck_eltwise_kernels {
    const char *name;
    void (*relu_fwd)(int64_t n, const float *x, float *y);
    void (*relu_bwd)(int64_t n, const float *x, const float *dy, float *dx);
    /* y (rows, cols) += b (cols) */
    void (*bias_add)(int64_t rows, int64_t cols, const float *b, float *y);
    void (*axpy)(int64_t n, float a, const float *x, float *y);
    /* acc (cols) += Σ_{i<rows} x[i, cols]: column sums for bias gradients */
    void (*col_sum_acc)(int64_t rows, int64_t cols, const float *x, float *acc);
    void (*sgd)(int64_t n, float lr, float momentum, float wd, float *w, const float *g, float *v);
    /* step_size = lr / (1−β1ᵗ), inv_bc2 = 1 / (1−β2ᵗ) precomputed by the driver */
    void (*adam)(int64_t n, float step_size, float beta1, float beta2, float eps, float inv_bc2,
                 float wd, float *w, const float *g, float *m, float *v);
} ck_eltwise_kernels;

/* Softmax cross-entropy of one row: returns ℓ (double); writes grad (C) when non-NULL. */
typedef struct ck_loss_kernels {
    const char *name;
    double (*xent_row)(int64_t classes, const float *z, int32_t label, float scale, float *grad);
} ck_loss_kernels;

#pragma GCC visibility pop
#endif
