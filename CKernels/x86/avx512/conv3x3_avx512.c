/*
 * conv3x3_avx512.c — direct 3x3 convolution leaf (stride 1) over a zero-padded NHWC image:
 * T ≤ 12 output pixels × 32 output channels per call, accumulated in 24 zmm registers. Per input
 * channel and tap: 2 weight vectors loaded, T broadcasts, 2·T FMAs. The caller passes the valid
 * tap rectangle (taps in padding are skipped, not multiplied by zeros) and the pixel strides, so
 * the same leaf serves row tiles of a zero-padded copy and batch tiles (one pixel position in T
 * images) of the unpadded input; the loops have no branches.
 */
#include <immintrin.h>
#include "../../runtime/kernel_table.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#endif

#define CK_CONV3X3_MAX_T 12

/* Fully unroll a loop over the T (or CT) ≤ 12 pixels of a tile, so the accumulators stay in
 * registers: clang's pragma, and GCC's (which unrolls completely when the constant trip count
 * is ≤ 12), so both compilers build the measured code. */
#if defined(__clang__)
#define CK_UNROLL_TILE _Pragma("clang loop unroll(full)")
#else
#define CK_UNROLL_TILE _Pragma("GCC unroll 12")
#endif
_Static_assert(CK_CONV3X3_MAX_T <= 12, "CK_UNROLL_TILE's GCC factor must cover CK_CONV3X3_MAX_T");

/* xp points at input pixel 0 of the tile at the first valid tap (r_lo, s_lo); pixel t of the tile
 * is x_pix floats further, a tap row x_row floats, a tap column c_in floats. w points at tap
 * (r_lo, s_lo) of (3,3,C,K) weights, channel k0; y at the tile's first output pixel, channel k0,
 * pixel t y_pix floats further. Row tiles (pixels side by side in one image row) have
 * x_pix = c_in, y_pix = k_out; batch tiles (one position in T images) image strides. */
static inline __attribute__((always_inline)) void tile(const int T, const float *xp, int64_t x_pix,
                                                       int64_t x_row, int64_t c_in, const float *w,
                                                       int64_t k_out, int rows, int cols,
                                                       const float *bias, float *y, int64_t y_pix) {
    __m512 acc[CK_CONV3X3_MAX_T][2];
    const __m512 b0 = bias ? _mm512_loadu_ps(bias) : _mm512_setzero_ps();
    const __m512 b1 = bias ? _mm512_loadu_ps(bias + 16) : _mm512_setzero_ps();
CK_UNROLL_TILE
    for (int t = 0; t < T; ++t) { acc[t][0] = b0; acc[t][1] = b1; }
    for (int r = 0; r < rows; ++r) {
        for (int s = 0; s < cols; ++s) {
            const float *xs = xp + r * x_row + s * c_in;        /* pixel (t) channel (c): xs[t*x_pix + c] */
            const float *ws = w + (r * 3 + s) * c_in * k_out;   /* channel c: ws[c*K .. +32] */
            for (int64_t c = 0; c < c_in; ++c) {
                const __m512 w0 = _mm512_loadu_ps(ws + c * k_out), w1 = _mm512_loadu_ps(ws + c * k_out + 16);
CK_UNROLL_TILE
                for (int t = 0; t < T; ++t) {
                    const __m512 xb = _mm512_set1_ps(xs[t * x_pix + c]);
                    acc[t][0] = _mm512_fmadd_ps(xb, w0, acc[t][0]);
                    acc[t][1] = _mm512_fmadd_ps(xb, w1, acc[t][1]);
                }
            }
        }
    }
CK_UNROLL_TILE
    for (int t = 0; t < T; ++t) {
        _mm512_storeu_ps(y + t * y_pix, acc[t][0]);
        _mm512_storeu_ps(y + t * y_pix + 16, acc[t][1]);
    }
}

void ck_conv3x3_tile_avx512(int T, const float *xp, int64_t x_pix, int64_t x_row, int64_t c_in,
                            const float *w, int64_t k_out, int rows, int cols, const float *bias,
                            float *y, int64_t y_pix) {
    switch (T) {
#define CASE(n) case n: tile(n, xp, x_pix, x_row, c_in, w, k_out, rows, cols, bias, y, y_pix); break;
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10) CASE(11) CASE(12)
#undef CASE
    default: break;
    }
}

/* Batch tile over a group-packed input: xg holds, for each pixel, channel c of image t of the group
 * at xg[c·12 + t] (12 = CK_CONV3X3_MAX_T slots per channel), so the T broadcasts of one channel
 * read one or two cache lines at constant offsets. (Reading T images in place instead puts T
 * streams whose stride is a multiple of 4 KiB into one L1 set: measured 2× slower.) xg points
 * at the first valid tap's pixel; a tap column is x_col floats on, a tap row x_row floats. */
