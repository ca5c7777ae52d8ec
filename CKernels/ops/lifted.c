/*
 * lifted.c — lifted coordinate descent (ck_lifted.h): validation, and a parallel loop over the
 * examples of the batch. Each example's sweeps run on one thread through the active ISA's
 * single-threaded leaf, so the result does not depend on the thread count.
 *
 * A unit update depends on the one before it, so one example's sweep is a chain of short dot
 * products bound by latency. Where the ISA has a lanes leaf, the driver instead runs tiles of
 * `lanes` examples side by side: it copies their rows into lane-interleaved tiles, sweeps, and
 * copies back. An example's arithmetic is the same whichever tile it lands in.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "ck_lifted.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

typedef struct {
    const ck_lifted_layer *layers;
    int64_t count, sweeps;
    int clamped;
    float gamma;
    ck_lifted_layer_sweep_fn sweep;
    int lanes;
    ck_lifted_lanes_sweep_fn lanes_sweep;
    int64_t batch;
    atomic_int out_of_memory;
} descent_ctx;

/* Tiles [begin, end) of `lanes` examples each: z and λ of every layer, lane-interleaved. */
static void descend_tiles(void *p, int64_t begin, int64_t end) {
    descent_ctx *c = p;
    const ck_lifted_layer *L = c->layers;
    const int64_t out = c->count - 1, lanes = c->lanes;
    int64_t total = 0;
    for (int64_t k = 0; k < c->count; ++k) total += L[k].units;
    float *tile = calloc((size_t)(2 * total * lanes), sizeof(float));
    float **zt = malloc((size_t)(2 * c->count) * sizeof(float *));
    if (!tile || !zt) { free(tile); free(zt); atomic_store(&c->out_of_memory, 1); return; }
    float **rt = zt + c->count;
    for (int64_t t = begin; t < end; ++t) {
        const int64_t e0 = t * lanes, active = c->batch - e0 < lanes ? c->batch - e0 : lanes;
        float *next = tile;
        for (int64_t k = 0; k < c->count; ++k) {
            const int64_t n = L[k].units;
            zt[k] = next; rt[k] = next + n * lanes; next += 2 * n * lanes;
            for (int64_t l = 0; l < lanes; ++l) {
                for (int64_t j = 0; j < n; ++j) {
                    zt[k][j * lanes + l] = l < active ? L[k].z[(e0 + l) * n + j] : 0.0f;
                    rt[k][j * lanes + l] = l < active ? L[k].residual[(e0 + l) * n + j] : 0.0f;
                }
            }
        }
        for (int64_t s = 0; s < c->sweeps; ++s) {
            for (int64_t k = 0; k < out; ++k)
                c->lanes_sweep(L[k].units, L[k + 1].units, L[k].weights, L[k].row_norms, (int)L[k].set, c->gamma,
                               zt[k], rt[k], rt[k + 1]);
            if (!c->clamped)
                for (int64_t i = 0; i < L[out].units * lanes; ++i) { zt[out][i] -= rt[out][i]; rt[out][i] = 0.0f; }
        }
        for (int64_t k = 0; k < c->count; ++k) {
            const int64_t n = L[k].units;
            for (int64_t l = 0; l < active; ++l) {
                for (int64_t j = 0; j < n; ++j) {
                    L[k].z[(e0 + l) * n + j] = zt[k][j * lanes + l];
                    L[k].residual[(e0 + l) * n + j] = rt[k][j * lanes + l];
                }
            }
        }
    }
    free(tile);
    free(zt);
}

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
    const ck_lifted_kernels *kernels = &ck_active_kernels()->lifted;
    descent_ctx c = {layers, layer_count, sweeps, output_clamped != 0, gamma,
                     kernels->layer_sweep, kernels->lanes, kernels->lanes_sweep, batch, 0};
    /* One example (or tile) at a time from a shared counter: they cost the same, but a core shared
     * with another process then does less of the batch instead of holding the other thread up. */
    if (c.lanes > 0 && c.lanes_sweep) {
        ck_parallel_for_dynamic((batch + c.lanes - 1) / c.lanes, 1, descend_tiles, &c);
        if (atomic_load(&c.out_of_memory)) return CK_ERR_OUT_OF_MEMORY;
    } else {
        ck_parallel_for_dynamic(batch, 1, descend_examples, &c);
    }
    return CK_OK;
}
