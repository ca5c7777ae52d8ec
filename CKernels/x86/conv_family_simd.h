/*
 * conv_family_simd.h — the SIMD leaves of the conv-family kernels (col2im, max-pool rows,
 * ReLU, bias, axpy, column sums, SGD, Adam), written once over a small vector vocabulary and
 * compiled per ISA by x86/avx2/conv_family_avx2.c and x86/avx512/conv_family_avx512.c, which
 * define the macros below before including this file. Single-threaded, no allocation; a
 * scalar loop finishes every tail so any length works.
 *
 * Vocabulary: VEC (float vector), VL (lanes), MASK (comparison result), LEAF(name) (suffixes
 * the ISA), V_LOAD/V_STORE (unaligned), V_SET1, V_ZERO, V_ADD, V_SUB, V_MUL, V_DIV, V_SQRT,
 * V_FMA(a,b,c)=a·b+c, V_GT(a,b) (ordered a > b), V_EQ(a,b), V_BLEND(m, f, t) (t where m),
 * V_MASKZ(m, a) (a where m else 0), V_STORE_U8(p, v) (integral lanes 0..255 as bytes),
 * V_LOAD_U8(p) (bytes as float lanes).
 */
#include <math.h>
#include <string.h>

void LEAF(ck_col2im_row)(const ck_conv2d_params *p, const float *col, int64_t ih, int64_t p_out,
                         int64_t q_out, float *dx_row) {
    /* col is (P·Q, R·S·C) of one image; dx_row is (W,C) */
    const int64_t C = p->c, rsc = p->r * p->s * C;
    memset(dx_row, 0, (size_t)(p->w * C) * sizeof(float));
    for (int64_t r = 0; r < p->r; ++r) {
        int64_t t = ih + p->pad_h - r;
        if (t < 0 || t % p->stride_h) continue;
        int64_t oh = t / p->stride_h;
        if (oh >= p_out) continue;
        for (int64_t q = 0; q < q_out; ++q) {
            const float *src = col + (oh * q_out + q) * rsc + r * p->s * C;
            for (int64_t s = 0; s < p->s; ++s, src += C) {
                int64_t iw = q * p->stride_w - p->pad_w + s;
                if (iw < 0 || iw >= p->w) continue;
                float *dst = dx_row + iw * C;
                int64_t c = 0;
                for (; c + VL <= C; c += VL) V_STORE(dst + c, V_ADD(V_LOAD(dst + c), V_LOAD(src + c)));
                for (; c < C; ++c) dst[c] += src[c];
            }
        }
    }
}

/* ---- max-pool 2x2/2: first maximum wins (replace only when strictly greater) ---- */

void LEAF(ck_maxpool_fwd_row)(int64_t q_out, int64_t c, const float *x0, const float *x1,
                              float *y, uint8_t *sw) {
    const VEC one = V_SET1(1.0f), two = V_SET1(2.0f), three = V_SET1(3.0f);
    for (int64_t q = 0; q < q_out; ++q) {
        const float *a = x0 + 2 * q * c, *b = a + c, *u = x1 + 2 * q * c, *v = u + c;
        float *yq = y + q * c;
        uint8_t *sq = sw ? sw + q * c : NULL;
        int64_t i = 0;
        for (; i + VL <= c; i += VL) {
            VEC m = V_LOAD(a + i), k = V_ZERO(), t;
            MASK g;
            t = V_LOAD(b + i); g = V_GT(t, m); m = V_BLEND(g, m, t); k = V_BLEND(g, k, one);
            t = V_LOAD(u + i); g = V_GT(t, m); m = V_BLEND(g, m, t); k = V_BLEND(g, k, two);
            t = V_LOAD(v + i); g = V_GT(t, m); m = V_BLEND(g, m, t); k = V_BLEND(g, k, three);
            V_STORE(yq + i, m);
            if (sq) V_STORE_U8(sq + i, k);
        }
        for (; i < c; ++i) {
            float m = a[i]; uint8_t k = 0;
            if (b[i] > m) { m = b[i]; k = 1; }
            if (u[i] > m) { m = u[i]; k = 2; }
            if (v[i] > m) { m = v[i]; k = 3; }
            yq[i] = m;
            if (sq) sq[i] = k;
        }
    }
}

static inline void LEAF(route4)(VEC k, VEC g, float *a, float *b, float *u, float *v) {
    V_STORE(a, V_MASKZ(V_EQ(k, V_ZERO()), g));
    V_STORE(b, V_MASKZ(V_EQ(k, V_SET1(1.0f)), g));
    V_STORE(u, V_MASKZ(V_EQ(k, V_SET1(2.0f)), g));
    V_STORE(v, V_MASKZ(V_EQ(k, V_SET1(3.0f)), g));
}

static inline void LEAF(route4_scalar)(int k, float g, float *a, float *b, float *u, float *v) {
    *a = k == 0 ? g : 0.0f;
    *b = k == 1 ? g : 0.0f;
    *u = k == 2 ? g : 0.0f;
    *v = k == 3 ? g : 0.0f;
}

void LEAF(ck_maxpool_bwd_row)(int64_t q_out, int64_t c, const float *dy, const uint8_t *sw,
                              float *dx0, float *dx1) {
    for (int64_t q = 0; q < q_out; ++q) {
        float *a = dx0 + 2 * q * c, *b = a + c, *u = dx1 + 2 * q * c, *v = u + c;
        const float *g = dy + q * c;
        const uint8_t *s = sw + q * c;
        int64_t i = 0;
        for (; i + VL <= c; i += VL) LEAF(route4)(V_LOAD_U8(s + i), V_LOAD(g + i), a + i, b + i, u + i, v + i);
        for (; i < c; ++i) LEAF(route4_scalar)(s[i], g[i], a + i, b + i, u + i, v + i);
    }
}

