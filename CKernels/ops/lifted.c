/*
 * lifted.c — lifted coordinate descent (ck_lifted.h): validation, and a parallel loop over the
 * examples of the batch. Each example's sweeps run on one thread through the active ISA's
 * single-threaded leaf, so the result does not depend on the thread count.
 */
#include <math.h>
#include "ck_lifted.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

typedef struct {
    const ck_lifted_layer *layers;
    int64_t count, sweeps;
    int clamped;
    float gamma;
    ck_lifted_layer_sweep_fn sweep;
} descent_ctx;

static void descend_examples(void *p, int64_t begin, int64_t end) {
    const descent_ctx *c = p;
    const ck_lifted_layer *L = c->layers;
    const int64_t out = c->count - 1, nout = L[out].units;
    for (int64_t e = begin; e < end; ++e) {
        for (int64_t s = 0; s < c->sweeps; ++s) {
            for (int64_t k = 0; k < out; ++k) {
                const int64_t n = L[k].units, m = L[k + 1].units;
                c->sweep(n, m, L[k].weights, L[k].row_norms, (int)L[k].set, c->gamma,
                         L[k].z + e * n, L[k].residual + e * n, L[k + 1].residual + e * m);
            }
            if (!c->clamped) {
                float *z = L[out].z + e * nout, *r = L[out].residual + e * nout;
                for (int64_t j = 0; j < nout; ++j) { z[j] -= r[j]; r[j] = 0.0f; }
            }
        }
    }
}

ck_status ck_lifted_coordinate_descent(int64_t batch, int64_t layer_count, const ck_lifted_layer *layers,
                                       int output_clamped, float gamma, int64_t sweeps) {
    if (batch < 0 || layer_count < 1 || sweeps < 0) return CK_ERR_BAD_DIMENSION;
    if (!layers) return CK_ERR_NULL_POINTER;
    if (!(gamma > 0.0f) || !isfinite(gamma)) return CK_ERR_BAD_ARGUMENT;
    for (int64_t k = 0; k < layer_count; ++k) {
        const ck_lifted_layer *l = &layers[k];
        if (l->units < 1) return CK_ERR_BAD_DIMENSION;
        if (l->set != CK_LIFTED_LINEAR && l->set != CK_LIFTED_NONNEGATIVE && l->set != CK_LIFTED_UNIT_INTERVAL)
            return CK_ERR_BAD_ARGUMENT;
        if (!l->z || !l->residual) return CK_ERR_NULL_POINTER;
        if (k < layer_count - 1 && (!l->weights || !l->row_norms)) return CK_ERR_NULL_POINTER;
    }
    if (batch == 0 || sweeps == 0) return CK_OK;
    descent_ctx c = {layers, layer_count, sweeps, output_clamped != 0, gamma,
                     ck_active_kernels()->lifted.layer_sweep};
    /* One example at a time from a shared counter: examples cost the same, but a core shared with
     * another process then does less of the batch instead of holding the other thread up. */
    ck_parallel_for_dynamic(batch, 1, descend_examples, &c);
    return CK_OK;
}
