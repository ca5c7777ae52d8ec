/*
 * pool_ref.c — max-pool 2x2/2 rows, scalar (the oracle of the SIMD leaves).
 * Switch order (0,0),(0,1),(1,0),(1,1) = 0..3; a later element replaces the running maximum
 * only when strictly greater, so the first maximum wins ties.
 */
#include "ref_leaves.h"

static inline int argmax4(float a, float b, float c, float d, float *best) {
    float m = a; int k = 0;
    if (b > m) { m = b; k = 1; }
    if (c > m) { m = c; k = 2; }
    if (d > m) { m = d; k = 3; }
    *best = m;
    return k;
}

void ck_maxpool_fwd_row_ref(int64_t q_out, int64_t c, const float *x0, const float *x1,
                            float *y, uint8_t *sw) {
    for (int64_t q = 0; q < q_out; ++q) {
        const float *a = x0 + 2 * q * c, *b = a + c, *u = x1 + 2 * q * c, *v = u + c;
        for (int64_t i = 0; i < c; ++i) {
            float m;
            int k = argmax4(a[i], b[i], u[i], v[i], &m);
            y[q * c + i] = m;
            if (sw) sw[q * c + i] = (uint8_t)k;
        }
    }
}

void ck_maxpool_bwd_row_ref(int64_t q_out, int64_t c, const float *dy, const uint8_t *sw,
                            float *dx0, float *dx1) {
    for (int64_t q = 0; q < q_out; ++q) {
        float *a = dx0 + 2 * q * c, *b = a + c, *u = dx1 + 2 * q * c, *v = u + c;
        for (int64_t i = 0; i < c; ++i) {
            float g = dy[q * c + i];
            int k = sw[q * c + i];
            a[i] = k == 0 ? g : 0.0f;
            b[i] = k == 1 ? g : 0.0f;
            u[i] = k == 2 ? g : 0.0f;
            v[i] = k == 3 ? g : 0.0f;
        }
    }
}

void ck_maxpool_bwd_switched_row_ref(int64_t q_out, int64_t c, const float *s0, const float *s1,
                                     const float *dy, float *dx0, float *dx1) {
    for (int64_t q = 0; q < q_out; ++q) {
        const float *sa = s0 + 2 * q * c, *sb = sa + c, *su = s1 + 2 * q * c, *sv = su + c;
        float *a = dx0 + 2 * q * c, *b = a + c, *u = dx1 + 2 * q * c, *v = u + c;
        for (int64_t i = 0; i < c; ++i) {
            float m, g = dy[q * c + i];
            int k = argmax4(sa[i], sb[i], su[i], sv[i], &m);
            a[i] = k == 0 ? g : 0.0f;
            b[i] = k == 1 ? g : 0.0f;
            u[i] = k == 2 ? g : 0.0f;
            v[i] = k == 3 ? g : 0.0f;
        }
    }
}
