/*
 * nudge.c — drivers of the dual-propagation kernels: hidden-unit nudges (plain and damped),
 * the Fenchel-BP error, and the output nudges (softmax cross-entropy per row, least squares).
 * Formulas and contracts: include/ck_nudge.h.
 */
#include "activation_driver.h"
#include "ck_work_split.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

/* As ck_act_run: at most this many threads share one array. */
#define CK_NUDGE_MAX_THREADS 256

#include <math.h>

static ck_status check_rule(ck_rule rule, float alpha) {
    if (rule != CK_RULE_DPT && rule != CK_RULE_DP) return CK_ERR_BAD_ARGUMENT;
    return isfinite(alpha) ? CK_OK : CK_ERR_BAD_ARGUMENT;
}

/* Checks the arguments and fills the leaf's arguments. */
static ck_status nudge_args(ck_activation act, ck_rule rule, float alpha, int damped, float damping,
                            const float *a, const float *v, float *sp, float *sm, float *sb, float *sd,
                            int64_t n, ck_act_nudge_args *out) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n > 0 && (!a || !v || !(sp || sd) || !(sm || sd))) return CK_ERR_NULL_POINTER;
    ck_status st = ck_activation_check(act);
    if (st == CK_OK) st = check_rule(rule, alpha);
    if (st != CK_OK) return st;
    if (damped && !(isfinite(damping) && damping >= 0)) return CK_ERR_BAD_ARGUMENT;
    float abar = 1.0f - alpha;
    *out = (ck_act_nudge_args){
        .act = act, .a = a, .v = v, .sp = sp, .sm = sm, .sb = sb, .sd = sd,
        .cp = rule == CK_RULE_DPT ? abar : alpha,   /* DP⊤: f(a + ᾱv), f(a − αv) */
        .cm = rule == CK_RULE_DPT ? alpha : abar,   /* DP : f(a + αv), f(a − ᾱv) */
        .alpha = alpha, .beta_bar = abar,
        .damping = damping, .inv1p_damping = 1.0f / (1.0f + damping),
        .damped = damped, .stream = n >= CK_ACT_STREAM_MIN};
    return CK_OK;
}

static ck_status nudge_common(ck_activation act, ck_rule rule, float alpha, int damped, float damping,
                              const float *a, const float *v, float *sp, float *sm, float *sb, float *sd,
                              int64_t n) {
    ck_act_nudge_args args;
    ck_status st = nudge_args(act, rule, alpha, damped, damping, a, v, sp, sm, sb, sd, n, &args);
    if (st != CK_OK) return st;
    ck_act_run(CK_LEAF_NUDGE, &args, n);
    return CK_OK;
}

ck_status ck_nudge(ck_activation act, ck_rule rule, float alpha, const float *a, const float *v,
                   float *s_plus, float *s_minus, float *s_bar, int64_t n) {
    if (n > 0 && (!s_plus || !s_minus)) return CK_ERR_NULL_POINTER;
    return nudge_common(act, rule, alpha, 0, 0.0f, a, v, s_plus, s_minus, s_bar, NULL, n);
}

ck_status ck_nudge_delta(ck_activation act, ck_rule rule, float alpha, const float *a, const float *v,
                         float *s_plus, float *s_minus, float *s_bar, float *delta, int64_t n) {
    if (n > 0 && !delta) return CK_ERR_NULL_POINTER;
    return nudge_common(act, rule, alpha, 0, 0.0f, a, v, s_plus, s_minus, s_bar, delta, n);
}

/* ck_nudge_delta_reuse_mean's pass: the leaf compares s̄ with sb_same; one flag per thread. */
typedef struct reuse_job {
    const ck_activation_kernels *k;
    const ck_act_nudge_args *args;
    int64_t n;
    int mismatch[CK_NUDGE_MAX_THREADS];
} reuse_job;

static void reuse_body(void *ctx, int tid, int nthreads) {
    reuse_job *job = ctx;
    int64_t b, e;
    ck_split_range(job->n, 64, tid, nthreads, &b, &e);   /* ck_act_run's split */
    ck_act_nudge_args mine = *job->args;
    mine.mismatch = &job->mismatch[tid];
    if (b < e) job->k->nudge(&mine, b, e);
}

ck_status ck_nudge_delta_reuse_mean(ck_activation act, ck_rule rule, float alpha, const float *a,
                                    const float *v, float *s_plus, float *s_minus,
                                    const float *s_bar_old, float *s_bar, float *delta, int64_t n,
                                    bool *reused) {
    if (!reused || (n > 0 && (!delta || !s_bar_old || !s_bar))) return CK_ERR_NULL_POINTER;
    ck_act_nudge_args args;
    ck_status st = nudge_args(act, rule, alpha, 0, 0.0f, a, v, s_plus, s_minus, NULL, delta, n, &args);
    if (st != CK_OK) return st;
    *reused = true;
    if (n == 0) return CK_OK;
    args.sb_same = s_bar_old;
    reuse_job job = {&ck_active_kernels()->activation, &args, n, {0}};
    double work[CK_NUDGE_MAX_THREADS];
    int available = ck_get_num_threads();
    int threads = ck_nudge_work_split(n, available < CK_NUDGE_MAX_THREADS ? available : CK_NUDGE_MAX_THREADS, work);
    ck_parallel_run(threads, reuse_body, &job);
    int differs = 0;
    for (int t = 0; t < threads; ++t) differs |= job.mismatch[t];
    if (!differs) return CK_OK;
    /* Some element of s̄ changed (a non-finite v, a signed zero): write every array in full. */
    args.sb_same = NULL;
    args.sb = s_bar;
    ck_act_run(CK_LEAF_NUDGE, &args, n);
    *reused = false;
    return CK_OK;
}

