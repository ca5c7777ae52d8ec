/*
 * winograd_4x4_ref.c — scalar Winograd F(4x4, 3x3) input and output transforms
 * (ops/winograd_kernels.h): the portable leaves and the oracle of the SIMD ones
 * (x86/winograd_leaf.h does the same operations in the same order).
 */
#include <math.h>
#include "../ops/winograd_kernels.h"

/* Bᵀ applied to 6 values (×5 terms fused, ×4 and ×2 exact). */
static void bt6(const float d[6], float r[6]) {
    r[0] = fmaf(-5.0f, d[2], 4.0f * d[0] + d[4]);
    r[1] = (d[3] + d[4]) - 4.0f * (d[1] + d[2]);
    r[2] = (d[4] - d[3]) + 4.0f * (d[1] - d[2]);
    r[3] = (d[4] - d[2]) + 2.0f * (d[3] - d[1]);
    r[4] = (d[4] - d[2]) - 2.0f * (d[3] - d[1]);
    r[5] = fmaf(-5.0f, d[3], 4.0f * d[1] + d[5]);
}

/* Aᵀ applied to 6 values (factors 2, 4, 8 exact). */
static void at6(const float m[6], float y[4]) {
    const float s12 = m[1] + m[2], d12 = m[1] - m[2], s34 = m[3] + m[4], d34 = m[3] - m[4];
    y[0] = m[0] + s12 + s34;
    y[1] = d12 + 2.0f * d34;
    y[2] = s12 + 4.0f * s34;
    y[3] = d12 + 8.0f * d34 + m[5];
}

void ck_winograd_input_4x4_ref(int64_t c, const float *const px[36], float *v, int64_t v_stride) {
    for (int64_t ch = 0; ch < c; ++ch) {
        float t[6][6], col[6], r[6];
        for (int j = 0; j < 6; ++j) { /* Bᵀ d, column j */
            for (int i = 0; i < 6; ++i) col[i] = px[6 * i + j][ch];
            bt6(col, r);
            for (int i = 0; i < 6; ++i) t[i][j] = r[i];
        }
        for (int i = 0; i < 6; ++i) { /* (Bᵀ d) B, row i */
            bt6(t[i], r);
            for (int j = 0; j < 6; ++j) v[(6 * i + j) * v_stride + ch] = r[j];
        }
    }
}

void ck_winograd_output_4x4_ref(int64_t k, const float *m, int64_t m_stride, const float *bias, int relu,
                                float *const y[16], float *const pre[16]) {
    for (int64_t ch = 0; ch < k; ++ch) {
        float t[4][6], col[6], r[4];
        for (int j = 0; j < 6; ++j) { /* Aᵀ m, column j */
            for (int i = 0; i < 6; ++i) col[i] = m[(6 * i + j) * m_stride + ch];
            at6(col, r);
            for (int i = 0; i < 4; ++i) t[i][j] = r[i];
        }
        const float b = bias ? bias[ch] : 0.0f;
        for (int i = 0; i < 4; ++i) { /* (Aᵀ m) A, row i, + bias, epilogue */
            at6(t[i], r);
            for (int j = 0; j < 4; ++j) {
                const float z = r[j] + b;
                if (pre) pre[4 * i + j][ch] = z;
                y[4 * i + j][ch] = relu && z <= 0.0f ? 0.0f : z; /* NaN kept, as CK_ACT_RELU */
            }
        }
    }
}
