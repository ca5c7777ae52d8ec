/*
 * thread_sweep.c — every threaded driver at every thread count, on every ISA path.
 *
 * For each case (a kernel call on fixed inputs) and each ISA the CPU has, the result at
 * T threads, T in {1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64} (or --threads LIST), must
 *   1. be bitwise identical between two runs at the same T (static splits: deterministic), and
 *   2. match the 1-thread result within the case's tolerance:
 *      - exact (0) for kernels whose per-element arithmetic does not depend on the split
 *        (element-wise, pooling, switches: each output is computed by one thread, one way;
 *        the Winograd F(2x2)/F(4x4) convolutions, whose tiles are summed the same way in any
 *        block);
 *      - for reductions of length L (GEMM k, conv 9·C / 9·K / N·P·Q): |r_T − r_1| ≤
 *        2·(L + 2)·u·B elementwise, u = 2⁻²⁴ and B the same kernel applied to |inputs| (at
 *        1 thread). Each of r_T and r_1 is within γ_L·B of the exact value whatever the
 *        summation order (the standard dot-product bound), so they are within 2·γ_L·B of each other;
 *      - the energy monitor (per-thread partials added in thread order; the SIMD leaves sum in
 *        float lanes): |e_T − e_1| ≤ 2·n·u·Σ|terms|, the float-accumulation bound for both.
 * Shapes include work smaller than the team (m, n or batch 1…8; one image with 64 threads),
 * which is where empty thread bands divided by zero before (issue 15).
 *
 * Oversubscribed teams on a small machine spin in libomp's barriers: run with
 * KMP_BLOCKTIME=0 (scripts/thread-sweep.sh sets it), or this takes minutes instead of seconds.
 * Usage: thread_sweep [--threads 1,2,3] [--quick]      exit status 0 = all passed.
 */
#include <ckernels/ckernels.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define U (1.0 / 16777216.0) /* unit roundoff of float */

