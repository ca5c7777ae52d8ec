/*
 * pool_switch_update.c — the 2x2 max-pool switches of conv3x3(x_new) + b, found from those of
 * conv3x3(x_old) + b without the full convolution where a bound proves a window's winner holds.
 *
 * Why: DP/DP⊤'s weight gradient routes δ through the switches of conv(s̄). With
 * α ∉ {0, 1}, s̄ moves slightly away from the forward state, and recomputing the convolution
 * of every pooled block only to learn its switches is ~9% of a VGG16 DP⊤ step (perf). A window's
 * values move by at most |conv(Δ)| ≤ ‖w_k‖₁ · max|Δ| over its 4×4 input patch (Δ = x_new − x_old),
 * so a forward winner that leads the other three positions by more than twice that bound
 * stays the winner. Pass 1 marks the other (window, channel) pairs; pass 2 recomputes them in
 * float64, unless there are more than the caller's limit (then the caller's full convolution
 * is cheaper, and the switches are returned as given).
 *
 * ISA-neutral and threaded over rows of windows; each row writes its own switches.
 */
#include "ck_pool.h"
#include "../runtime/parallel.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct update_job {
    int64_t h, w, c, k, po, qo;
    const float *x_new, *x_old, *weight, *bias, *z_old;
    const double *w1;              /* ‖w[·,·,·,kk]‖₁ per output channel */
    uint8_t *sw;                   /* bit 7 marks a pair to recompute (between the passes) */
    _Atomic int64_t undecided;     /* pairs marked */
    _Atomic int failed;
} update_job;

/* conv3x3(x)+b at output pixel (y, x) and channel kk of one image, summed in float64. */
static double conv_at(const update_job *j, const float *img, int64_t y, int64_t x, int64_t kk) {
    double acc = j->bias[kk];
    for (int r = 0; r < 3; ++r) {
        int64_t yy = y + r - 1;
        if (yy < 0 || yy >= j->h) continue;
        for (int s = 0; s < 3; ++s) {
            int64_t xx = x + s - 1;
            if (xx < 0 || xx >= j->w) continue;
            const float *px = img + (yy * j->w + xx) * j->c;
            const float *wp = j->weight + (int64_t)(r * 3 + s) * j->c * j->k + kk;
            for (int64_t ci = 0; ci < j->c; ++ci) acc += (double)wp[ci * j->k] * (double)px[ci];
        }
    }
    return acc;
}

/* max over channels of |x_new − x_old| at each pixel of input row y (0 outside the image;
 * +inf where a difference is NaN, so that no window near a NaN counts as decided). */
static void row_change(const update_job *j, const float *xn, const float *xo, int64_t y, float *out) {
    enum { LANES = 16 };   /* independent maxima: no chain of dependent max operations */
    for (int64_t x = 0; x < j->w; ++x) {
        float m = 0.0f;
        if (y >= 0 && y < j->h) {
            const float *a = xn + (y * j->w + x) * j->c, *b = xo + (y * j->w + x) * j->c;
            float lane[LANES] = {0};
            int nan = 0;
            int64_t ci = 0;
            for (; ci + LANES <= j->c; ci += LANES)
                for (int l = 0; l < LANES; ++l) {
                    float d = fabsf(a[ci + l] - b[ci + l]);
                    nan |= d != d;
                    lane[l] = d > lane[l] ? d : lane[l];
                }
            for (; ci < j->c; ++ci) {
                float d = fabsf(a[ci] - b[ci]);
                nan |= d != d;
                lane[0] = d > lane[0] ? d : lane[0];
            }
            for (int l = 0; l < LANES; ++l) m = lane[l] > m ? lane[l] : m;
            if (nan) m = INFINITY;   /* as if each NaN difference were +inf */
        }
        out[x] = m;
    }
}

/* Pass 1: mark (bit 7) every (window, channel) whose recorded winner the change could move. */
static void classify_rows(void *ctx, int64_t begin, int64_t end) {
    update_job *j = ctx;
    float *change = malloc((size_t)(4 * j->w) * sizeof(float)); /* input rows 2p−1 … 2p+2 */
    if (!change) { atomic_store(&j->failed, 1); return; }
    int64_t undecided = 0;
    for (int64_t i = begin; i < end; ++i) {
        const int64_t img = i / j->po, p = i % j->po;
        const float *xn = j->x_new + img * j->h * j->w * j->c, *xo = j->x_old + img * j->h * j->w * j->c;
        /* the next row of windows in an image shares two input rows with this one */
        int first = 0;
        if (i > begin && p > 0) {
            for (int64_t x = 0; x < 2 * j->w; ++x) change[x] = change[2 * j->w + x];
            first = 2;
        }
        for (int r = first; r < 4; ++r) row_change(j, xn, xo, 2 * p - 1 + r, change + r * j->w);
        for (int64_t q = 0; q < j->qo; ++q) {
            float d = 0.0f;
            for (int r = 0; r < 4; ++r)
                for (int64_t x = q > 0 ? 2 * q - 1 : 0; x <= 2 * q + 2 && x < j->w; ++x)
                    d = change[r * j->w + x] > d ? change[r * j->w + x] : d;
            if (d == 0.0f) continue; /* the patch is unchanged: so are the four values */
            const float *z0 = j->z_old + ((img * j->h + 2 * p) * j->w + 2 * q) * j->k;
            const float *z[4] = {z0, z0 + j->k, z0 + j->w * j->k, z0 + (j->w + 1) * j->k};
            uint8_t *s = j->sw + (i * j->qo + q) * j->k;
            for (int64_t kk = 0; kk < j->k; ++kk) {
                const int win = s[kk] & 3;
                const double margin = 2.0 * j->w1[kk] * (double)d;
                int decided = 1;
                for (int e = 0; e < 4; ++e)
                    if (e != win && !((double)z[win][kk] - (double)z[e][kk] > margin)) decided = 0;
                if (!decided) { s[kk] = (uint8_t)(win | 0x80); ++undecided; }
            }
        }
    }
    free(change);
    atomic_fetch_add(&j->undecided, undecided);
}

/* Pass 2: recompute the marked pairs from x_new (float64), the forward's tie rule. */
static void recompute_rows(void *ctx, int64_t begin, int64_t end) {
    const update_job *j = ctx;
    for (int64_t i = begin; i < end; ++i) {
        const int64_t img = i / j->po, p = i % j->po;
        const float *xn = j->x_new + img * j->h * j->w * j->c;
        for (int64_t q = 0; q < j->qo; ++q) {
            uint8_t *s = j->sw + (i * j->qo + q) * j->k;
            for (int64_t kk = 0; kk < j->k; ++kk) {
                if (!(s[kk] & 0x80)) continue;
                double v[4];
                for (int e = 0; e < 4; ++e) v[e] = conv_at(j, xn, 2 * p + (e >> 1), 2 * q + (e & 1), kk);
                int best = 0; /* the first maximum wins; a NaN never wins after position 0 */
                for (int e = 1; e < 4; ++e)
                    if (v[e] > v[best]) best = e;
                s[kk] = (uint8_t)best;
            }
        }
    }
}

ck_status ck_conv3x3_pool_switches_update(int64_t n, int64_t h, int64_t w, int64_t c, int64_t k,
                                          const float *x_new, const float *x_old, const float *weight,
                                          const float *bias, const float *z_old, uint8_t *switches,
                                          int64_t max_recompute, int64_t *undecided) {
    if (n < 0 || h < 0 || w < 0 || c < 0 || k < 0) return CK_ERR_BAD_DIMENSION;
    if (!undecided) return CK_ERR_NULL_POINTER;
    *undecided = 0;
    const int64_t po = h / 2, qo = w / 2;
    if (n == 0 || po == 0 || qo == 0 || k == 0) return CK_OK;
    if (!x_new || !x_old || !weight || !bias || !z_old || !switches) return CK_ERR_NULL_POINTER;
    const int64_t pairs = n * po * qo * k;
    for (int64_t t = 0; t < pairs; ++t)
        if (switches[t] > 3) return CK_ERR_BAD_ARGUMENT;
    double *w1 = calloc((size_t)k, sizeof(double));
    if (!w1) return CK_ERR_OUT_OF_MEMORY;
    for (int64_t t = 0; t < 9 * c; ++t)
        for (int64_t kk = 0; kk < k; ++kk) w1[kk] += fabs((double)weight[t * k + kk]);
    update_job j = {h, w, c, k, po, qo, x_new, x_old, weight, bias, z_old, w1, switches, 0, 0};
    ck_parallel_for(n * po, 1, classify_rows, &j);
    free(w1);
    *undecided = atomic_load(&j.undecided);
    if (atomic_load(&j.failed) || *undecided > max_recompute) {
        for (int64_t t = 0; t < pairs; ++t) switches[t] &= 3; /* as given */
        return atomic_load(&j.failed) ? CK_ERR_OUT_OF_MEMORY : CK_OK;
    }
    if (*undecided > 0) ck_parallel_for(n * po, 1, recompute_rows, &j);
    return CK_OK;
}
