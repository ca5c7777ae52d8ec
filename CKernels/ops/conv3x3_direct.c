/*
 * conv3x3_direct.c — driver of the direct 3x3 convolution: zero-padded copy of the input (so the
 * leaf needs no edge branches), optional weight flip for backward-data, then threads over
 * (image, output row, channel block) items; each item sweeps its row in tiles of ≤ max_t pixels.
 * Why direct: no im2col matrix (9× the input) is written and read, and taps in padding rows are
 * skipped instead of multiplied by zeros.
 */
#include <string.h>
#include "conv3x3_direct.h"
#include "workspace.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

/* Narrower images give one short tile per row that reloads all weights from L2 for few pixels:
 * measured slower than im2col+SGEMM (which batches the whole chunk into one GEMM) at W = 8. */
#define CK_CONV3X3_MIN_WIDTH 16

int ck_conv3x3_direct_eligible(const ck_conv2d_params *p, int64_t c_in, int64_t c_out) {
    const ck_conv_direct_kernels *d = &ck_active_kernels()->conv3x3;
    (void)c_in;
    return d->tile && p->r == 3 && p->s == 3 && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 1 &&
           p->pad_w == 1 && c_out % d->block_k == 0 && p->w >= CK_CONV3X3_MIN_WIDTH;
}

static int64_t padded_floats(const ck_conv2d_params *p, int64_t c_in) { return p->n * (p->h + 2) * (p->w + 2) * c_in; }

size_t ck_conv3x3_direct_workspace(const ck_conv2d_params *p, int flip) {
    int64_t c_in = flip ? p->k : p->c;
    size_t bytes = ck_round64((size_t)padded_floats(p, c_in) * sizeof(float));
    if (flip) bytes += ck_round64((size_t)(9 * p->c * p->k) * sizeof(float));
    return bytes + 64;
}

typedef struct direct_job {
    const ck_conv2d_params *p;
    const ck_conv_direct_kernels *d;
    int64_t c_in, c_out;
    const float *x;   /* (N,H,W,c_in) */
    float *xp;        /* (N,H+2,W+2,c_in) */
    const float *w;   /* (3,3,c_in,c_out) */
    const float *bias;
    float *y;         /* (N,H,W,c_out) */
} direct_job;

static void pad_rows(void *ctx, int64_t begin, int64_t end) {
    const direct_job *j = ctx;
    const int64_t H = j->p->h, W = j->p->w, C = j->c_in, row = (W + 2) * C;
    for (int64_t i = begin; i < end; ++i) {
        int64_t n = i / (H + 2), hp = i % (H + 2);
        float *dst = j->xp + i * row;
        if (hp == 0 || hp == H + 1) { memset(dst, 0, (size_t)row * sizeof(float)); continue; }
        memset(dst, 0, (size_t)C * sizeof(float));
        memcpy(dst + C, j->x + ((n * H + hp - 1) * W) * C, (size_t)(W * C) * sizeof(float));
        memset(dst + (W + 1) * C, 0, (size_t)C * sizeof(float));
    }
}

static void compute_items(void *ctx, int64_t begin, int64_t end) {
    const direct_job *j = ctx;
    const int64_t H = j->p->h, W = j->p->w, Ci = j->c_in, Co = j->c_out, Wp = W + 2;
    const int64_t kb_count = Co / j->d->block_k;
    const int64_t tiles = (W + j->d->max_t - 1) / j->d->max_t, base = W / tiles, extra = W % tiles;
    for (int64_t i = begin; i < end; ++i) {
        int64_t kb = i % kb_count, nh = i / kb_count, n = nh / H, h = nh % H;
        int r_lo = h == 0 ? 1 : 0, r_hi = h == H - 1 ? 2 : 3;
        int64_t k0 = kb * j->d->block_k;
        const float *xrow = j->xp + ((n * (H + 2) + h + r_lo) * Wp) * Ci;
        const float *wr = j->w + (r_lo * 3) * Ci * Co + k0;
        float *yrow = j->y + ((n * H + h) * W) * Co + k0;
        int64_t w0 = 0;
        for (int64_t t = 0; t < tiles; ++t) {
            int T = (int)(base + (t < extra ? 1 : 0));
            j->d->tile(T, xrow + w0 * Ci, Wp, Ci, wr, Co, r_hi - r_lo, j->bias ? j->bias + k0 : NULL,
                       yrow + w0 * Co);
            w0 += T;
        }
    }
}

ck_status ck_conv3x3_direct(const ck_conv2d_params *p, int flip, const float *x, const float *w,
                            const float *bias, float *y, void *ws) {
    direct_job j = {p, &ck_active_kernels()->conv3x3, flip ? p->k : p->c, flip ? p->c : p->k,
                    x, ws, w, bias, y};
    if (flip) {
        /* wf[r][s][k][c] = w[2−r][2−s][c][k]: dx = conv3x3(dy, wf) is the transposed convolution */
        float *wf = (float *)ws + ck_round64((size_t)padded_floats(p, j.c_in) * sizeof(float)) / sizeof(float);
        const int64_t C = p->c, K = p->k;
        for (int r = 0; r < 3; ++r)
            for (int s = 0; s < 3; ++s)
                for (int64_t k = 0; k < K; ++k)
                    for (int64_t c = 0; c < C; ++c)
                        wf[((r * 3 + s) * K + k) * C + c] = w[(((2 - r) * 3 + (2 - s)) * C + c) * K + k];
        j.w = wf;
    }
    ck_parallel_for(p->n * (p->h + 2), 8, pad_rows, &j);
    ck_parallel_for(p->n * p->h * (j.c_out / j.d->block_k), 4, compute_items, &j);
    return CK_OK;
}

/* ---- backward-weights: threads own disjoint (tap, channel block, output block) tiles of dw and
 * sweep every pixel row for them, so no reduction between threads is needed ---- */

typedef struct bwdw_job {
    const ck_conv2d_params *p;
    const ck_conv_direct_kernels *d;
    const float *xp;   /* (N,H+2,W+2,C) */
    const float *dy;   /* (N,H,W,K) */
    float *dw;         /* (3,3,C,K) */
    int64_t cblocks, kblocks;
} bwdw_job;

static void bwdw_body(void *ctx, int tid, int nthreads) {
    const bwdw_job *j = ctx;
    const int64_t H = j->p->h, W = j->p->w, C = j->p->c, K = j->p->k, Wp = W + 2;
    const int64_t tiles = 9 * j->cblocks * j->kblocks;
    int64_t t0, t1;
    ck_split_range(tiles, 1, tid, nthreads, &t0, &t1);
    for (int64_t n = 0; n < j->p->n; ++n) {
        for (int64_t h = 0; h < H; ++h) {
            const float *dyrow = j->dy + ((n * H + h) * W) * K;
            for (int64_t t = t0; t < t1; ++t) {
                /* tile order: output block outermost, so a thread's tiles share dy columns */
                int64_t kb = t / (9 * j->cblocks), rest = t % (9 * j->cblocks);
                int64_t cb = rest / 9, tap = rest % 9, r = tap / 3, s = tap % 3;
                if (h + r == 0 || h + r == H + 1) continue; /* tap row in the zero padding */
                /* balanced channel blocks (64 = 6 × 11/10, not 5 × 12 + 4): no short, slow last block */
                int64_t c0 = cb * (C / j->cblocks) + (cb < C % j->cblocks ? cb : C % j->cblocks);
                int ct = (int)(C / j->cblocks + (cb < C % j->cblocks ? 1 : 0));
                int64_t k0 = kb * j->d->block_k;
                const float *xs = j->xp + ((n * (H + 2) + h + r) * Wp + s) * C + c0;
                j->d->bwdw_tile(ct, xs, C, dyrow + k0, K, W, j->dw + ((r * 3 + s) * C + c0) * K + k0);
            }
        }
    }
}

ck_status ck_conv3x3_direct_bwd_weights(const ck_conv2d_params *p, const float *x, const float *dy,
                                        float beta, float *dw, void *ws) {
    const int64_t count = 9 * p->c * p->k;
    for (int64_t i = 0; i < count; ++i) dw[i] = beta == 0.0f ? 0.0f : beta * dw[i];
    direct_job pj = {p, &ck_active_kernels()->conv3x3, p->c, p->k, x, ws, NULL, NULL, NULL};
    ck_parallel_for(p->n * (p->h + 2), 8, pad_rows, &pj);
    bwdw_job j = {p, pj.d, ws, dy, dw, (p->c + pj.d->max_ct - 1) / pj.d->max_ct, p->k / pj.d->block_k};
    ck_parallel_run(0, bwdw_body, &j);
    return CK_OK;
}