/* ---- deterministic inputs ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static float uniform(void) { /* in [-1, 1) */
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((double)(rng_state >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
}
static float *random_floats(int64_t n) {
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
    for (int64_t i = 0; i < n; ++i) p[i] = uniform();
    return p;
}
static float *abs_copy(const float *x, int64_t n) {
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
    for (int64_t i = 0; i < n; ++i) p[i] = fabsf(x[i]);
    return p;
}

/* ---- a case: run() writes `out_floats` floats of results; bound() (optional) the tolerance ---- */

typedef struct test_case test_case;
struct test_case {
    char name[96];
    int64_t out_floats;
    ck_status (*run)(const test_case *c, float *out, int use_abs);
    double tol_factor;   /* tolerance = tol_factor · bound (run with use_abs); 0: exact */
    int relative_sum;    /* one double (energy); tolerance = 2·n·u·bound, bound = Σ|terms| */
    /* operands */
    int kind;
    int64_t m, n, k;
    int ta, tb, col_major;
    float alpha, beta;
    ck_conv2d_params p;
    ck_conv_algo algo;   /* convolutions: forced algorithm, or CK_CONV_ALGO_AUTO (the setting in force) */
    float *a, *b, *c0, *d, *aa, *ab, *ac;
    uint8_t *sw;
};

enum { K_GEMM, K_CONV_FWD, K_CONV_BWD_DATA, K_CONV_BWD_WEIGHTS, K_BIAS_BWD, K_POOL_FWD, K_POOL_BWD,
       K_POOL_BWD_SWITCHED, K_POOL_SWITCH_UPDATE, K_RELU, K_AXPY, K_BIAS_ADD, K_SGD, K_SGD_PACKED, K_ADAM, K_ADAM_PACKED, K_ACT_MAP,
       K_NUDGE, K_NUDGE_REUSE, K_ENERGY };

static ck_status run_gemm(const test_case *c, float *out, int use_abs) {
    const int64_t rows_a = c->ta ? c->k : c->m, cols_a = c->ta ? c->m : c->k;
    const int64_t rows_b = c->tb ? c->n : c->k, cols_b = c->tb ? c->k : c->n;
    int64_t lda = c->col_major ? rows_a : cols_a, ldb = c->col_major ? rows_b : cols_b;
    int64_t ldc = c->col_major ? c->m : c->n;
    memcpy(out, use_abs ? c->ac : c->c0, (size_t)(c->m * c->n) * sizeof(float));
    return ck_sgemm(c->col_major ? CK_COL_MAJOR : CK_ROW_MAJOR, c->ta ? CK_TRANS : CK_NO_TRANS,
                    c->tb ? CK_TRANS : CK_NO_TRANS, c->m, c->n, c->k, c->alpha,
                    use_abs ? c->aa : c->a, lda, use_abs ? c->ab : c->b, ldb,
                    use_abs ? fabsf(c->beta) : c->beta, out, ldc);
}

static ck_status run_conv_pass(const test_case *c, float *out, int use_abs);

static ck_status run_conv(const test_case *c, float *out, int use_abs) {
    if (c->algo == CK_CONV_ALGO_AUTO) return run_conv_pass(c, out, use_abs);
    const ck_conv_algo saved = ck_conv_get_algorithm();
    ck_conv_set_algorithm(c->algo);
    ck_status st = run_conv_pass(c, out, use_abs);
    ck_conv_set_algorithm(saved);
    return st;
}

static ck_status run_conv_pass(const test_case *c, float *out, int use_abs) {
    const float *a = use_abs ? c->aa : c->a, *b = use_abs ? c->ab : c->b;
    switch (c->kind) {
    case K_CONV_FWD: return ck_conv2d_fwd(&c->p, a, b, use_abs ? c->ac : c->c0, out, NULL, 0);
    case K_CONV_BWD_DATA: return ck_conv2d_bwd_data(&c->p, a, b, out, NULL, 0);
    case K_CONV_BWD_WEIGHTS:
        memcpy(out, use_abs ? c->ac : c->c0, (size_t)c->out_floats * sizeof(float));
        return ck_conv2d_bwd_weights(&c->p, a, b, use_abs ? fabsf(c->beta) : c->beta, out, NULL, 0);
    case K_BIAS_BWD:
        memcpy(out, use_abs ? c->ac : c->c0, (size_t)c->out_floats * sizeof(float));
        return ck_conv2d_bias_bwd(c->m, c->n, a, use_abs ? fabsf(c->beta) : c->beta, out);
    }
    return CK_ERR_BAD_ARGUMENT;
}

static ck_status run_pool(const test_case *c, float *out, int use_abs) {
    (void)use_abs;
    const ck_conv2d_params *p = &c->p;
    int64_t pooled = p->n * (p->h / 2) * (p->w / 2) * p->c;
    switch (c->kind) {
    case K_POOL_FWD: {
        ck_status st = ck_maxpool2d_fwd(p->n, p->h, p->w, p->c, c->a, out, c->sw);
        for (int64_t i = 0; i < pooled; ++i) out[pooled + i] = (float)c->sw[i];
        return st;
    }
    case K_POOL_BWD: return ck_maxpool2d_bwd(p->n, p->h, p->w, p->c, c->b, c->sw, out);
    case K_POOL_BWD_SWITCHED: return ck_maxpool2d_bwd_switched(p->n, p->h, p->w, p->c, c->a, c->b, out);
    case K_POOL_SWITCH_UPDATE: {
        /* z_old = conv(x_old) + bias at 1 thread is in c->c0; switches of z_old in c->sw */
        int64_t pairs = p->n * (p->h / 2) * (p->w / 2) * p->k, undecided = 0;
        uint8_t *s = malloc((size_t)pairs);
        if (!s) return CK_ERR_OUT_OF_MEMORY;
        memcpy(s, c->sw, (size_t)pairs);
        ck_status st = ck_conv3x3_pool_switches_update(p->n, p->h, p->w, p->c, p->k, c->d, c->a, c->b,
                                                       c->aa, c->c0, s, pairs, &undecided);
        for (int64_t i = 0; i < pairs; ++i) out[i] = (float)s[i];
        out[pairs] = (float)undecided;
        free(s);
        return st;
    }
    }
    return CK_ERR_BAD_ARGUMENT;
}

static ck_status run_eltwise(const test_case *c, float *out, int use_abs) {
    const int64_t n = c->n;
    ck_activation relu = {CK_ACT_RELU, 0}, tanh_act = {CK_ACT_TANH, 0};
    switch (c->kind) {
    case K_RELU: {
        ck_status st = ck_relu_fwd(n, c->a, out);
        return st != CK_OK ? st : ck_relu_bwd(n, c->a, c->b, out + n);
    }
    case K_AXPY: memcpy(out, c->b, (size_t)n * sizeof(float)); return ck_axpy(n, 0.37f, c->a, out);
    case K_BIAS_ADD:
        memcpy(out, c->a, (size_t)(c->m * c->n) * sizeof(float));
        return ck_bias_add(c->m, c->n, c->b, out);
    case K_SGD:
        memcpy(out, c->a, (size_t)n * sizeof(float));
        memcpy(out + n, c->c0, (size_t)n * sizeof(float));
        return ck_sgd_momentum_step(n, 0.01f, 0.9f, 5e-4f, out, c->b, out + n);
    case K_SGD_PACKED: { /* a parameter store: odd tensor sizes at 64-aligned offsets */
        static const int64_t offsets[] = {0, 1024, 31040, 31104, 56128}, counts[] = {1000, 30001, 7, 25013, 20000};
        const float *g[5];
        for (int t = 0; t < 5; ++t) g[t] = c->b + offsets[t];
        memcpy(out, c->a, (size_t)n * sizeof(float));
        memcpy(out + n, c->c0, (size_t)n * sizeof(float));
        return ck_sgd_momentum_step_packed(5, offsets, counts, 0.01f, 0.9f, 5e-4f, out, g, out + n);
    }
    case K_ADAM_PACKED: { /* the layout of K_SGD_PACKED */
        static const int64_t offsets[] = {0, 1024, 31040, 31104, 56128}, counts[] = {1000, 30001, 7, 25013, 20000};
        const float *g[5];
        for (int t = 0; t < 5; ++t) g[t] = c->b + offsets[t];
        memcpy(out, c->a, (size_t)n * sizeof(float));
        memset(out + n, 0, (size_t)(2 * n) * sizeof(float));
        return ck_adam_step_packed(5, offsets, counts, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, 1, out, g, out + n, out + 2 * n);
    }
    case K_ADAM:
        memcpy(out, c->a, (size_t)n * sizeof(float));
        memset(out + n, 0, (size_t)(2 * n) * sizeof(float));
        return ck_adam_step(n, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, 1, out, c->b, out + n, out + 2 * n);
    case K_ACT_MAP: return ck_activation_apply(tanh_act, CK_ACT_FN_F, c->a, out, n);
    case K_NUDGE:
        return ck_nudge_delta(relu, CK_RULE_DPT, 0.5f, c->a, c->b, out, out + n, out + 2 * n, out + 3 * n, n);
    case K_NUDGE_REUSE: {
        /* DP⊤ α = 0 twice: against s̄_old = relu(a) (kept: the flag must say so) and against
         * random floats (written in full). Outputs s⁺, δ, the first s̄, the second s̄. */
        bool reused = false;
        for (int64_t i = 0; i < n; ++i) out[2 * n + i] = c->a[i] <= 0.0f ? 0.0f : c->a[i];
        ck_status st = ck_nudge_delta_reuse_mean(relu, CK_RULE_DPT, 0.0f, c->a, c->b, out, NULL, out + 2 * n,
                                                 out + 2 * n, out + n, n, &reused);
        if (st != CK_OK) return st;
        if (!reused) return CK_ERR_UNSUPPORTED; /* reported as a failure */
        /* the second call without s⁺ (as a single sweep does): δ and s̄ only */
        st = ck_nudge_delta_reuse_mean(relu, CK_RULE_DPT, 0.0f, c->a, c->b, NULL, NULL, c->c0, out + 3 * n,
                                       out + n, n, &reused);
        return st != CK_OK ? st : reused ? CK_ERR_UNSUPPORTED : CK_OK;
    }
    case K_ENERGY: {
        double e = 0;
        ck_activation act = {CK_ACT_SIGMOID, 0};
        ck_status st = ck_energy_delta(act, c->a, c->b, c->c0, n, &e);
        if (use_abs) { /* Σ|term| in float64, the scale of the summation error */
            e = 0;
            for (int64_t i = 0; i < n; ++i) {
                double sp = c->a[i], sm = c->b[i], sb = c->c0[i];
                double gp = sp * log(sp) + (1 - sp) * log1p(-sp), gm = sm * log(sm) + (1 - sm) * log1p(-sm);
                e += fabs(gp - gm - log(sb / (1 - sb)) * (sp - sm));
            }
        }
        memcpy(out, &e, sizeof e);
        return st;
    }
    }
    return CK_ERR_BAD_ARGUMENT;
}

/* ---- case construction ---- */

static test_case cases[128];
static int case_count = 0;

static test_case *new_case(const char *name, int kind) {
    test_case *c = &cases[case_count++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->kind = kind;
    return c;
}

static void add_gemm(int64_t m, int64_t n, int64_t k, int ta, int tb, int col_major, float beta) {
    char name[96];
    snprintf(name, sizeof name, "sgemm %s%s%s m=%lld n=%lld k=%lld beta=%g", col_major ? "col " : "",
             ta ? "T" : "N", tb ? "T" : "N", (long long)m, (long long)n, (long long)k, beta);
    test_case *c = new_case(name, K_GEMM);
    c->m = m; c->n = n; c->k = k; c->ta = ta; c->tb = tb; c->col_major = col_major;
    c->alpha = 1.0f; c->beta = beta;
    c->a = random_floats(m * k); c->b = random_floats(k * n); c->c0 = random_floats(m * n);
    c->aa = abs_copy(c->a, m * k); c->ab = abs_copy(c->b, k * n); c->ac = abs_copy(c->c0, m * n);
    c->out_floats = m * n;
    c->run = run_gemm;
    c->tol_factor = 2.0 * (double)(k + 2) * U;
}

static ck_conv2d_params conv_params(int64_t n, int64_t hw, int64_t ch, int64_t k, int64_t r, int64_t stride, int64_t pad) {
    ck_conv2d_params p = {n, hw, hw, ch, k, r, r, stride, stride, pad, pad};
    return p;
}

static void add_conv_algo(ck_conv2d_params p, ck_conv_algo algo) {
    int64_t po, qo;
    if (ck_conv2d_output_size(&p, &po, &qo) != CK_OK) { fprintf(stderr, "bad conv case\n"); exit(2); }
    const int64_t xs = p.n * p.h * p.w * p.c, ys = p.n * po * qo * p.k, ws = p.r * p.s * p.c * p.k;
    float *x = random_floats(xs), *w = random_floats(ws), *dy = random_floats(ys), *bias = random_floats(p.k);
    float *dw0 = random_floats(ws), *db0 = random_floats(p.k);
    char shape[64];
    snprintf(shape, sizeof shape, "n=%lld %lldx%lld c=%lld k=%lld %lldx%lld/%lld", (long long)p.n, (long long)p.h,
             (long long)p.w, (long long)p.c, (long long)p.k, (long long)p.r, (long long)p.s, (long long)p.stride_h);
    static const char *names[] = {"conv fwd", "conv bwd-data", "conv bwd-weights", "conv bias-bwd"};
    if (algo == CK_CONV_ALGO_WINOGRAD) strncat(shape, " winograd", sizeof shape - strlen(shape) - 1);
    const int kinds[] = {K_CONV_FWD, K_CONV_BWD_DATA, K_CONV_BWD_WEIGHTS, K_BIAS_BWD};
    for (int i = 0; i < 4; ++i) {
        char name[96];
        snprintf(name, sizeof name, "%s %s", names[i], shape);
        test_case *c = new_case(name, kinds[i]);
        c->p = p;
        c->algo = algo;
        c->run = run_conv;
        switch (kinds[i]) {
        case K_CONV_FWD:
            c->a = x; c->b = w; c->c0 = bias; c->out_floats = ys;
            c->tol_factor = 2.0 * (double)(p.r * p.s * p.c + 3) * U;
            break;
        case K_CONV_BWD_DATA:
            c->a = dy; c->b = w; c->out_floats = xs;
            c->tol_factor = 2.0 * (double)(p.r * p.s * p.k + 2) * U;
            break;
        case K_CONV_BWD_WEIGHTS:
            c->a = x; c->b = dy; c->c0 = dw0; c->beta = 0.5f; c->out_floats = ws;
            c->tol_factor = 2.0 * (double)(p.n * po * qo + 3) * U;
            break;
        case K_BIAS_BWD:
            c->m = p.n * po * qo; c->n = p.k; c->a = dy; c->c0 = db0; c->beta = 1.0f; c->out_floats = p.k;
            c->tol_factor = 2.0 * (double)(c->m + 3) * U;
            break;
        }
        c->aa = abs_copy(c->a, kinds[i] == K_CONV_BWD_DATA || kinds[i] == K_BIAS_BWD ? ys : xs);
        c->ab = c->b ? abs_copy(c->b, kinds[i] == K_CONV_BWD_WEIGHTS ? ys : ws) : NULL;
        c->ac = c->c0 ? abs_copy(c->c0, kinds[i] == K_CONV_FWD || kinds[i] == K_BIAS_BWD ? p.k : ws) : NULL;
    }
}

/* Forward and backward-data of a 3x3/1/1 convolution forced onto one Winograd tile size:
 * exact against 1 thread (tiles, blocks and their sums do not depend on the team). */
static void add_winograd(ck_conv2d_params p, ck_conv_algo algo) {
    const int64_t xs = p.n * p.h * p.w * p.c, ys = p.n * p.h * p.w * p.k, ws = 9 * p.c * p.k;
    float *x = random_floats(xs), *w = random_floats(ws), *dy = random_floats(ys), *bias = random_floats(p.k);
    for (int bwd = 0; bwd < 2; ++bwd) {
        char name[128];
        snprintf(name, sizeof name, "winograd %s %s n=%lld %lldx%lld c=%lld k=%lld",
                 algo == CK_CONV_ALGO_WINOGRAD_4X4 ? "F(4x4)" : "F(2x2)", bwd ? "bwd-data" : "fwd", (long long)p.n,
                 (long long)p.h, (long long)p.w, (long long)p.c, (long long)p.k);
        test_case *c = new_case(name, bwd ? K_CONV_BWD_DATA : K_CONV_FWD);
        c->p = p;
        c->algo = algo;
        c->run = run_conv;
        c->a = bwd ? dy : x;
        c->b = w;
        c->c0 = bwd ? NULL : bias;
        c->out_floats = bwd ? xs : ys;
    }
}

static void add_conv(ck_conv2d_params p) { add_conv_algo(p, CK_CONV_ALGO_AUTO); }

static void add_pool(int64_t n, int64_t h, int64_t w, int64_t ch) {
    ck_conv2d_params p = {n, h, w, ch, 0, 0, 0, 0, 0, 0, 0};
    const int64_t xs = n * h * w * ch, ys = n * (h / 2) * (w / 2) * ch;
    float *x = random_floats(xs), *dy = random_floats(ys);
    uint8_t *sw = malloc((size_t)(ys > 0 ? ys : 1));
    if (!sw) exit(2);
    ck_maxpool2d_fwd(n, h, w, ch, x, dy /* scratch */, sw);
    for (int64_t i = 0; i < ys; ++i) dy[i] = uniform();
    static const char *names[] = {"maxpool fwd", "maxpool bwd", "maxpool bwd-switched"};
    const int kinds[] = {K_POOL_FWD, K_POOL_BWD, K_POOL_BWD_SWITCHED};
    for (int i = 0; i < 3; ++i) {
        char name[96];
        snprintf(name, sizeof name, "%s n=%lld %lldx%lld c=%lld", names[i], (long long)n, (long long)h, (long long)w, (long long)ch);
        test_case *c = new_case(name, kinds[i]);
        c->p = p; c->a = x; c->b = dy;
        c->sw = i == 0 ? malloc((size_t)(ys > 0 ? ys : 1)) : sw;
        c->out_floats = i == 0 ? 2 * ys : xs;
        c->run = run_pool;
    }
}

static void add_switch_update(int64_t n, int64_t hw, int64_t ch, int64_t k) {
    ck_conv2d_params p = conv_params(n, hw, ch, k, 3, 1, 1);
    const int64_t xs = n * hw * hw * ch, zs = n * hw * hw * k, pairs = n * (hw / 2) * (hw / 2) * k;
    test_case *c = new_case("", K_POOL_SWITCH_UPDATE);
    snprintf(c->name, sizeof c->name, "pool-switch update n=%lld %lldx%lld c=%lld k=%lld", (long long)n,
             (long long)hw, (long long)hw, (long long)ch, (long long)k);
    c->p = p;
    c->a = random_floats(xs);                 /* x_old */
    c->d = malloc((size_t)xs * sizeof(float)); /* x_new: x_old moved a little */
    for (int64_t i = 0; i < xs; ++i) c->d[i] = c->a[i] + 0.01f * uniform();
    c->b = random_floats(9 * ch * k);         /* weights */
    c->aa = random_floats(k);                 /* bias */
    c->c0 = malloc((size_t)zs * sizeof(float));
    c->sw = malloc((size_t)pairs);
    float *pooled = malloc((size_t)pairs * sizeof(float));
    if (!c->d || !c->c0 || !c->sw || !pooled) exit(2);
    ck_set_num_threads(1);
    ck_conv2d_fwd(&p, c->a, c->b, c->aa, c->c0, NULL, 0);
    ck_maxpool2d_fwd(n, hw, hw, k, c->c0, pooled, c->sw);
    free(pooled);
    c->out_floats = pairs + 1;
    c->run = run_pool;
}

static void add_eltwise(const char *name, int kind, int64_t n, int64_t outputs_per_element) {
    test_case *c = new_case(name, kind);
    c->n = n;
    c->a = random_floats(n); c->b = random_floats(kind == K_BIAS_ADD ? 64 : n); c->c0 = random_floats(n);
    if (kind == K_BIAS_ADD) { c->m = n / 64; c->n = 64; }
    if (kind == K_ENERGY) { /* sigmoid states in (0, 1) */
        for (int64_t i = 0; i < n; ++i) { c->a[i] = 0.5f + 0.4f * c->a[i]; c->b[i] = 0.5f + 0.4f * c->b[i]; c->c0[i] = 0.5f * (c->a[i] + c->b[i]); }
        c->out_floats = 2; /* one double */
        c->relative_sum = 1;
    } else {
        c->out_floats = n * outputs_per_element;
    }
    c->run = run_eltwise;
}

static void build_cases(int quick) {
    /* GEMM: the crash of issue 15 (m = n = 8, k = 39063), tiny m or n with a long k (work
     * smaller than the team), row splits with a shared B block, transposes, column-major, beta. */
    add_gemm(8, 8, 39063, 0, 0, 0, 0.0f);
    add_gemm(1, 64, 40000, 0, 0, 0, 0.0f);
    add_gemm(3, 500, 3000, 0, 1, 0, 0.0f);
    add_gemm(5, 7, 60000, 1, 0, 0, 0.0f);
    add_gemm(200, 1, 20000, 0, 0, 0, 0.0f);
    add_gemm(1000, 64, 64, 0, 0, 0, 0.5f);
    add_gemm(300, 200, 100, 1, 1, 1, 0.0f);
    if (!quick) add_gemm(2100, 130, 200, 0, 0, 0, 1.0f);
    /* Convolutions: direct 3x3 (row tiles at batch < max_t, batch tiles above, VGG's C=3 first
     * layer), im2col (odd channels, stride 2), 1x1; batch 1 and tiny images with big teams. */
    add_conv(conv_params(1, 16, 16, 32, 3, 1, 1));
    add_conv(conv_params(3, 4, 32, 64, 3, 1, 1));
    add_conv(conv_params(2, 2, 64, 32, 3, 1, 1));
    add_conv(conv_params(17, 4, 32, 32, 3, 1, 1));
    add_conv(conv_params(2, 17, 3, 32, 3, 1, 1));
    add_conv(conv_params(5, 6, 8, 8, 3, 1, 1));
    add_conv(conv_params(4, 9, 4, 6, 3, 2, 1));
    add_conv(conv_params(2, 8, 64, 32, 1, 1, 0));
    /* Winograd F(2x2) and F(4x4): odd sizes (partial tiles), channels that are no multiple of a
     * panel width, and transformed filters over 16 MiB (the large-block path, 4x4 images). */
    add_winograd(conv_params(2, 7, 40, 17, 3, 1, 1), CK_CONV_ALGO_WINOGRAD_2X2);
    add_winograd(conv_params(3, 9, 33, 50, 3, 1, 1), CK_CONV_ALGO_WINOGRAD_4X4);
    add_winograd(conv_params(1, 16, 64, 64, 3, 1, 1), CK_CONV_ALGO_WINOGRAD_4X4);
    add_winograd(conv_params(20, 4, 352, 352, 3, 1, 1), CK_CONV_ALGO_WINOGRAD_4X4);
    if (!quick) add_winograd(conv_params(6, 4, 520, 520, 3, 1, 1), CK_CONV_ALGO_WINOGRAD_2X2);
    /* Winograd forced on every ISA (auto takes it only where it was measured to win): channel
     * counts off the panel widths, odd sides, several tile blocks of the backward-weights pass. */
    add_conv_algo(conv_params(3, 11, 40, 56, 3, 1, 1), CK_CONV_ALGO_WINOGRAD);
    if (!quick) add_conv_algo(conv_params(5, 19, 24, 72, 3, 1, 1), CK_CONV_ALGO_WINOGRAD);
    /* Work smaller than the team: one 2x2 image (one tile, one block) and one 3x3 image with
     * 33 → 520 channels, every pass on Winograd, at up to 64 threads. */
    add_conv_algo(conv_params(1, 2, 40, 48, 3, 1, 1), CK_CONV_ALGO_WINOGRAD);
    add_conv_algo(conv_params(1, 3, 33, 520, 3, 1, 1), CK_CONV_ALGO_WINOGRAD);
    /* Pooling: one image, odd sizes, many rows. */
    add_pool(1, 6, 6, 16);
    add_pool(3, 7, 5, 64);
    add_pool(8, 32, 32, 64);
    add_switch_update(2, 8, 8, 16);
    /* Element-wise and activation drivers (above their parallel thresholds). */
    add_eltwise("relu fwd+bwd", K_RELU, 100000, 2);
    add_eltwise("axpy", K_AXPY, 100000, 1);
    add_eltwise("bias add", K_BIAS_ADD, 64 * 1500, 1);
    add_eltwise("sgd momentum", K_SGD, 100000, 2);
    add_eltwise("sgd momentum, packed store", K_SGD_PACKED, 100000, 2);
    add_eltwise("adam", K_ADAM, 100000, 3);
    add_eltwise("adam, packed store", K_ADAM_PACKED, 100000, 3);
    add_eltwise("tanh", K_ACT_MAP, 200000, 1);
    add_eltwise("nudge+delta (relu, DP⊤)", K_NUDGE, 200000, 4);
    add_eltwise("nudge+delta reusing s̄ (relu, DP⊤ α=0)", K_NUDGE_REUSE, 200037, 4);
    add_eltwise("energy (sigmoid)", K_ENERGY, 300000, 0);
}

/* ---- the sweep ---- */

static int parse_threads(const char *s, int *out, int max) {
    int count = 0;
    while (*s && count < max) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 1024) return -1;
        out[count++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') return -1;
    }
    return count;
}

int main(int argc, char **argv) {
    int threads[32] = {1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64}, tcount = 11, quick = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            tcount = parse_threads(argv[++i], threads, 32);
            if (tcount < 1) { fprintf(stderr, "bad --threads list\n"); return 2; }
        } else if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else {
            fprintf(stderr, "usage: %s [--threads 1,2,3] [--quick]\n", argv[0]);
            return 2;
        }
    }
    char why[256];
    int def = ck_default_num_threads(why, sizeof why);
    printf("thread sweep: %s; default %d threads (%s)\n", ck_version(), def, why);
    build_cases(quick);
    int failures = 0, checks = 0;
    const ck_isa detected = ck_isa_detected();
    clock_t started = clock();
    for (int isa = CK_ISA_REF; isa <= (int)detected; ++isa) {
        if (ck_set_max_isa((ck_isa)isa) != CK_OK) continue;
        for (int ci = 0; ci < case_count; ++ci) {
            const test_case *c = &cases[ci];
            const size_t bytes = (size_t)c->out_floats * sizeof(float);
            float *ref = malloc(bytes), *r1 = malloc(bytes), *r2 = malloc(bytes), *bound = malloc(bytes);
            if (!ref || !r1 || !r2 || !bound) { fprintf(stderr, "out of memory\n"); return 2; }
            ck_set_num_threads(1);
            ck_status st = c->run(c, ref, 0);
            if (st == CK_OK && (c->tol_factor > 0 || c->relative_sum)) st = c->run(c, bound, 1);
            if (st != CK_OK) {
                printf("FAIL [%s] %s: 1 thread: %s\n", ck_isa_name((ck_isa)isa), c->name, ck_status_string(st));
                ++failures;
            }
            for (int ti = 0; st == CK_OK && ti < tcount; ++ti) {
                ck_set_num_threads(threads[ti]);
                ck_status s1 = c->run(c, r1, 0), s2 = c->run(c, r2, 0);
                ++checks;
                if (s1 != CK_OK || s2 != CK_OK) {
                    printf("FAIL [%s] %s at %d threads: %s\n", ck_isa_name((ck_isa)isa), c->name, threads[ti],
                           ck_status_string(s1 != CK_OK ? s1 : s2));
                    ++failures;
                    continue;
                }
                if (memcmp(r1, r2, bytes) != 0) {
                    printf("FAIL [%s] %s at %d threads: two runs differ (not deterministic)\n",
                           ck_isa_name((ck_isa)isa), c->name, threads[ti]);
                    ++failures;
                }
                int64_t bad = -1;
                double worst = 0;
                if (c->relative_sum) {
                    double e1, e0, scale;
                    memcpy(&e1, r1, sizeof e1); memcpy(&e0, ref, sizeof e0); memcpy(&scale, bound, sizeof scale);
                    if (!(fabs(e1 - e0) <= 2.0 * (double)c->n * U * scale)) { bad = 0; worst = fabs(e1 - e0); }
                } else {
                    for (int64_t i = 0; i < c->out_floats; ++i) {
                        double tol = c->tol_factor > 0 ? c->tol_factor * (double)bound[i] : 0.0;
                        double diff = fabs((double)r1[i] - (double)ref[i]);
                        int same = memcmp(&r1[i], &ref[i], sizeof(float)) == 0;
                        if (!same && !(diff <= tol)) {
                            if (bad < 0 || diff > worst) { bad = i; worst = diff; }
                        }
                    }
                }
                if (bad >= 0) {
                    printf("FAIL [%s] %s at %d threads: differs from 1 thread at %lld (|diff| %.3g%s)\n",
                           ck_isa_name((ck_isa)isa), c->name, threads[ti], (long long)bad, worst,
                           c->tol_factor > 0 || c->relative_sum ? " > tolerance" : ", exact expected");
                    ++failures;
                }
            }
            free(ref); free(r1); free(r2); free(bound);
        }
        printf("[%s] %d cases at %d thread counts: %s\n", ck_isa_name((ck_isa)isa), case_count, tcount,
               failures ? "FAILURES above" : "ok");
    }
    ck_set_num_threads(0);
    ck_set_max_isa(detected);
    printf("%d checks, %d failures, %.1f s CPU\n", checks, failures, (double)(clock() - started) / CLOCKS_PER_SEC);
    return failures ? 1 : 0;
}
