/*
 * winograd_ref.c — scalar Winograd F(2x2, 3x3) transforms (ops/winograd_kernels.h): the
 * portable leaves and the filter transform every ISA uses.
 */
#include "../ops/winograd_kernels.h"

void ck_winograd_filter_2x2(const float g[9], float u[16]) {
    float t[4][3]; /* G g */
    for (int s = 0; s < 3; ++s) {
        float g0 = g[s], g1 = g[3 + s], g2 = g[6 + s];
        t[0][s] = g0;
        t[1][s] = 0.5f * (g0 + g1 + g2);
        t[2][s] = 0.5f * (g0 - g1 + g2);
        t[3][s] = g2;
    }
    for (int i = 0; i < 4; ++i) { /* (G g) Gᵀ */
        float a = t[i][0], b = t[i][1], c = t[i][2];
        u[4 * i + 0] = a;
        u[4 * i + 1] = 0.5f * (a + b + c);
        u[4 * i + 2] = 0.5f * (a - b + c);
        u[4 * i + 3] = c;
    }
}

void ck_winograd_input_2x2_ref(int64_t c, const float *const px[16], float *v, int64_t v_stride) {
    for (int64_t ch = 0; ch < c; ++ch) {
        float d[4][4], t[4][4];
        for (int i = 0; i < 16; ++i) d[i / 4][i % 4] = px[i][ch];
        for (int j = 0; j < 4; ++j) { /* Bᵀ d */
            t[0][j] = d[0][j] - d[2][j];
            t[1][j] = d[1][j] + d[2][j];
            t[2][j] = d[2][j] - d[1][j];
            t[3][j] = d[1][j] - d[3][j];
        }
        for (int i = 0; i < 4; ++i) { /* (Bᵀ d) B */
            v[(4 * i + 0) * v_stride + ch] = t[i][0] - t[i][2];
            v[(4 * i + 1) * v_stride + ch] = t[i][1] + t[i][2];
            v[(4 * i + 2) * v_stride + ch] = t[i][2] - t[i][1];
            v[(4 * i + 3) * v_stride + ch] = t[i][1] - t[i][3];
        }
    }
}

void ck_winograd_output_2x2_ref(int64_t k, const float *m, int64_t m_stride, const float *bias, int relu,
                                float *const y[4], float *const pre[4]) {
    for (int64_t ch = 0; ch < k; ++ch) {
        float a[4][4], t[2][4], z[4];
        for (int xi = 0; xi < 16; ++xi) a[xi / 4][xi % 4] = m[xi * m_stride + ch];
        for (int j = 0; j < 4; ++j) { /* Aᵀ m */
            t[0][j] = a[0][j] + a[1][j] + a[2][j];
            t[1][j] = a[1][j] - a[2][j] - a[3][j];
        }
        float b = bias ? bias[ch] : 0.0f;
        for (int i = 0; i < 2; ++i) { /* (Aᵀ m) A */
            z[2 * i + 0] = t[i][0] + t[i][1] + t[i][2] + b;
            z[2 * i + 1] = t[i][1] - t[i][2] - t[i][3] + b;
        }
        for (int o = 0; o < 4; ++o) {
            if (pre) pre[o][ch] = z[o];
            y[o][ch] = relu && z[o] <= 0.0f ? 0.0f : z[o]; /* NaN kept, as CK_ACT_RELU */
        }
    }
}
