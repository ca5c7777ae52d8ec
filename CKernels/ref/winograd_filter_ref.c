/*
 * winograd_filter_ref.c — the Winograd filter transforms U = G g Gᵀ (ops/winograd_kernels.h)
 * for many filters at once. Written as loops over the filters so the compiler vectorises them:
 * the transform runs once per call on C·K filters and was, done one filter at a time with
 * scattered stores, the largest cost of a 4x4-image layer (512 channels: 262 144 filters for
 * 400 tiles).
 */
#include "../ops/winograd_kernels.h"

/* G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1] applied along one axis: out[i·ldo + f], i < 4, from the
 * three rows in[s·ldi + f]. Same operation order as ck_winograd_filter_2x2. */
static void g_2x2(int64_t n, const float *restrict in, int64_t ldi, float *restrict out, int64_t ldo) {
    const float *a = in, *b = in + ldi, *c = in + 2 * ldi;
    for (int64_t f = 0; f < n; ++f) {
        out[f] = a[f];
        out[ldo + f] = 0.5f * (a[f] + b[f] + c[f]);
        out[2 * ldo + f] = 0.5f * (a[f] - b[f] + c[f]);
        out[3 * ldo + f] = c[f];
    }
}

/* G of F(4x4, 3x3) along one axis: out[i·ldo + f], i < 6. The factors ⅙ and 1⁄24 are float
 * constants (one more rounding each than a division, which is several times slower and this
 * transform runs on every (c_in, c_out) filter of a call). */
static void g_4x4(int64_t n, const float *restrict in, int64_t ldi, float *restrict out, int64_t ldo) {
    const float *a = in, *b = in + ldi, *c = in + 2 * ldi;
    for (int64_t f = 0; f < n; ++f) {
        const float ac = a[f] + c[f], a4c = a[f] + 4.0f * c[f];
        out[f] = 0.25f * a[f];
        out[ldo + f] = (ac + b[f]) * (-1.0f / 6.0f);
        out[2 * ldo + f] = (ac - b[f]) * (-1.0f / 6.0f);
        out[3 * ldo + f] = (a4c + 2.0f * b[f]) * (1.0f / 24.0f);
        out[4 * ldo + f] = (a4c - 2.0f * b[f]) * (1.0f / 24.0f);
        out[5 * ldo + f] = c[f];
    }
}

/* Up to 64 filters per pass through a stack buffer for G g (rows ξ_row·3 + s). */
#define CK_FILTER_CHUNK 64

void ck_winograd_filter_rows_2x2(int64_t n, const float *g, int64_t ldg, float *u, int64_t ldu) {
    float t[12 * CK_FILTER_CHUNK]; /* (G g)[i][s] at row 3·i + s */
    for (int64_t f0 = 0; f0 < n; f0 += CK_FILTER_CHUNK) {
        const int64_t cnt = n - f0 < CK_FILTER_CHUNK ? n - f0 : CK_FILTER_CHUNK;
        for (int s = 0; s < 3; ++s) /* G g: column s from taps s, 3 + s, 6 + s */
            g_2x2(cnt, g + s * ldg + f0, 3 * ldg, t + s * CK_FILTER_CHUNK, 3 * CK_FILTER_CHUNK);
        for (int i = 0; i < 4; ++i) /* (G g) Gᵀ: row i */
            g_2x2(cnt, t + 3 * i * CK_FILTER_CHUNK, CK_FILTER_CHUNK, u + 4 * i * ldu + f0, ldu);
    }
}

void ck_winograd_filter_rows_4x4(int64_t n, const float *g, int64_t ldg, float *u, int64_t ldu) {
    float t[18 * CK_FILTER_CHUNK]; /* (G g)[i][s] at row 3·i + s */
    for (int64_t f0 = 0; f0 < n; f0 += CK_FILTER_CHUNK) {
        const int64_t cnt = n - f0 < CK_FILTER_CHUNK ? n - f0 : CK_FILTER_CHUNK;
        for (int s = 0; s < 3; ++s)
            g_4x4(cnt, g + s * ldg + f0, 3 * ldg, t + s * CK_FILTER_CHUNK, 3 * CK_FILTER_CHUNK);
        for (int i = 0; i < 6; ++i)
            g_4x4(cnt, t + 3 * i * CK_FILTER_CHUNK, CK_FILTER_CHUNK, u + 6 * i * ldu + f0, ldu);
    }
}
