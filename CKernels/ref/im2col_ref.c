/*
 * im2col_ref.c — im2col / col2im over NHWC rows. Each tap is a run of C contiguous floats, so
 * the copies are memcpy/memset (already vectorised by libc); col2im sums runs and is the one
 * with SIMD leaves (x86/avx2, x86/avx512), this file being their oracle.
 */
#include <string.h>
#include "ref_leaves.h"

void ck_im2col_row_ref(const ck_conv2d_params *p, const float *x, int64_t oh, int64_t q_out,
                       float *col) {
    /* x is (H,W,C) of one image; col is (Q, R·S·C) */
    const int64_t C = p->c, rsc = p->r * p->s * C;
    const size_t run = (size_t)C * sizeof(float);
    for (int64_t q = 0; q < q_out; ++q) {
        float *dst = col + q * rsc;
        for (int64_t r = 0; r < p->r; ++r) {
            int64_t ih = oh * p->stride_h - p->pad_h + r;
            if (ih < 0 || ih >= p->h) { memset(dst, 0, run * (size_t)p->s); dst += p->s * C; continue; }
            const float *row = x + ih * p->w * C;
            for (int64_t s = 0; s < p->s; ++s, dst += C) {
                int64_t iw = q * p->stride_w - p->pad_w + s;
                if (iw < 0 || iw >= p->w) memset(dst, 0, run);
                else memcpy(dst, row + iw * C, run);
            }
        }
    }
}

void ck_col2im_row_ref(const ck_conv2d_params *p, const float *col, int64_t ih, int64_t p_out,
                       int64_t q_out, float *dx_row) {
    /* col is (P·Q, R·S·C) of one image; dx_row is (W,C) of input row ih */
    const int64_t C = p->c, rsc = p->r * p->s * C;
    memset(dx_row, 0, (size_t)(p->w * C) * sizeof(float));
    for (int64_t r = 0; r < p->r; ++r) {
        int64_t t = ih + p->pad_h - r; /* = oh · stride_h */
        if (t < 0 || t % p->stride_h) continue;
        int64_t oh = t / p->stride_h;
        if (oh >= p_out) continue;
        for (int64_t q = 0; q < q_out; ++q) {
            const float *src = col + (oh * q_out + q) * rsc + r * p->s * C;
            for (int64_t s = 0; s < p->s; ++s, src += C) {
                int64_t iw = q * p->stride_w - p->pad_w + s;
                if (iw < 0 || iw >= p->w) continue;
                float *dst = dx_row + iw * C;
                for (int64_t c = 0; c < C; ++c) dst[c] += src[c];
            }
        }
    }
}