static inline __attribute__((always_inline)) void batch_tile(const int T, const float *xg, int64_t x_col,
                                                             int64_t x_row, int64_t c_in, const float *w,
                                                             int64_t k_out, int rows, int cols,
                                                             const float *bias, float *y, int64_t y_pix) {
    __m512 acc[CK_CONV3X3_MAX_T][2];
    const __m512 b0 = bias ? _mm512_loadu_ps(bias) : _mm512_setzero_ps();
    const __m512 b1 = bias ? _mm512_loadu_ps(bias + 16) : _mm512_setzero_ps();
CK_UNROLL_TILE
    for (int t = 0; t < T; ++t) { acc[t][0] = b0; acc[t][1] = b1; }
    for (int r = 0; r < rows; ++r) {
        for (int s = 0; s < cols; ++s) {
            const float *xs = xg + r * x_row + s * x_col;
            const float *ws = w + (r * 3 + s) * c_in * k_out;
            for (int64_t c = 0; c < c_in; ++c) {
                _mm_prefetch((const char *)(ws + (c + 8) * k_out), _MM_HINT_T0);
                _mm_prefetch((const char *)(ws + (c + 8) * k_out + 16), _MM_HINT_T0);
                const __m512 w0 = _mm512_loadu_ps(ws + c * k_out), w1 = _mm512_loadu_ps(ws + c * k_out + 16);
CK_UNROLL_TILE
                for (int t = 0; t < T; ++t) {
                    const __m512 xb = _mm512_set1_ps(xs[c * CK_CONV3X3_MAX_T + t]);
                    acc[t][0] = _mm512_fmadd_ps(xb, w0, acc[t][0]);
                    acc[t][1] = _mm512_fmadd_ps(xb, w1, acc[t][1]);
                }
            }
        }
    }
CK_UNROLL_TILE
    for (int t = 0; t < T; ++t) {
        _mm512_storeu_ps(y + t * y_pix, acc[t][0]);
        _mm512_storeu_ps(y + t * y_pix + 16, acc[t][1]);
    }
}

void ck_conv3x3_batch_tile_avx512(int T, const float *xg, int64_t x_col, int64_t x_row, int64_t c_in,
                                  const float *w, int64_t k_out, int rows, int cols, const float *bias,
                                  float *y, int64_t y_pix) {
    switch (T) {
#define CASE(n) case n: batch_tile(n, xg, x_col, x_row, c_in, w, k_out, rows, cols, bias, y, y_pix); break;
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10) CASE(11) CASE(12)
#undef CASE
    default: break;
    }
}

/* Backward-weights: a (CT × 32) block of dw, accumulated in 24 zmm registers over npix pixels:
 * per pixel, 2 dy vectors loaded and CT input channels broadcast (contiguous in NHWC). */
static inline __attribute__((always_inline)) void bwdw_tile(const int CT, const float *xs, int64_t x_pix,
                                                            const float *dy, int64_t dy_pix, int64_t npix,
                                                            float *dw, int64_t ldw) {
    __m512 acc[CK_CONV3X3_MAX_T][2];
CK_UNROLL_TILE
    for (int c = 0; c < CT; ++c) {
        acc[c][0] = _mm512_loadu_ps(dw + c * ldw);
        acc[c][1] = _mm512_loadu_ps(dw + c * ldw + 16);
    }
    for (int64_t p = 0; p < npix; ++p) {
        const __m512 d0 = _mm512_loadu_ps(dy + p * dy_pix), d1 = _mm512_loadu_ps(dy + p * dy_pix + 16);
        const float *xp = xs + p * x_pix;
CK_UNROLL_TILE
        for (int c = 0; c < CT; ++c) {
            const __m512 xb = _mm512_set1_ps(xp[c]);
            acc[c][0] = _mm512_fmadd_ps(xb, d0, acc[c][0]);
            acc[c][1] = _mm512_fmadd_ps(xb, d1, acc[c][1]);
        }
    }
CK_UNROLL_TILE
    for (int c = 0; c < CT; ++c) {
        _mm512_storeu_ps(dw + c * ldw, acc[c][0]);
        _mm512_storeu_ps(dw + c * ldw + 16, acc[c][1]);
    }
}

void ck_conv3x3_bwdw_tile_avx512(int CT, const float *xs, int64_t x_pix, const float *dy, int64_t dy_pix,
                                 int64_t npix, float *dw, int64_t ldw) {
    switch (CT) {
#define CASE(n) case n: bwdw_tile(n, xs, x_pix, dy, dy_pix, npix, dw, ldw); break;
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10) CASE(11) CASE(12)
#undef CASE
    default: break;
    }
}

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif
