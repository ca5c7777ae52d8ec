/*
 * winograd_leaf.h — the Winograd F(2x2, 3x3) and F(4x4, 3x3) input and output transforms
 * (ops/winograd_kernels.h) over the SIMD vocabulary (simd_avx512.h / simd_avx2.h), vectorised
 * over channels; compiled per ISA between region_begin.h and region_end.h. The operations are
 * the reference leaf's in the same order, so every ISA transforms bit-identically.
 */

#include "channel_loop.h"
#include "winograd_input_transform.h"

/* (Bᵀ d B) for CK_VL channels of 16 input pixels, loaded by LOAD(pointer), stored by STORE. */
#define CK_WINO_IN_BODY(LOAD, STORE)                                                              \
    do {                                                                                          \
        V r[16];                                                                                  \
        CK_WINO_INPUT_2X2(LOAD, r);                                                               \
        for (int xi = 0; xi < 16; ++xi) STORE(v + xi * v_stride + ch, r[xi]);                     \
    } while (0)

void CK_LEAF(ck_winograd_input_2x2)(int64_t c, const float *const px[16], float *v, int64_t v_stride) {
    CK_CHANNEL_LOOP(c, CK_WINO_IN_BODY);
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
    CK_CHANNEL_LOOP(k, CK_WINO_OUT_BODY);
}
#undef CK_WINO_IN_BODY
#undef CK_WINO_OUT_BODY

/* ---- F(4x4, 3x3): the operations of ref/winograd_4x4_ref.c in the same order ---- */

/* Bᵀ on 6 vectors (×5 terms fused, ×4 and ×2 exact). */
#define CK_WINO_BT6(d, r)                                                                         \
    do {                                                                                          \
        r[0] = v_fma(m5, d[2], v_add(v_mul(four, d[0]), d[4]));                                   \
        r[1] = v_sub(v_add(d[3], d[4]), v_mul(four, v_add(d[1], d[2])));                         \
        r[2] = v_add(v_sub(d[4], d[3]), v_mul(four, v_sub(d[1], d[2])));                          \
        r[3] = v_add(v_sub(d[4], d[2]), v_mul(two, v_sub(d[3], d[1])));                           \
        r[4] = v_sub(v_sub(d[4], d[2]), v_mul(two, v_sub(d[3], d[1])));                           \
        r[5] = v_fma(m5, d[3], v_add(v_mul(four, d[1]), d[5]));                                   \
    } while (0)

/* Aᵀ on 6 vectors (factors 2, 4, 8 exact). */
#define CK_WINO_AT6(a, r)                                                                         \
    do {                                                                                          \
        V s12 = v_add(a[1], a[2]), d12 = v_sub(a[1], a[2]), s34 = v_add(a[3], a[4]),              \
          d34 = v_sub(a[3], a[4]);                                                                \
        r[0] = v_add(v_add(a[0], s12), s34);                                                      \
        r[1] = v_add(d12, v_mul(two, d34));                                                       \
        r[2] = v_add(s12, v_mul(four, s34));                                                      \
        r[3] = v_add(v_add(d12, v_mul(eight, d34)), a[5]);                                        \
    } while (0)

#define CK_WINO_IN6_BODY(LOAD, STORE)                                                             \
    do {                                                                                          \
        V t[6][6];                                                                                \
        for (int j = 0; j < 6; ++j) {                                                             \
            V d[6], r[6];                                                                         \
            for (int i = 0; i < 6; ++i) d[i] = LOAD(px[6 * i + j] + ch);                          \
            CK_WINO_BT6(d, r);                                                                    \
            for (int i = 0; i < 6; ++i) t[i][j] = r[i];                                           \
        }                                                                                         \
        for (int i = 0; i < 6; ++i) {                                                             \
            V r[6];                                                                               \
            CK_WINO_BT6(t[i], r);                                                                 \
            for (int j = 0; j < 6; ++j) STORE(v + (6 * i + j) * v_stride + ch, r[j]);             \
        }                                                                                         \
    } while (0)

void CK_LEAF(ck_winograd_input_4x4)(int64_t c, const float *const px[36], float *v, int64_t v_stride) {
    const V four = v_set1(4.0f), two = v_set1(2.0f), m5 = v_set1(-5.0f);
    CK_CHANNEL_LOOP(c, CK_WINO_IN6_BODY);
}

#define CK_WINO_OUT6_BODY(LOAD, STORE)                                                            \
    do {                                                                                          \
        V t[4][6];                                                                                \
        for (int j = 0; j < 6; ++j) {                                                             \
            V a[6], r[4];                                                                         \
            for (int i = 0; i < 6; ++i) a[i] = LOAD(m + (6 * i + j) * m_stride + ch);            \
            CK_WINO_AT6(a, r);                                                                    \
            for (int i = 0; i < 4; ++i) t[i][j] = r[i];                                           \
        }                                                                                         \
        V b = bias ? LOAD(bias + ch) : zero;                                                      \
        for (int i = 0; i < 4; ++i) {                                                             \
            V r[4];                                                                               \
            CK_WINO_AT6(t[i], r);                                                                 \
            for (int j = 0; j < 4; ++j) {                                                         \
                V z = v_add(r[j], b);                                                             \
                if (pre) STORE(pre[4 * i + j] + ch, z);                                           \
                STORE(y[4 * i + j] + ch, relu ? v_sel(v_le(z, zero), zero, z) : z);               \
            }                                                                                     \
        }                                                                                         \
    } while (0)

void CK_LEAF(ck_winograd_output_4x4)(int64_t k, const float *m, int64_t m_stride, const float *bias, int relu,
                                     float *const y[16], float *const pre[16]) {
    const V zero = v_set1(0.0f), two = v_set1(2.0f), four = v_set1(4.0f), eight = v_set1(8.0f);
    CK_CHANNEL_LOOP(k, CK_WINO_OUT6_BODY);
}
#undef CK_WINO_BT6
#undef CK_WINO_AT6
#undef CK_WINO_IN6_BODY
#undef CK_WINO_OUT6_BODY
