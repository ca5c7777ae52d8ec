/*
 * winograd_leaf.h — the Winograd F(2x2, 3x3) input and output transforms
 * (ops/winograd_kernels.h) over the SIMD vocabulary (simd_avx512.h / simd_avx2.h), vectorised
 * over channels; compiled per ISA between region_begin.h and region_end.h. The operations are
 * the reference leaf's in the same order, so every ISA transforms bit-identically.
 */

/* (Bᵀ d B) for CK_VL channels of 16 input pixels, loaded by LOAD(pointer). */
#define CK_WINO_IN_BODY(LOAD, STORE)                                                              \
    do {                                                                                          \
        V t[4][4];                                                                                \
        for (int j = 0; j < 4; ++j) {                                                             \
            V d0 = LOAD(px[j] + ch), d1 = LOAD(px[4 + j] + ch), d2 = LOAD(px[8 + j] + ch),        \
              d3 = LOAD(px[12 + j] + ch);                                                         \
            t[0][j] = v_sub(d0, d2);                                                              \
            t[1][j] = v_add(d1, d2);                                                              \
            t[2][j] = v_sub(d2, d1);                                                              \
            t[3][j] = v_sub(d1, d3);                                                              \
        }                                                                                         \
        for (int i = 0; i < 4; ++i) {                                                             \
            STORE(v + (4 * i + 0) * v_stride + ch, v_sub(t[i][0], t[i][2]));                      \
            STORE(v + (4 * i + 1) * v_stride + ch, v_add(t[i][1], t[i][2]));                      \
            STORE(v + (4 * i + 2) * v_stride + ch, v_sub(t[i][2], t[i][1]));                      \
            STORE(v + (4 * i + 3) * v_stride + ch, v_sub(t[i][1], t[i][3]));                      \
        }                                                                                         \
    } while (0)

void CK_LEAF(ck_winograd_input_2x2)(int64_t c, const float *const px[16], float *v, int64_t v_stride) {
    int64_t ch = 0;
#define CK_WINO_LOAD(p) v_loadu(p)
#define CK_WINO_STORE(p, x) v_storeu(p, x)
    for (; ch + CK_VL <= c; ch += CK_VL) CK_WINO_IN_BODY(CK_WINO_LOAD, CK_WINO_STORE);
#undef CK_WINO_LOAD
#undef CK_WINO_STORE
    if (ch < c) {
        const int n = (int)(c - ch);
#define CK_WINO_LOAD(p) v_load_n(p, n)
#define CK_WINO_STORE(p, x) v_store_n(p, x, n)
        CK_WINO_IN_BODY(CK_WINO_LOAD, CK_WINO_STORE);
#undef CK_WINO_LOAD
#undef CK_WINO_STORE
    }
}

/* (Aᵀ m A) + bias for CK_VL output channels of one tile, then the epilogue. */
#define CK_WINO_OUT_BODY(LOAD, STORE)                                                             \
    do {                                                                                          \
        V t[2][4];                                                                                \
        for (int j = 0; j < 4; ++j) {                                                             \
            V a0 = LOAD(m + (0 + j) * m_stride + ch), a1 = LOAD(m + (4 + j) * m_stride + ch),     \
              a2 = LOAD(m + (8 + j) * m_stride + ch), a3 = LOAD(m + (12 + j) * m_stride + ch);    \
            t[0][j] = v_add(v_add(a0, a1), a2);                                                   \
            t[1][j] = v_sub(v_sub(a1, a2), a3);                                                   \
        }                                                                                         \
        V b = bias ? LOAD(bias + ch) : zero;                                                      \
        V z[4];                                                                                   \
        for (int i = 0; i < 2; ++i) {                                                             \
            z[2 * i + 0] = v_add(v_add(v_add(t[i][0], t[i][1]), t[i][2]), b);                     \
            z[2 * i + 1] = v_add(v_sub(v_sub(t[i][1], t[i][2]), t[i][3]), b);                     \
        }                                                                                         \
        for (int o = 0; o < 4; ++o) {                                                             \
            if (pre) STORE(pre[o] + ch, z[o]);                                                    \
            STORE(y[o] + ch, relu ? v_sel(v_le(z[o], zero), zero, z[o]) : z[o]);                  \
        }                                                                                         \
    } while (0)

void CK_LEAF(ck_winograd_output_2x2)(int64_t k, const float *m, int64_t m_stride, const float *bias, int relu,
                                     float *const y[4], float *const pre[4]) {
    const V zero = v_set1(0.0f);
    int64_t ch = 0;
#define CK_WINO_LOAD(p) v_loadu(p)
#define CK_WINO_STORE(p, x) v_storeu(p, x)
    for (; ch + CK_VL <= k; ch += CK_VL) CK_WINO_OUT_BODY(CK_WINO_LOAD, CK_WINO_STORE);
#undef CK_WINO_LOAD
#undef CK_WINO_STORE
    if (ch < k) {
        const int n = (int)(k - ch);
#define CK_WINO_LOAD(p) v_load_n(p, n)
#define CK_WINO_STORE(p, x) v_store_n(p, x, n)
        CK_WINO_OUT_BODY(CK_WINO_LOAD, CK_WINO_STORE);
#undef CK_WINO_LOAD
#undef CK_WINO_STORE
    }
}
#undef CK_WINO_IN_BODY
#undef CK_WINO_OUT_BODY
