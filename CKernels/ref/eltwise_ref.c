/*
 * eltwise_ref.c — scalar element-wise leaves (ReLU, bias, axpy, column sums, optimizer steps):
 * the fallback and the oracle of the SIMD leaves.
 */
#include <math.h>
#include "ref_leaves.h"

void ck_relu_fwd_ref(int64_t n, const float *x, float *y) {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void ck_relu_bwd_ref(int64_t n, const float *x, const float *dy, float *dx) {
    for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

void ck_bias_add_ref(int64_t rows, int64_t cols, const float *b, float *y) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) y[r * cols + j] += b[j];
}

void ck_axpy_ref(int64_t n, float a, const float *x, float *y) {
    for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

void ck_col_sum_acc_ref(int64_t rows, int64_t cols, const float *x, float *acc) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) acc[j] += x[r * cols + j];
}

void ck_sgd_ref(int64_t n, float lr, float momentum, float wd, float *w, const float *g, float *v) {
    for (int64_t i = 0; i < n; ++i) {
        float gi = g[i] + wd * w[i];
        float vi = momentum * v[i] + gi;
        v[i] = vi;
        w[i] -= lr * vi;
    }
}

void ck_adam_ref(int64_t n, float step_size, float beta1, float beta2, float eps, float inv_bc2,
                 float wd, float *w, const float *g, float *m, float *v) {
    for (int64_t i = 0; i < n; ++i) {
        float gi = g[i] + wd * w[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= step_size * mi / (sqrtf(vi * inv_bc2) + eps);
    }
}
