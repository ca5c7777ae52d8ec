/*
 * pool.c — max-pool 2x2/2 driver: validation and threads over output rows (N·P of them).
 * Leaves handle one output row (two input rows).
 */
#include <string.h>
#include "ck_pool.h"
#include "../runtime/kernel_table.h"
#include "ck_work_split.h"
#include "../runtime/parallel.h"

/* Output rows per thread at least. */
#define CK_POOL_MIN_ROWS 4

typedef struct pool_job {
    const ck_pool_kernels *kern;
    int64_t h, w, c, po, qo;
    const float *a;      /* x or switch source (N,H,W,C) */
    const float *dy;     /* (N,P,Q,C) */
    float *out;          /* fwd: y (N,P,Q,C); bwd: dx (N,H,W,C) */
    uint8_t *sw;         /* fwd: switches out */
    const uint8_t *swin; /* bwd: switches in */
} pool_job;

static ck_status check(int64_t n, int64_t h, int64_t w, int64_t c) {
    return (n < 0 || h < 0 || w < 0 || c < 0) ? CK_ERR_BAD_DIMENSION : CK_OK;
}

static void fwd_rows(void *ctx, int64_t begin, int64_t end) {
    const pool_job *j = ctx;
    for (int64_t i = begin; i < end; ++i) {
        int64_t img = i / j->po, p = i % j->po;
        const float *x0 = j->a + ((img * j->h + 2 * p) * j->w) * j->c;
        j->kern->fwd_row(j->qo, j->c, x0, x0 + j->w * j->c, j->out + i * j->qo * j->c,
                         j->sw ? j->sw + i * j->qo * j->c : NULL);
    }
}

/* Input rows not covered by any window (odd H or W) get 0 in the backward passes. */
static void clear_uncovered(const pool_job *j, int64_t img, int64_t p, float *dx0, float *dx1) {
    int64_t covered = 2 * j->qo * j->c, row = j->w * j->c;
    if (covered < row) {
        memset(dx0 + covered, 0, (size_t)(row - covered) * sizeof(float));
        memset(dx1 + covered, 0, (size_t)(row - covered) * sizeof(float));
    }
    if (p == j->po - 1 && j->h > 2 * j->po)
        memset(j->out + ((img * j->h + 2 * j->po) * j->w) * j->c, 0, (size_t)row * sizeof(float));
}

static void bwd_rows(void *ctx, int64_t begin, int64_t end) {
    const pool_job *j = ctx;
    for (int64_t i = begin; i < end; ++i) {
        int64_t img = i / j->po, p = i % j->po;
        float *dx0 = j->out + ((img * j->h + 2 * p) * j->w) * j->c, *dx1 = dx0 + j->w * j->c;
        const float *dy = j->dy + i * j->qo * j->c;
        if (j->swin) j->kern->bwd_row(j->qo, j->c, dy, j->swin + i * j->qo * j->c, dx0, dx1);
        else {
            const float *s0 = j->a + ((img * j->h + 2 * p) * j->w) * j->c;
            j->kern->bwd_switched_row(j->qo, j->c, s0, s0 + j->w * j->c, dy, dx0, dx1);
        }
        clear_uncovered(j, img, p, dx0, dx1);
    }
}

ck_status ck_maxpool2d_fwd(int64_t n, int64_t h, int64_t w, int64_t c,
                           const float *x, float *y, uint8_t *argmax) {
    ck_status st = check(n, h, w, c);
    if (st != CK_OK) return st;
    int64_t po = h / 2, qo = w / 2;
    if (n * po * qo * c == 0) return CK_OK;
    if (!x || !y) return CK_ERR_NULL_POINTER;
    pool_job j = {&ck_active_kernels()->pool, h, w, c, po, qo, x, NULL, y, argmax, NULL};
    ck_parallel_for(n * po, CK_POOL_MIN_ROWS, fwd_rows, &j);
    return CK_OK;
}

static ck_status bwd_common(int64_t n, int64_t h, int64_t w, int64_t c, const float *src,
                            const uint8_t *sw, const float *dy, float *dx) {
    ck_status st = check(n, h, w, c);
    if (st != CK_OK) return st;
    if (n * h * w * c == 0) return CK_OK;
    if (!dx) return CK_ERR_NULL_POINTER;
    int64_t po = h / 2, qo = w / 2;
    if (po * qo == 0) { memset(dx, 0, (size_t)(n * h * w * c) * sizeof(float)); return CK_OK; }
    if (!dy || (!sw && !src)) return CK_ERR_NULL_POINTER;
    pool_job j = {&ck_active_kernels()->pool, h, w, c, po, qo, src, dy, dx, NULL, sw};
    ck_parallel_for(n * po, CK_POOL_MIN_ROWS, bwd_rows, &j);
    return CK_OK;
}

ck_status ck_maxpool2d_bwd(int64_t n, int64_t h, int64_t w, int64_t c,
                           const float *dy, const uint8_t *argmax, float *dx) {
    if (n > 0 && h > 1 && w > 1 && c > 0) {
        if (!argmax) return CK_ERR_NULL_POINTER;
        int64_t cnt = n * (h / 2) * (w / 2) * c;
        for (int64_t i = 0; i < cnt; ++i) if (argmax[i] > 3) return CK_ERR_BAD_ARGUMENT;
    }
    return bwd_common(n, h, w, c, NULL, argmax, dy, dx);
}

ck_status ck_maxpool2d_bwd_switched(int64_t n, int64_t h, int64_t w, int64_t c,
                                    const float *switch_src, const float *dy, float *dx) {
    if (n > 0 && h > 1 && w > 1 && c > 0 && !switch_src) return CK_ERR_NULL_POINTER;
    return bwd_common(n, h, w, c, switch_src, NULL, dy, dx);
}

int ck_maxpool2d_work_split(int64_t n, int64_t h, int64_t w, int64_t c, int threads, double *work) {
    for (int t = 0; t < threads; ++t) work[t] = 0;
    if (threads < 1 || n <= 0 || h < 2 || w < 2 || c <= 0) return 1;
    ck_parallel_for_work(n * (h / 2), CK_POOL_MIN_ROWS, threads, NULL, NULL, work);
    for (int t = 0; t < threads; ++t) work[t] *= (double)((w / 2) * c); /* windows of a row */
    return ck_parallel_for_threads(n * (h / 2), CK_POOL_MIN_ROWS, threads);
}
