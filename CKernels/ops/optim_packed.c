/*
 * optim_packed.c — the SGD-with-momentum update of a whole parameter store in one threaded
 * pass: the parameters and the momentum are each one buffer holding every tensor at an offset
 * that is a multiple of 64 elements; each tensor's gradient may lie anywhere.
 *
 * Why the leaf is called per tensor piece and not over the whole buffer: the SIMD leaf runs full
 * vectors and then a scalar tail, and the two need not round alike (the tail may contract
 * `w − lr·v` into one FMA where the vector code rounds the product first). A thread range
 * starts at a multiple of 64 elements and a tensor starts at one too, so every leaf call here
 * starts 64-aligned within its tensor and ends at a 64-aligned point or at the tensor's end,
 * exactly as ck_sgd_momentum_step's chunks do when it is called on that tensor alone: every
 * element gets the same arithmetic, bitwise, whatever the thread count.
 */
#include "ck_optim.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

/* Below this many elements a parallel region costs more than it saves (as in eltwise.c). */
#define CK_PACKED_MIN_CHUNK 16384

typedef struct packed_sgd_job {
    const ck_eltwise_kernels *k;
    int64_t tensors;
    const int64_t *offsets, *counts;
    float lr, momentum, weight_decay;
    float *w, *v;
    const float *const *g;
} packed_sgd_job;

/* The first tensor that ends after element `at` (offsets are increasing). */
static int64_t first_tensor_ending_after(const packed_sgd_job *j, int64_t at) {
    int64_t lo = 0, hi = j->tensors;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (j->offsets[mid] + j->counts[mid] <= at) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static void packed_sgd_range(void *ctx, int64_t b, int64_t e) {
    const packed_sgd_job *j = ctx;
    for (int64_t t = first_tensor_ending_after(j, b); t < j->tensors && j->offsets[t] < e; ++t) {
        int64_t start = j->offsets[t] > b ? j->offsets[t] : b;
        int64_t end = j->offsets[t] + j->counts[t] < e ? j->offsets[t] + j->counts[t] : e;
        if (end <= start) continue; /* an empty tensor, or padding */
        j->k->sgd(end - start, j->lr, j->momentum, j->weight_decay, j->w + start,
                  j->g[t] + (start - j->offsets[t]), j->v + start);
    }
}

ck_status ck_sgd_momentum_step_packed(int64_t tensors, const int64_t *offsets, const int64_t *counts,
                                      float lr, float momentum, float weight_decay,
                                      float *w, const float *const *g, float *v) {
    if (tensors < 0) return CK_ERR_BAD_DIMENSION;
    if (tensors == 0) return CK_OK;
    if (!offsets || !counts || !w || !g || !v) return CK_ERR_NULL_POINTER;
    int64_t end = 0;
    for (int64_t t = 0; t < tensors; ++t) {
        if (counts[t] < 0 || offsets[t] < end || offsets[t] % 64 != 0) return CK_ERR_BAD_DIMENSION;
        if (counts[t] > 0 && !g[t]) return CK_ERR_NULL_POINTER;
        end = offsets[t] + counts[t];
    }
    packed_sgd_job j = {.k = &ck_active_kernels()->eltwise, .tensors = tensors, .offsets = offsets,
                        .counts = counts, .lr = lr, .momentum = momentum, .weight_decay = weight_decay,
                        .w = w, .v = v, .g = g};
    ck_parallel_for_aligned(end, CK_PACKED_MIN_CHUNK, 64, packed_sgd_range, &j);
    return CK_OK;
}
