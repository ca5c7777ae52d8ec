/*
 * conv3x3_avx2.c — direct 3x3 convolution leaves (stride 1) for AVX2+FMA, the design of
 * x86/avx512/conv3x3_avx512.c on 16 ymm registers: T ≤ 6 output pixels × 16 output channels per
 * call, accumulated in 12 ymm registers (+ 2 weight vectors + 1 broadcast). Per input channel and
 * tap: 2 weight vectors loaded, T broadcasts, 2·T FMAs. Padding taps are skipped by the caller's
 * tap rectangle; the loops have no branches. Contracts: ops/conv_kernels.h.
 */
#include <immintrin.h>
#include "../../runtime/kernel_table.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

#define CK_CONV3X3_AVX2_MAX_T 6

/* Fully unroll a loop over the T (or CT) ≤ 6 pixels of a tile, so the accumulators stay in
 * registers: clang's pragma, and GCC's (which unrolls completely when the constant trip count
 * is ≤ 6), so both compilers build the measured code. */
#if defined(__clang__)
#define CK_UNROLL_TILE _Pragma("clang loop unroll(full)")
#else
#define CK_UNROLL_TILE _Pragma("GCC unroll 6")
#endif
_Static_assert(CK_CONV3X3_AVX2_MAX_T <= 6, "CK_UNROLL_TILE's GCC factor must cover CK_CONV3X3_AVX2_MAX_T");

/* Row tile: see ck_conv3x3_tile_fn; x_pix / y_pix are pixel strides of the tile. */
static inline __attribute__((always_inline)) void tile(const int T, const float *xp, int64_t x_pix,
                                                       int64_t x_row, int64_t c_in, const float *w,
                                                       int64_t k_out, int rows, int cols,
                                                       const float *bias, float *y, int64_t y_pix) {
    __m256 acc[CK_CONV3X3_AVX2_MAX_T][2];
    const __m256 b0 = bias ? _mm256_loadu_ps(bias) : _mm256_setzero_ps();
    const __m256 b1 = bias ? _mm256_loadu_ps(bias + 8) : _mm256_setzero_ps();
CK_UNROLL_TILE
    for (int t = 0; t < T; ++t) { acc[t][0] = b0; acc[t][1] = b1; }
    for (int r = 0; r < rows; ++r) {
        for (int s = 0; s < cols; ++s) {
            const float *xs = xp + r * x_row + s * c_in;
            const float *ws = w + (r * 3 + s) * c_in * k_out;
            for (int64_t c = 0; c < c_in; ++c) {
                const __m256 w0 = _mm256_loadu_ps(ws + c * k_out), w1 = _mm256_loadu_ps(ws + c * k_out + 8);
CK_UNROLL_TILE
                for (int t = 0; t < T; ++t) {
                    const __m256 xb = _mm256_broadcast_ss(xs + t * x_pix + c);
                    acc[t][0] = _mm256_fmadd_ps(xb, w0, acc[t][0]);
                    acc[t][1] = _mm256_fmadd_ps(xb, w1, acc[t][1]);
                }
            }
        }
    }
CK_UNROLL_TILE
    for (int t = 0; t < T; ++t) {
        _mm256_storeu_ps(y + t * y_pix, acc[t][0]);
        _mm256_storeu_ps(y + t * y_pix + 8, acc[t][1]);
    }
}

void ck_conv3x3_tile_avx2(int T, const float *xp, int64_t x_pix, int64_t x_row, int64_t c_in,
                          const float *w, int64_t k_out, int rows, int cols, const float *bias,
                          float *y, int64_t y_pix) {
    switch (T) {
#define CASE(n) case n: tile(n, xp, x_pix, x_row, c_in, w, k_out, rows, cols, bias, y, y_pix); break;
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6)
#undef CASE
    default: break;
    }
}

