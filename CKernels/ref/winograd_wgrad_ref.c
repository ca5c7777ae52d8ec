/*
 * winograd_wgrad_ref.c — scalar transforms of the Winograd F(2x2, 3x3) backward-weights pass
 * (ops/winograd_wgrad_kernels.h): the portable leaves and the order of operations the SIMD
 * leaves (x86/winograd_wgrad_leaf.h) repeat, so every ISA transforms bit-identically.
 */
#include "../ops/winograd_wgrad_kernels.h"
#include "../ops/winograd_kernels.h"

/* Where channel ch of position 0 goes in the panel layout. */
static inline int64_t panel_offset(int64_t ch, int64_t pw, int64_t p_stride) {
    return ch / pw * p_stride + ch % pw;
}

/* The forward's input transform (ref/winograd_ref.c) one channel at a time, each channel's 16
 * results written to its place in the panels. */
void ck_winograd_input_panels_2x2_ref(int64_t c, const float *const px[16], float *v, int64_t xi_stride,
                                      int64_t pw, int64_t p_stride) {
    for (int64_t ch = 0; ch < c; ++ch) {
        const float *pc[16];
        for (int i = 0; i < 16; ++i) pc[i] = px[i] + ch;
        ck_winograd_input_2x2_ref(1, pc, v + panel_offset(ch, pw, p_stride), xi_stride);
    }
}

void ck_winograd_dy_2x2_ref(int64_t k, const float *const py[4], float *u, int64_t xi_stride, int64_t pw,
                            int64_t p_stride) {
    for (int64_t ch = 0; ch < k; ++ch) {
        float t[4][2];
        float *o = u + panel_offset(ch, pw, p_stride);
        for (int j = 0; j < 2; ++j) { /* A dy: rows dy0, dy0 + dy1, dy0 − dy1, −dy1 */
            float d0 = py[j][ch], d1 = py[2 + j][ch];
            t[0][j] = d0;
            t[1][j] = d0 + d1;
            t[2][j] = d0 - d1;
            t[3][j] = -d1;
        }
        for (int i = 0; i < 4; ++i) { /* (A dy) Aᵀ */
            o[(4 * i + 0) * xi_stride] = t[i][0];
            o[(4 * i + 1) * xi_stride] = t[i][0] + t[i][1];
            o[(4 * i + 2) * xi_stride] = t[i][0] - t[i][1];
            o[(4 * i + 3) * xi_stride] = -t[i][1];
        }
    }
}

void ck_winograd_wgrad_2x2_ref(int64_t k, const float *m, int64_t m_stride, float beta, float *dw,
                               int64_t dw_stride) {
    for (int64_t ch = 0; ch < k; ++ch) {
        float a[4][4], s[3][4];
        for (int xi = 0; xi < 16; ++xi) a[xi / 4][xi % 4] = m[xi * m_stride + ch];
        for (int j = 0; j < 4; ++j) { /* Gᵀ m */
            float sum = a[1][j] + a[2][j], diff = a[1][j] - a[2][j];
            s[0][j] = a[0][j] + 0.5f * sum;
            s[1][j] = 0.5f * diff;
            s[2][j] = 0.5f * sum + a[3][j];
        }
        for (int r = 0; r < 3; ++r) { /* (Gᵀ m) G */
            float sum = s[r][1] + s[r][2], diff = s[r][1] - s[r][2];
            float g[3] = {s[r][0] + 0.5f * sum, 0.5f * diff, 0.5f * sum + s[r][3]};
            for (int c = 0; c < 3; ++c) {
                float *o = dw + (3 * r + c) * dw_stride + ch;
                *o = beta == 0.0f ? g[c] : g[c] + beta * *o;
            }
        }
    }
}
