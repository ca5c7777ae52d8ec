/*
 * lifted_kernels.h — leaf contract of lifted coordinate descent (internal; see ck_lifted.h).
 */
#ifndef CK_LIFTED_KERNELS_H
#define CK_LIFTED_KERNELS_H
#include <stdint.h>
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/* One pass over the n units of a hidden layer for one example, units in order:
 * z (n), residual (n) and above (m, the residual of the layer above) are that example's rows;
 * w (n, m) row-major, row_norm (n). `set` is a ck_lifted_set. A unit whose new value equals the
 * old one leaves residual and above untouched. Single-threaded; never allocates. */
typedef void (*ck_lifted_layer_sweep_fn)(int64_t n, int64_t m, const float *w, const float *row_norm,
                                         int set, float gamma, float *z, float *residual, float *above);

/* The same pass for `lanes` examples at once, one per SIMD lane: z, residual (n, lanes) and above
 * (m, lanes) are lane-interleaved ("transposed") tiles, element [j][l] at j·lanes + l. Each lane's
 * arithmetic is that lane's alone (unused lanes hold zeros and stay zero), so an example's result
 * does not depend on which other examples share its tile. A unit with d = 0 in some lanes still
 * subtracts 0·w from those lanes of `above` (a no-op up to the sign of a zero). */
typedef void (*ck_lifted_lanes_sweep_fn)(int64_t n, int64_t m, const float *w, const float *row_norm,
                                         int set, float gamma, float *z, float *residual, float *above);

typedef struct ck_lifted_kernels {
    const char *name;
    ck_lifted_layer_sweep_fn layer_sweep;
    int lanes;                            /* examples per tile of lanes_sweep; 0: per example only */
    ck_lifted_lanes_sweep_fn lanes_sweep; /* NULL when lanes == 0 */
} ck_lifted_kernels;

/* The projection onto C (ck_lifted_set): shared by every leaf so they agree exactly. */
static inline float ck_lifted_project(int set, float t) {
    if (set == 1) return t > 0.0f ? t : 0.0f;
    if (set == 2) return t > 0.0f ? (t < 1.0f ? t : 1.0f) : 0.0f;
    return t;
}

void ck_lifted_layer_sweep_ref(int64_t n, int64_t m, const float *w, const float *row_norm,
                               int set, float gamma, float *z, float *residual, float *above);
void ck_lifted_layer_sweep_avx2(int64_t n, int64_t m, const float *w, const float *row_norm,
                                int set, float gamma, float *z, float *residual, float *above);
void ck_lifted_layer_sweep_avx512(int64_t n, int64_t m, const float *w, const float *row_norm,
                                  int set, float gamma, float *z, float *residual, float *above);
void ck_lifted_lanes_sweep_avx2(int64_t n, int64_t m, const float *w, const float *row_norm,
                                int set, float gamma, float *z, float *residual, float *above);
void ck_lifted_lanes_sweep_avx512(int64_t n, int64_t m, const float *w, const float *row_norm,
                                  int set, float gamma, float *z, float *residual, float *above);
#pragma GCC visibility pop
#endif