void LEAF(ck_maxpool_bwd_switched_row)(int64_t q_out, int64_t c, const float *s0, const float *s1,
                                       const float *dy, float *dx0, float *dx1) {
    const VEC one = V_SET1(1.0f), two = V_SET1(2.0f), three = V_SET1(3.0f);
    for (int64_t q = 0; q < q_out; ++q) {
        const float *sa = s0 + 2 * q * c, *sb = sa + c, *su = s1 + 2 * q * c, *sv = su + c;
        float *a = dx0 + 2 * q * c, *b = a + c, *u = dx1 + 2 * q * c, *v = u + c;
        const float *g = dy + q * c;
        int64_t i = 0;
        for (; i + VL <= c; i += VL) {
            VEC m = V_LOAD(sa + i), k = V_ZERO(), t;
            MASK gt;
            t = V_LOAD(sb + i); gt = V_GT(t, m); m = V_BLEND(gt, m, t); k = V_BLEND(gt, k, one);
            t = V_LOAD(su + i); gt = V_GT(t, m); m = V_BLEND(gt, m, t); k = V_BLEND(gt, k, two);
            t = V_LOAD(sv + i); gt = V_GT(t, m); k = V_BLEND(gt, k, three);
            LEAF(route4)(k, V_LOAD(g + i), a + i, b + i, u + i, v + i);
        }
        for (; i < c; ++i) {
            float m = sa[i]; int k = 0;
            if (sb[i] > m) { m = sb[i]; k = 1; }
            if (su[i] > m) { m = su[i]; k = 2; }
            if (sv[i] > m) { k = 3; }
            LEAF(route4_scalar)(k, g[i], a + i, b + i, u + i, v + i);
        }
    }
}

/* ---- element-wise ---- */

void LEAF(ck_relu_fwd)(int64_t n, const float *x, float *y) {
    int64_t i = 0;
    for (; i + VL <= n; i += VL) { VEC v = V_LOAD(x + i); V_STORE(y + i, V_MASKZ(V_GT(v, V_ZERO()), v)); }
    for (; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void LEAF(ck_relu_bwd)(int64_t n, const float *x, const float *dy, float *dx) {
    int64_t i = 0;
    for (; i + VL <= n; i += VL) V_STORE(dx + i, V_MASKZ(V_GT(V_LOAD(x + i), V_ZERO()), V_LOAD(dy + i)));
    for (; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

void LEAF(ck_bias_add)(int64_t rows, int64_t cols, const float *bias, float *y) {
    for (int64_t r = 0; r < rows; ++r) {
        float *yr = y + r * cols;
        int64_t j = 0;
        for (; j + VL <= cols; j += VL) V_STORE(yr + j, V_ADD(V_LOAD(yr + j), V_LOAD(bias + j)));
        for (; j < cols; ++j) yr[j] += bias[j];
    }
}

void LEAF(ck_axpy)(int64_t n, float a, const float *x, float *y) {
    const VEC va = V_SET1(a);
    int64_t i = 0;
    for (; i + VL <= n; i += VL) V_STORE(y + i, V_FMA(va, V_LOAD(x + i), V_LOAD(y + i)));
    for (; i < n; ++i) y[i] += a * x[i];
}

void LEAF(ck_col_sum_acc)(int64_t rows, int64_t cols, const float *x, float *acc) {
    for (int64_t r = 0; r < rows; ++r) LEAF(ck_axpy)(cols, 1.0f, x + r * cols, acc);
}

void LEAF(ck_sgd)(int64_t n, float lr, float momentum, float wd, float *w, const float *g, float *v) {
    const VEC vlr = V_SET1(lr), vmo = V_SET1(momentum), vwd = V_SET1(wd);
    int64_t i = 0;
    for (; i + VL <= n; i += VL) {
        VEC wi = V_LOAD(w + i);
        VEC gi = V_FMA(vwd, wi, V_LOAD(g + i));
        VEC vi = V_FMA(vmo, V_LOAD(v + i), gi);
        V_STORE(v + i, vi);
        V_STORE(w + i, V_SUB(wi, V_MUL(vlr, vi)));
    }
    for (; i < n; ++i) {
        float gi = g[i] + wd * w[i];
        float vi = momentum * v[i] + gi;
        v[i] = vi;
        w[i] -= lr * vi;
    }
}

void LEAF(ck_adam)(int64_t n, float step_size, float beta1, float beta2, float eps, float inv_bc2,
                   float wd, float *w, const float *g, float *m, float *v) {
    const VEC vb1 = V_SET1(beta1), vc1 = V_SET1(1.0f - beta1), vb2 = V_SET1(beta2),
              vc2 = V_SET1(1.0f - beta2), veps = V_SET1(eps), vbc = V_SET1(inv_bc2),
              vss = V_SET1(step_size), vwd = V_SET1(wd);
    int64_t i = 0;
    for (; i + VL <= n; i += VL) {
        VEC wi = V_LOAD(w + i);
        VEC gi = V_FMA(vwd, wi, V_LOAD(g + i));
        VEC mi = V_ADD(V_MUL(vb1, V_LOAD(m + i)), V_MUL(vc1, gi));
        VEC vi = V_ADD(V_MUL(vb2, V_LOAD(v + i)), V_MUL(V_MUL(vc2, gi), gi));
        V_STORE(m + i, mi);
        V_STORE(v + i, vi);
        VEC den = V_ADD(V_SQRT(V_MUL(vi, vbc)), veps);
        V_STORE(w + i, V_SUB(wi, V_DIV(V_MUL(vss, mi), den)));
    }
    for (; i < n; ++i) {
        float gi = g[i] + wd * w[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= step_size * mi / (sqrtf(vi * inv_bc2) + eps);
    }
}