/* Batch tile over the group-packed input xg[pixel][c][6] (image t of the group at slot t). */
static inline __attribute__((always_inline)) void batch_tile(const int T, const float *xg, int64_t x_col,
                                                             int64_t x_row, int64_t c_in, const float *w,
                                                             int64_t k_out, int rows, int cols,
                                                             const float *bias, float *y, int64_t y_pix) {
    __m256 acc[CK_CONV3X3_AVX2_MAX_T][2];
    const __m256 b0 = bias ? _mm256_loadu_ps(bias) : _mm256_setzero_ps();
    const __m256 b1 = bias ? _mm256_loadu_ps(bias + 8) : _mm256_setzero_ps();
CK_UNROLL_TILE
    for (int t = 0; t < T; ++t) { acc[t][0] = b0; acc[t][1] = b1; }
    for (int r = 0; r < rows; ++r) {
        for (int s = 0; s < cols; ++s) {
            const float *xs = xg + r * x_row + s * x_col;
            const float *ws = w + (r * 3 + s) * c_in * k_out;
            for (int64_t c = 0; c < c_in; ++c) {
                _mm_prefetch((const char *)(ws + (c + 8) * k_out), _MM_HINT_T0);
                const __m256 w0 = _mm256_loadu_ps(ws + c * k_out), w1 = _mm256_loadu_ps(ws + c * k_out + 8);
CK_UNROLL_TILE
                for (int t = 0; t < T; ++t) {
                    const __m256 xb = _mm256_broadcast_ss(xs + c * CK_CONV3X3_AVX2_MAX_T + t);
                    acc[t][0] = _mm256_fmadd_ps(xb, w0, acc[t][0]);
                    acc[t][1] = _mm256_fmadd_ps(xb, w1, acc[t][1]);
                }
            }
        }
    }
CK_UNROLL_TILE
    for (int t = 0; t < T; ++t) {
        _mm256_storeu_ps(y + t * y_pix, acc[t][0]);
        _mm256_storeu_ps(y + t * y_pix + 8, acc[t][1]);
    }
}

void ck_conv3x3_batch_tile_avx2(int T, const float *xg, int64_t x_col, int64_t x_row, int64_t c_in,
                                const float *w, int64_t k_out, int rows, int cols, const float *bias,
                                float *y, int64_t y_pix) {
    switch (T) {
#define CASE(n) case n: batch_tile(n, xg, x_col, x_row, c_in, w, k_out, rows, cols, bias, y, y_pix); break;
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6)
#undef CASE
    default: break;
    }
}

/* Backward-weights: a (CT × 16) block of dw in 12 ymm registers, reduced over npix pixels. */
static inline __attribute__((always_inline)) void bwdw_tile(const int CT, const float *xs, int64_t x_pix,
                                                            const float *dy, int64_t dy_pix, int64_t npix,
                                                            float *dw, int64_t ldw) {
    __m256 acc[CK_CONV3X3_AVX2_MAX_T][2];
CK_UNROLL_TILE
    for (int c = 0; c < CT; ++c) {
        acc[c][0] = _mm256_loadu_ps(dw + c * ldw);
        acc[c][1] = _mm256_loadu_ps(dw + c * ldw + 8);
    }
    for (int64_t p = 0; p < npix; ++p) {
        const __m256 d0 = _mm256_loadu_ps(dy + p * dy_pix), d1 = _mm256_loadu_ps(dy + p * dy_pix + 8);
        const float *xp = xs + p * x_pix;
CK_UNROLL_TILE
        for (int c = 0; c < CT; ++c) {
            const __m256 xb = _mm256_broadcast_ss(xp + c);
            acc[c][0] = _mm256_fmadd_ps(xb, d0, acc[c][0]);
            acc[c][1] = _mm256_fmadd_ps(xb, d1, acc[c][1]);
        }
    }
CK_UNROLL_TILE
    for (int c = 0; c < CT; ++c) {
        _mm256_storeu_ps(dw + c * ldw, acc[c][0]);
        _mm256_storeu_ps(dw + c * ldw + 8, acc[c][1]);
    }
}

void ck_conv3x3_bwdw_tile_avx2(int CT, const float *xs, int64_t x_pix, const float *dy, int64_t dy_pix,
                               int64_t npix, float *dw, int64_t ldw) {
    switch (CT) {
#define CASE(n) case n: bwdw_tile(n, xs, x_pix, dy, dy_pix, npix, dw, ldw); break;
    CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6)
#undef CASE
    default: break;
    }
}

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif
