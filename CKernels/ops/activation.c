/*
 * activation.c — drivers of the element-wise activation functions, the Bregman layer and the
 * energy monitor (validation + threads around the active table's leaves), the softmax family,
 * and the shared threaded range loop.
 */
#include "activation_driver.h"
#include "ck_work_split.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

#include <float.h>
#include <math.h>

#define CK_ACT_MAX_THREADS 256

typedef struct range_job {
    ck_act_leaf_kind kind;
    const ck_activation_kernels *k;
    const void *args;
    int64_t n;
    double partial[CK_ACT_MAX_THREADS];
} range_job;

static void run_leaf(range_job *job, int tid, int64_t b, int64_t e) {
    const ck_activation_kernels *k = job->k;
    switch (job->kind) {
    case CK_LEAF_MAP: k->map(job->args, b, e); break;
    case CK_LEAF_NUDGE: k->nudge(job->args, b, e); break;
    case CK_LEAF_FENCHEL: k->fenchel(job->args, b, e); break;
    case CK_LEAF_BREG_FWD: k->bregman_fwd(job->args, b, e); break;
    case CK_LEAF_BREG_BWD: k->bregman_bwd(job->args, b, e); break;
    case CK_LEAF_ENERGY: job->partial[tid] = k->energy(job->args, b, e); break;
    }
}

/* Threads for n elements when `available` are: each gets at least CK_ACT_PARALLEL_MIN / 2. */
static int act_threads(int64_t n, int available) {
    if (n < CK_ACT_PARALLEL_MIN) return 1;
    int64_t want = n / (CK_ACT_PARALLEL_MIN / 2);
    int threads = want < available ? (int)want : available;
    return threads > CK_ACT_MAX_THREADS ? CK_ACT_MAX_THREADS : threads;
}

/* Elements [b, e) of thread tid: 64-aligned chunks (full vectors but for the last thread's). */
static void act_share(int64_t n, int tid, int nthreads, int64_t *b, int64_t *e) { ck_split_range(n, 64, tid, nthreads, b, e); }

int ck_nudge_work_split(int64_t n, int threads, double *work) {
    for (int t = 0; t < threads; ++t) work[t] = 0;
    if (n <= 0 || threads < 1) return 1;
    int used = act_threads(n, threads);
    for (int t = 0; t < used; ++t) {
        int64_t b, e;
        act_share(n, t, used, &b, &e);
        work[t] = (double)(e - b);
    }
    return used;
}

static void range_body(void *ctx, int tid, int nthreads) {
    range_job *job = ctx;
    int64_t b, e;
    act_share(job->n, tid, nthreads, &b, &e);
    job->partial[tid] = 0;
    if (b < e) run_leaf(job, tid, b, e);
}

double ck_act_run(ck_act_leaf_kind kind, const void *args, int64_t n) {
    if (n <= 0) return 0;
    range_job job = {kind, &ck_active_kernels()->activation, args, n, {0}};
    int threads = act_threads(n, ck_get_num_threads());
    ck_parallel_run(threads, range_body, &job);
    double sum = 0;
    for (int t = 0; t < threads; ++t) sum += job.partial[t];
    return sum;
}

ck_status ck_activation_check(ck_activation act) {
    if ((int)act.kind < 0 || act.kind >= CK_ACT_KIND_COUNT) return CK_ERR_BAD_ARGUMENT;
    if (act.kind == CK_ACT_LEAKY_RELU && !(isfinite(act.param) && act.param > 0)) return CK_ERR_BAD_ARGUMENT;
    return CK_OK;
}

const char *ck_activation_name(ck_activation_kind kind) {
    static const char *names[CK_ACT_KIND_COUNT] = {
        "identity", "relu", "hard-sigmoid", "leaky-relu", "sigmoid", "tanh",
        "isru", "softplus", "arctan", "sin", "arcsinh"};
    return ((int)kind >= 0 && kind < CK_ACT_KIND_COUNT) ? names[kind] : "unknown";
}

ck_status ck_activation_apply(ck_activation act, ck_activation_fn fn, const float *x, float *y, int64_t n) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n > 0 && (!x || !y)) return CK_ERR_NULL_POINTER;
    ck_status st = ck_activation_check(act);
    if (st != CK_OK) return st;
    if ((int)fn < 0 || fn >= CK_ACT_FN_COUNT) return CK_ERR_BAD_ARGUMENT;
    ck_act_map_args args = {act, fn, x, y};
    ck_act_run(CK_LEAF_MAP, &args, n);
    return CK_OK;
}

ck_status ck_bregman_fwd(ck_activation act, const float *z, const float *u, float *out, int64_t n) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n > 0 && (!z || !u || !out)) return CK_ERR_NULL_POINTER;
    ck_status st = ck_activation_check(act);
    if (st != CK_OK) return st;
    ck_act_bregman_args args = {act, z, u, NULL, out, NULL, NULL, n >= CK_ACT_STREAM_MIN};
    ck_act_run(CK_LEAF_BREG_FWD, &args, n);
    return CK_OK;
}

ck_status ck_bregman_bwd(ck_activation act, const float *z, const float *u, const float *dout,
                         float *dz, float *du, int64_t n) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n > 0 && (!z || !u || !dout || !du)) return CK_ERR_NULL_POINTER;
    ck_status st = ck_activation_check(act);
    if (st != CK_OK) return st;
    ck_act_bregman_args args = {act, z, u, dout, NULL, dz, du, n >= CK_ACT_STREAM_MIN};
    ck_act_run(CK_LEAF_BREG_BWD, &args, n);
    return CK_OK;
}

ck_status ck_energy_delta(ck_activation act, const float *s_plus, const float *s_minus,
                          const float *s_bar, int64_t n, double *out) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (!out || (n > 0 && (!s_plus || !s_minus || !s_bar))) return CK_ERR_NULL_POINTER;
    ck_status st = ck_activation_check(act);
    if (st != CK_OK) return st;
    ck_act_energy_args args = {act, s_plus, s_minus, s_bar};
    *out = ck_act_run(CK_LEAF_ENERGY, &args, n);
    return CK_OK;
}

/* ---- softmax, the vector member (small: rows of class scores, no threads) ---- */

ck_status ck_softmax_rows(const float *x, float *y, int64_t rows, int64_t cols) {
    if (rows < 0 || (rows > 0 && cols < 1)) return CK_ERR_BAD_DIMENSION;
    if (rows > 0 && (!x || !y)) return CK_ERR_NULL_POINTER;
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;  /* x is (rows, cols) */
        float *yr = y + r * cols;
        float mx = -INFINITY;
        int has_nan = 0;
        for (int64_t j = 0; j < cols; ++j) {
            if (isnan(xr[j])) has_nan = 1;
            else if (xr[j] > mx) mx = xr[j];
        }
        if (has_nan) {
            for (int64_t j = 0; j < cols; ++j) yr[j] = NAN;
            continue;
        }
        double sum = 0;
        for (int64_t j = 0; j < cols; ++j) {
            float ej = expf(xr[j] - mx);
            yr[j] = ej;
            sum += ej;
        }
        float inv = (float)(1.0 / sum);
        for (int64_t j = 0; j < cols; ++j) yr[j] *= inv;
    }
    return CK_OK;
}

ck_status ck_softmax_potentials(const float *s, float *g, const float *t, float *gstar,
                                int64_t rows, int64_t cols) {
    if (rows < 0 || (rows > 0 && cols < 1)) return CK_ERR_BAD_DIMENSION;
    if (rows > 0 && ((!s) != (!g) || (!t) != (!gstar))) return CK_ERR_NULL_POINTER;
    for (int64_t r = 0; r < rows; ++r) {
        if (s) {
            double acc = 0;
            for (int64_t j = 0; j < cols; ++j) {
                double v = s[r * cols + j];
                acc += v < 0 ? INFINITY : (v == 0 ? 0.0 : v * log(v));
            }
            g[r] = (float)acc;
        }
        if (t) {
            double mx = -INFINITY, acc = 0;
            for (int64_t j = 0; j < cols; ++j) mx = fmax(mx, t[r * cols + j]);
            for (int64_t j = 0; j < cols; ++j) acc += exp(t[r * cols + j] - mx);
            int nan = 0;
            for (int64_t j = 0; j < cols; ++j) nan |= isnan(t[r * cols + j]);
            gstar[r] = nan ? NAN : (float)(mx + log(acc));
        }
    }
    return CK_OK;
}
