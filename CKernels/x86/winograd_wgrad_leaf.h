/*
 * winograd_wgrad_leaf.h — the Winograd F(2x2, 3x3) backward-weights transforms
 * (ops/winograd_wgrad_kernels.h) over the SIMD vocabulary (simd_avx512.h / simd_avx2.h),
 * vectorised over channels; compiled per ISA between region_begin.h and region_end.h. The
 * operations are the reference leaf's in the same order, so every ISA transforms bit-identically.
 */

/* Both transforms walk the panels: in panel q (channels q·pw …), chunks of CK_VL channels (a
 * partial last chunk with lane masks), loaded at channel `ch`, stored at `o` (position 0). */
#define CK_WINO_PANELS(count, BODY)                                                                   \
    for (int64_t c0 = 0; c0 < (count); c0 += pw) {                                                    \
        const int64_t width = (count) - c0 < pw ? (count) - c0 : pw;                                  \
        float *const panel = out + c0 / pw * p_stride;                                                \
        int64_t i = 0;                                                                                \
        for (; i + CK_VL <= width; i += CK_VL) {                                                      \
            const int64_t ch = c0 + i;                                                                \
            float *const o = panel + i;                                                               \
            BODY(CK_WINO_LOAD, CK_WINO_STORE);                                                        \
        }                                                                                             \
        if (i < width) {                                                                              \
            const int64_t ch = c0 + i;                                                                \
            float *const o = panel + i;                                                               \
            const int n = (int)(width - i);                                                           \
            BODY(CK_WINO_LOAD_N, CK_WINO_STORE_N);                                                    \
        }                                                                                             \
    }
#define CK_WINO_LOAD(p) v_loadu(p)
#define CK_WINO_STORE(p, x) v_storeu(p, x)
#define CK_WINO_LOAD_N(p) v_load_n(p, n)
#define CK_WINO_STORE_N(p, x) v_store_n(p, x, n)

/* (Bᵀ d B) for CK_VL channels of 16 input pixels: the forward's leaf (winograd_leaf.h), stored
 * in panels. */
#define CK_WINO_IN_PANEL_BODY(LOAD, STORE)                                                            \
    do {                                                                                              \
        V t[4][4];                                                                                    \
        for (int j = 0; j < 4; ++j) {                                                                 \
            V d0 = LOAD(px[j] + ch), d1 = LOAD(px[4 + j] + ch), d2 = LOAD(px[8 + j] + ch),            \
              d3 = LOAD(px[12 + j] + ch);                                                             \
            t[0][j] = v_sub(d0, d2);                                                                  \
            t[1][j] = v_add(d1, d2);                                                                  \
            t[2][j] = v_sub(d2, d1);                                                                  \
            t[3][j] = v_sub(d1, d3);                                                                  \
        }                                                                                             \
        for (int r = 0; r < 4; ++r) {                                                                 \
            STORE(o + (4 * r + 0) * xi_stride, v_sub(t[r][0], t[r][2]));                              \
            STORE(o + (4 * r + 1) * xi_stride, v_add(t[r][1], t[r][2]));                              \
            STORE(o + (4 * r + 2) * xi_stride, v_sub(t[r][2], t[r][1]));                              \
            STORE(o + (4 * r + 3) * xi_stride, v_sub(t[r][1], t[r][3]));                              \
        }                                                                                             \
    } while (0)

void CK_LEAF(ck_winograd_input_panels_2x2)(int64_t c, const float *const px[16], float *v, int64_t xi_stride,
                                           int64_t pw, int64_t p_stride) {
    float *const out = v;
    CK_WINO_PANELS(c, CK_WINO_IN_PANEL_BODY)
}

/* (A dy Aᵀ) for CK_VL channels of the tile's 4 output-gradient pixels. */
#define CK_WINO_DY_BODY(LOAD, STORE)                                                                  \
    do {                                                                                              \
        V t[4][2];                                                                                    \
        for (int j = 0; j < 2; ++j) {                                                                 \
            V d0 = LOAD(py[j] + ch), d1 = LOAD(py[2 + j] + ch);                                       \
            t[0][j] = d0;                                                                             \
            t[1][j] = v_add(d0, d1);                                                                  \
            t[2][j] = v_sub(d0, d1);                                                                  \
            t[3][j] = v_xor(d1, sign);                                                                \
        }                                                                                             \
        for (int r = 0; r < 4; ++r) {                                                                 \
            STORE(o + (4 * r + 0) * xi_stride, t[r][0]);                                              \
            STORE(o + (4 * r + 1) * xi_stride, v_add(t[r][0], t[r][1]));                              \
            STORE(o + (4 * r + 2) * xi_stride, v_sub(t[r][0], t[r][1]));                              \
            STORE(o + (4 * r + 3) * xi_stride, v_xor(t[r][1], sign));                                 \
        }                                                                                             \
    } while (0)

void CK_LEAF(ck_winograd_dy_2x2)(int64_t k, const float *const py[4], float *u, int64_t xi_stride, int64_t pw,
                                 int64_t p_stride) {
    const V sign = v_set1(-0.0f); /* negation flips the sign bit, as the reference's unary minus */
    float *const out = u;
    CK_WINO_PANELS(k, CK_WINO_DY_BODY)
}
#undef CK_WINO_LOAD
#undef CK_WINO_STORE
#undef CK_WINO_LOAD_N
#undef CK_WINO_STORE_N

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
    int64_t ch = 0;
#define CK_WINO_LOAD(p) v_loadu(p)
#define CK_WINO_STORE(p, x) v_storeu(p, x)
    for (; ch + CK_VL <= k; ch += CK_VL) CK_WINO_WGRAD_BODY(CK_WINO_LOAD, CK_WINO_STORE);
#undef CK_WINO_LOAD
#undef CK_WINO_STORE
    if (ch < k) {
        const int n = (int)(k - ch);
#define CK_WINO_LOAD(p) v_load_n(p, n)
#define CK_WINO_STORE(p, x) v_store_n(p, x, n)
        CK_WINO_WGRAD_BODY(CK_WINO_LOAD, CK_WINO_STORE);
#undef CK_WINO_LOAD
#undef CK_WINO_STORE
    }
}
#undef CK_WINO_DY_BODY
#undef CK_WINO_IN_PANEL_BODY
#undef CK_WINO_PANELS
#undef CK_WINO_WGRAD_BODY
