/*
 * optim_packed.c — the SGD-with-momentum and Adam updates of a whole parameter store in one
 * threaded pass: the parameters and the optimizer state are each one buffer holding every tensor
 * at an offset that is a multiple of 64 elements; each tensor's gradient may lie anywhere.
 *
 * Why the leaf is called per tensor piece and not over the whole buffer: the SIMD leaf runs full
 * vectors and then a scalar tail, and the two need not round alike (the tail may contract
 * `w − lr·v` into one FMA where the vector code rounds the product first). A thread range
 * starts at a multiple of 64 elements and a tensor starts at one too, so every leaf call here
 * starts 64-aligned within its tensor and ends at a 64-aligned point or at the tensor's end,
 * exactly as ck_sgd_momentum_step's (ck_adam_step's) chunks do when it is called on that tensor alone: every
 * element gets the same arithmetic, bitwise, whatever the thread count.
 */
#include <math.h>
#include "ck_optim.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

/* Below this many elements a parallel region costs more than it saves (as in eltwise.c). */
#define CK_PACKED_MIN_CHUNK 16384

typedef struct packed_job {
    const ck_eltwise_kernels *k;
    int adam;
    int64_t tensors;
    const int64_t *offsets, *counts;
    /* SGD: lr, momentum, weight decay. Adam: step size lr/(1−β1ᵗ), β1, β2, ε, 1/(1−β2ᵗ), weight decay. */
    float a, b, c, d, e, f;
    float *w, *m, *v; /* m: SGD's velocity or Adam's first moment; v: Adam's second moment */
    const float *const *g;
} packed_job;

/* The first tensor that ends after element `at` (offsets are increasing). */
static int64_t first_tensor_ending_after(const packed_job *j, int64_t at) {
    int64_t lo = 0, hi = j->tensors;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (j->offsets[mid] + j->counts[mid] <= at) lo = mid + 1; else hi = mid;
    }
    return lo;
}

static void packed_range(void *ctx, int64_t b, int64_t e) {
    const packed_job *j = ctx;
    for (int64_t t = first_tensor_ending_after(j, b); t < j->tensors && j->offsets[t] < e; ++t) {
        int64_t start = j->offsets[t] > b ? j->offsets[t] : b;
        int64_t end = j->offsets[t] + j->counts[t] < e ? j->offsets[t] + j->counts[t] : e;
        if (end <= start) continue; /* an empty tensor, or padding */
        const float *g = j->g[t] + (start - j->offsets[t]);
        if (j->adam)
            j->k->adam(end - start, j->a, j->b, j->c, j->d, j->e, j->f, j->w + start, g, j->m + start, j->v + start);
        else
            j->k->sgd(end - start, j->a, j->b, j->c, j->w + start, g, j->m + start);
    }
}

/* The layout rules of the header: increasing 64-aligned offsets, no overlap, a gradient for
 * every non-empty tensor. The element count of the whole span goes to *span. */
static ck_status check_layout(int64_t tensors, const int64_t *offsets, const int64_t *counts,
                              const float *const *g, int64_t *span) {
    int64_t end = 0;
    for (int64_t t = 0; t < tensors; ++t) {
        if (counts[t] < 0 || offsets[t] < end || offsets[t] % 64 != 0) return CK_ERR_BAD_DIMENSION;
        if (counts[t] > 0 && !g[t]) return CK_ERR_NULL_POINTER;
        end = offsets[t] + counts[t];
    }
    *span = end;
    return CK_OK;
}

ck_status ck_sgd_momentum_step_packed(int64_t tensors, const int64_t *offsets, const int64_t *counts,
                                      float lr, float momentum, float weight_decay,
                                      float *w, const float *const *g, float *v) {
    if (tensors < 0) return CK_ERR_BAD_DIMENSION;
    if (tensors == 0) return CK_OK;
    if (!offsets || !counts || !w || !g || !v) return CK_ERR_NULL_POINTER;
    int64_t span = 0;
    ck_status st = check_layout(tensors, offsets, counts, g, &span);
    if (st != CK_OK) return st;
    packed_job j = {.k = &ck_active_kernels()->eltwise, .adam = 0, .tensors = tensors, .offsets = offsets,
                    .counts = counts, .a = lr, .b = momentum, .c = weight_decay, .w = w, .m = v, .g = g};
    ck_parallel_for_aligned(span, CK_PACKED_MIN_CHUNK, 64, packed_range, &j);
    return CK_OK;
}

ck_status ck_adam_step_packed(int64_t tensors, const int64_t *offsets, const int64_t *counts, float lr,
                              float beta1, float beta2, float eps, float weight_decay, int64_t t,
                              float *w, const float *const *g, float *m, float *v) {
    if (tensors < 0) return CK_ERR_BAD_DIMENSION;
    if (t < 1) return CK_ERR_BAD_ARGUMENT;
    if (tensors == 0) return CK_OK;
    if (!offsets || !counts || !w || !g || !m || !v) return CK_ERR_NULL_POINTER;
    int64_t span = 0;
    ck_status st = check_layout(tensors, offsets, counts, g, &span);
    if (st != CK_OK) return st;
    /* the bias corrections exactly as ck_adam_step computes them */
    double bc1 = 1.0 - pow((double)beta1, (double)t), bc2 = 1.0 - pow((double)beta2, (double)t);
    packed_job j = {.k = &ck_active_kernels()->eltwise, .adam = 1, .tensors = tensors, .offsets = offsets,
                    .counts = counts, .a = (float)(lr / bc1), .b = beta1, .c = beta2, .d = eps,
                    .e = (float)(1.0 / bc2), .f = weight_decay, .w = w, .m = m, .v = v, .g = g};
    ck_parallel_for_aligned(span, CK_PACKED_MIN_CHUNK, 64, packed_range, &j);
    return CK_OK;
}