ck_status ck_nudge_damped(ck_activation act, ck_rule rule, float alpha, float damping,
                          const float *a, const float *v, float *s_plus, float *s_minus,
                          float *s_bar, int64_t n) {
    if (n > 0 && (!s_plus || !s_minus)) return CK_ERR_NULL_POINTER;
    return nudge_common(act, rule, alpha, 1, damping, a, v, s_plus, s_minus, s_bar, NULL, n);
}

ck_status ck_fenchel_error(ck_activation act, float tau, const float *a, const float *g, float *e, int64_t n) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n > 0 && (!a || !g || !e)) return CK_ERR_NULL_POINTER;
    ck_status st = ck_activation_check(act);
    if (st != CK_OK) return st;
    if (!(isfinite(tau) && tau > 0)) return CK_ERR_BAD_ARGUMENT;
    ck_act_fenchel_args args = {act, a, g, e, tau, n >= CK_ACT_STREAM_MIN};
    ck_act_run(CK_LEAF_FENCHEL, &args, n);
    return CK_OK;
}

ck_status ck_output_nudge_ce(ck_rule rule, float alpha, float beta, const float *p, const float *a,
                             const int32_t *labels, float *s_plus, float *s_minus, float *g_out,
                             int64_t rows, int64_t classes) {
    if (rows < 0 || classes < 1) return CK_ERR_BAD_DIMENSION;
    if (rows > 0 && (!a || !labels || !s_plus || !s_minus)) return CK_ERR_NULL_POINTER;
    ck_status st = check_rule(rule, alpha);
    if (st != CK_OK) return st;
    if (!isfinite(beta)) return CK_ERR_BAD_ARGUMENT;
    for (int64_t r = 0; r < rows; ++r)
        if (labels[r] < 0 || labels[r] >= classes) return CK_ERR_BAD_ARGUMENT;
    if (!p) p = a;
    float abar = 1.0f - alpha;
    float cp = rule == CK_RULE_DPT ? abar : alpha;   /* s⁺ = a − cp·g */
    float cm = rule == CK_RULE_DPT ? alpha : abar;   /* s⁻ = a + cm·g */
    for (int64_t r = 0; r < rows; ++r) {
        const float *pr = p + r * classes, *ar = a + r * classes;  /* (rows, classes) */
        float mx = -INFINITY;
        int has_nan = 0;
        for (int64_t j = 0; j < classes; ++j) {
            if (isnan(pr[j])) has_nan = 1;
            else if (pr[j] > mx) mx = pr[j];
        }
        double sum = 0;
        for (int64_t j = 0; j < classes; ++j) sum += expf(pr[j] - mx);
        float inv = (float)(1.0 / sum);
        for (int64_t j = 0; j < classes; ++j) {
            float prob = has_nan ? NAN : expf(pr[j] - mx) * inv;
            float g = beta * (prob - (j == labels[r] ? 1.0f : 0.0f));
            float gp = cp * g, gm = cm * g;
            s_plus[r * classes + j] = ar[j] - gp;
            s_minus[r * classes + j] = ar[j] + gm;
            if (g_out) g_out[r * classes + j] = g;
        }
    }
    return CK_OK;
}

ck_status ck_output_nudge_lsq(ck_rule rule, float alpha, float beta, const float *a, const float *y,
                              float *s_plus, float *s_minus, int64_t n) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n > 0 && (!a || !y || !s_plus || !s_minus)) return CK_ERR_NULL_POINTER;
    ck_status st = check_rule(rule, alpha);
    if (st != CK_OK) return st;
    if (!isfinite(beta)) return CK_ERR_BAD_ARGUMENT;
    float abar = 1.0f - alpha;
    if (rule == CK_RULE_DPT) {
        for (int64_t i = 0; i < n; ++i) {
            float g = beta * (a[i] - y[i]);
            float gp = abar * g, gm = alpha * g;
            s_plus[i] = a[i] - gp;
            s_minus[i] = a[i] + gm;
        }
        return CK_OK;
    }
    float ab = alpha * beta, bb = abar * beta;
    if (bb >= 1.0f) return CK_ERR_BAD_ARGUMENT;   /* the prox of −(β/2)‖s − y‖²·ᾱ does not exist */
    float dp = 1.0f + ab, dm = 1.0f - bb;
    for (int64_t i = 0; i < n; ++i) {
        float yp = ab * y[i], ym = bb * y[i];
        s_plus[i] = (a[i] + yp) / dp;
        s_minus[i] = (a[i] - ym) / dm;
    }
    return CK_OK;
}
