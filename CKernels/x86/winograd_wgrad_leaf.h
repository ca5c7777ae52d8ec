/*
 * winograd_wgrad_leaf.h — the Winograd F(2x2, 3x3) backward-weights transforms
 * (ops/winograd_wgrad_kernels.h) over the SIMD vocabulary (simd_avx512.h / simd_avx2.h),
 * vectorised over channels; compiled per ISA between region_begin.h and region_end.h. The
 * operations are the reference leaf's in the same order, so every ISA transforms bit-identically.
 */

#include "channel_loop.h"
#include "winograd_input_transform.h"

/* Lanes [lo, hi) of x to p[lo..hi) (p: where lane 0 would go; the other lanes are not touched,
 * so p itself may lie before the destination). */
#if CK_VL == 16
static inline __attribute__((always_inline)) void wgrad_store_lanes(float *p, V x, int lo, int hi) {
    _mm512_mask_storeu_ps(p, (__mmask16)(((1u << hi) - 1u) & ~((1u << lo) - 1u)), x);
}
#else
static inline __attribute__((always_inline)) void wgrad_store_lanes(float *p, V x, int lo, int hi) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i in = _mm256_and_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(hi), lane),
                                        _mm256_cmpgt_epi32(lane, _mm256_set1_epi32(lo - 1)));
    _mm256_maskstore_ps(p, in, x);
}
#endif

/* Both transforms run over chunks of CK_VL channels (a partial last chunk loaded with a lane
 * mask) and store each result vector into the panel layout: a chunk that lies inside one panel
 * with one store, one that crosses panel boundaries (pw < CK_VL, or pw not a multiple of it) with
 * one masked store per panel piece. `ch`: the chunk's first channel; BODY computes r[16]. */
#define CK_WINO_PANELS(count, BODY)                                                                   \
    for (int64_t ch = 0; ch < (count); ch += CK_VL) {                                                 \
        const int n = (count) - ch < CK_VL ? (int)((count) - ch) : CK_VL;                             \
        V r[16];                                                                                      \
        if (n == CK_VL) BODY(v_loadu);                                                                \
        else BODY(CK_WINO_LOAD_N);                                                                    \
        int64_t q = ch / pw, off = ch % pw;                                                           \
        if (n == CK_VL && off + CK_VL <= pw) { /* inside one panel */                                 \
            float *const o = out + q * p_stride + off;                                                \
            for (int x = 0; x < 16; ++x) v_storeu(o + x * xi_stride, r[x]);                           \
            continue;                                                                                 \
        }                                                                                             \
        for (int lo = 0; lo < n; ++q, off = 0) { /* piece [lo, hi) of panel q */                      \
            const int hi = lo + (int)(pw - off) < n ? lo + (int)(pw - off) : n;                       \
            float *const o = out + q * p_stride + off - lo;                                           \
            for (int x = 0; x < 16; ++x) wgrad_store_lanes(o + x * xi_stride, r[x], lo, hi);           \
            lo = hi;                                                                                  \
        }                                                                                             \
    }
#define CK_WINO_LOAD_N(p) v_load_n(p, n)

/* (Bᵀ d B) for CK_VL channels of 16 input pixels: the forward's leaf (winograd_leaf.h), stored
 * in panels. */
#define CK_WINO_IN_PANEL_BODY(LOAD) CK_WINO_INPUT_2X2(LOAD, r)

void CK_LEAF(ck_winograd_input_panels_2x2)(int64_t c, const float *const px[16], float *v, int64_t xi_stride,
                                           int64_t pw, int64_t p_stride) {
    float *const out = v;
    CK_WINO_PANELS(c, CK_WINO_IN_PANEL_BODY)
}

/* (A dy Aᵀ) for CK_VL channels of the tile's 4 output-gradient pixels. */
#define CK_WINO_DY_BODY(LOAD)                                                                         \
    do {                                                                                              \
        V t[4][2];                                                                                    \
        for (int j = 0; j < 2; ++j) {                                                                 \
            V d0 = LOAD(py[j] + ch), d1 = LOAD(py[2 + j] + ch);                                       \
            t[0][j] = d0;                                                                             \
            t[1][j] = v_add(d0, d1);                                                                  \
            t[2][j] = v_sub(d0, d1);                                                                  \
            t[3][j] = v_xor(d1, sign);                                                                \
        }                                                                                             \
        for (int i = 0; i < 4; ++i) {                                                                 \
            r[4 * i + 0] = t[i][0];                                                                   \
            r[4 * i + 1] = v_add(t[i][0], t[i][1]);                                                   \
            r[4 * i + 2] = v_sub(t[i][0], t[i][1]);                                                   \
            r[4 * i + 3] = v_xor(t[i][1], sign);                                                      \
        }                                                                                             \
    } while (0)

void CK_LEAF(ck_winograd_dy_2x2)(int64_t k, const float *const py[4], float *u, int64_t xi_stride, int64_t pw,
                                 int64_t p_stride) {
    const V sign = v_set1(-0.0f); /* negation flips the sign bit, as the reference's unary minus */
    float *const out = u;
    CK_WINO_PANELS(k, CK_WINO_DY_BODY)
}
#undef CK_WINO_LOAD_N

/* (Gᵀ m G) + beta·dw for CK_VL output channels of one input channel. */
#define CK_WINO_WGRAD_BODY(LOAD, STORE)                                                               \
    do {                                                                                              \
        V s[3][4];                                                                                    \
        for (int j = 0; j < 4; ++j) {                                                                 \
            V a0 = LOAD(m + (0 + j) * m_stride + ch), a1 = LOAD(m + (4 + j) * m_stride + ch),         \
              a2 = LOAD(m + (8 + j) * m_stride + ch), a3 = LOAD(m + (12 + j) * m_stride + ch);        \
            V sum = v_add(a1, a2), diff = v_sub(a1, a2);                                              \
            s[0][j] = v_add(a0, v_mul(half, sum));                                                    \
            s[1][j] = v_mul(half, diff);                                                              \
            s[2][j] = v_add(v_mul(half, sum), a3);                                                    \
        }                                                                                             \
        for (int r = 0; r < 3; ++r) {                                                                 \
            V sum = v_add(s[r][1], s[r][2]), diff = v_sub(s[r][1], s[r][2]);                          \
            V g[3] = {v_add(s[r][0], v_mul(half, sum)), v_mul(half, diff), v_add(v_mul(half, sum), s[r][3])}; \
            for (int c = 0; c < 3; ++c) {                                                             \
                float *o = dw + (3 * r + c) * dw_stride + ch;                                         \
                STORE(o, beta == 0.0f ? g[c] : v_add(g[c], v_mul(beta_v, LOAD(o))));                  \
            }                                                                                         \
        }                                                                                             \
    } while (0)

void CK_LEAF(ck_winograd_wgrad_2x2)(int64_t k, const float *m, int64_t m_stride, float beta, float *dw,
                                    int64_t dw_stride) {
    const V half = v_set1(0.5f), beta_v = v_set1(beta);
    CK_CHANNEL_LOOP(k, CK_WINO_WGRAD_BODY);
}
#undef CK_WINO_DY_BODY
#undef CK_WINO_IN_PANEL_BODY
#undef CK_WINO_PANELS
#undef CK_WINO_WGRAD_BODY
