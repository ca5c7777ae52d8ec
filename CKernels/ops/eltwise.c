/*
 * eltwise.c — drivers of the element-wise and optimizer kernels: validation, then the active
 * leaf over contiguous chunks on all threads (chunks are multiples of 64 elements, so every
 * thread but the last runs full vectors).
 */
#include <math.h>
#include "ck_eltwise.h"
#include "ck_optim.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

/* Below this many elements a parallel region costs more than it saves. */
#define CK_ELTWISE_MIN_CHUNK 16384

typedef struct elt_job {
    const ck_eltwise_kernels *k;
    int op;
    int64_t cols;
    float a, b, c, d, e, f;
    const float *x, *y_in;
    float *y, *z, *u;
} elt_job;

enum { OP_RELU_FWD, OP_RELU_BWD, OP_BIAS, OP_AXPY, OP_SGD, OP_ADAM };

static void elt_range(void *ctx, int64_t b, int64_t e) {
    const elt_job *j = ctx;
    int64_t n = e - b;
    switch (j->op) {
    case OP_RELU_FWD: j->k->relu_fwd(n, j->x + b, j->y + b); break;
    case OP_RELU_BWD: j->k->relu_bwd(n, j->x + b, j->y_in + b, j->y + b); break;
    case OP_BIAS: j->k->bias_add(n, j->cols, j->x, j->y + b * j->cols); break; /* b, e are rows */
    case OP_AXPY: j->k->axpy(n, j->a, j->x + b, j->y + b); break;
    case OP_SGD: j->k->sgd(n, j->a, j->b, j->c, j->y + b, j->x + b, j->z + b); break;
    case OP_ADAM:
        j->k->adam(n, j->a, j->b, j->c, j->d, j->e, j->f, j->y + b, j->x + b, j->z + b, j->u + b);
        break;
    }
}

/* n elements (64-aligned chunks, as the header promises) or, for OP_BIAS, n rows. */
static void run(elt_job *j, int64_t n, int64_t min_chunk) {
    j->k = &ck_active_kernels()->eltwise;
    ck_parallel_for_aligned(n, min_chunk, j->op == OP_BIAS ? 1 : 64, elt_range, j);
}

ck_status ck_relu_fwd(int64_t n, const float *x, float *y) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n == 0) return CK_OK;
    if (!x || !y) return CK_ERR_NULL_POINTER;
    elt_job j = {.op = OP_RELU_FWD, .x = x, .y = y};
    run(&j, n, CK_ELTWISE_MIN_CHUNK);
    return CK_OK;
}

ck_status ck_relu_bwd(int64_t n, const float *x, const float *dy, float *dx) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n == 0) return CK_OK;
    if (!x || !dy || !dx) return CK_ERR_NULL_POINTER;
    elt_job j = {.op = OP_RELU_BWD, .x = x, .y_in = dy, .y = dx};
    run(&j, n, CK_ELTWISE_MIN_CHUNK);
    return CK_OK;
}

ck_status ck_bias_add(int64_t rows, int64_t cols, const float *bias, float *y) {
    if (rows < 0 || cols < 0) return CK_ERR_BAD_DIMENSION;
    if (rows == 0 || cols == 0) return CK_OK;
    if (!bias || !y) return CK_ERR_NULL_POINTER;
    elt_job j = {.op = OP_BIAS, .cols = cols, .x = bias, .y = y};
    int64_t min_rows = CK_ELTWISE_MIN_CHUNK / cols;
    run(&j, rows, min_rows > 0 ? min_rows : 1);
    return CK_OK;
}

ck_status ck_axpy(int64_t n, float a, const float *x, float *y) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n == 0) return CK_OK;
    if (!x || !y) return CK_ERR_NULL_POINTER;
    elt_job j = {.op = OP_AXPY, .a = a, .x = x, .y = y};
    run(&j, n, CK_ELTWISE_MIN_CHUNK);
    return CK_OK;
}

ck_status ck_sgd_momentum_step(int64_t n, float lr, float momentum, float weight_decay,
                               float *w, const float *g, float *v) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (n == 0) return CK_OK;
    if (!w || !g || !v) return CK_ERR_NULL_POINTER;
    elt_job j = {.op = OP_SGD, .a = lr, .b = momentum, .c = weight_decay, .x = g, .y = w, .z = v};
    run(&j, n, CK_ELTWISE_MIN_CHUNK);
    return CK_OK;
}

ck_status ck_adam_step(int64_t n, float lr, float beta1, float beta2, float eps,
                       float weight_decay, int64_t t, float *w, const float *g, float *m, float *v) {
    if (n < 0) return CK_ERR_BAD_DIMENSION;
    if (t < 1) return CK_ERR_BAD_ARGUMENT;
    if (n == 0) return CK_OK;
    if (!w || !g || !m || !v) return CK_ERR_NULL_POINTER;
    double bc1 = 1.0 - pow((double)beta1, (double)t), bc2 = 1.0 - pow((double)beta2, (double)t);
    elt_job j = {.op = OP_ADAM, .a = (float)(lr / bc1), .b = beta1, .c = beta2, .d = eps,
                 .e = (float)(1.0 / bc2), .f = weight_decay, .x = g, .y = w, .z = m, .u = v};
    run(&j, n, CK_ELTWISE_MIN_CHUNK);
    return CK_OK;
}
