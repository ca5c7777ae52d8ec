/*
 * conv3x3_direct.c — driver of the direct 3x3 convolution: zero-padded copy of the input (so the
 * leaf needs no edge branches), optional weight flip for backward-data, then threads over
 * (image, output row, channel block) items; each item sweeps its row in tiles of ≤ max_t pixels.
 * Batches of at least max_t images use batch tiles instead (see CK_CONV3X3_ROW_MIN_WIDTH).
 * Why direct: no im2col matrix (9× the input) is written and read, and taps in padding rows are
 * skipped instead of multiplied by zeros.
 */
#include <string.h>
#include "conv3x3_direct.h"
#include "workspace.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

/* Two tilings share the leaf's register block (≤ max_t pixels × 32 output channels):
 *  - batch tiles: one pixel position in ≤ max_t images of a group-packed copy, every padding tap
 *    skipped. Used whenever the batch fills a tile: measured as fast as row tiles or faster on
 *    every VGG16 layer at batch 100 (on 2x2 / 4x4 images more than a third of all taps fall in
 *    the padding, and an 8-pixel row would make short tiles that reload all weights).
 *  - row tiles: ≤ max_t neighbouring pixels of one output row of a zero-padded copy. Used for
 *    small batches (T would be small) on images at least CK_CONV3X3_ROW_MIN_WIDTH wide.
 * Backward-weights has the same two variants; its batch variant transposes x and dy, which does
 * not pay for few input channels (VGG16's first layer, C = 3), so there rows are used too. */
#define CK_CONV3X3_ROW_MIN_WIDTH 16
#define CK_CONV3X3_BWDW_BATCH_MIN_CHANNELS 32

int ck_conv3x3_direct_eligible(const ck_conv2d_params *p, int64_t c_in, int64_t c_out) {
    const ck_conv_direct_kernels *d = &ck_active_kernels()->conv3x3;
    (void)c_in;
    return d->tile && p->r == 3 && p->s == 3 && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 1 &&
           p->pad_w == 1 && c_out % d->block_k == 0;
}

static int uses_row_tiles(const ck_conv2d_params *p) {
    return p->w >= CK_CONV3X3_ROW_MIN_WIDTH && p->n < ck_active_kernels()->conv3x3.max_t;
}

static int bwdw_uses_row_tiles(const ck_conv2d_params *p) {
    return p->w >= CK_CONV3X3_ROW_MIN_WIDTH &&
           (p->n < ck_active_kernels()->conv3x3.max_t || p->c < CK_CONV3X3_BWDW_BATCH_MIN_CHANNELS);
}

static int64_t image_groups(const ck_conv2d_params *p, int max_t) { return (p->n + max_t - 1) / max_t; }

/* Row-tile items per thread at least (ck_parallel_for's min_chunk). */
#define CK_CONV3X3_ROW_MIN_ITEMS 4

/* Chunk of the dynamic batch-tile loop: ~1/16 of the work per thread, so that each chunk is a
 * long run within one weight block, and a thread that shares its core with another process
 * takes fewer of them. */
static int64_t batch_tile_chunk(int64_t items, int threads) { return 1 + items / (16 * (int64_t)threads); }

/* Floats of the padded copy (row tiles) or of the group-packed copy (batch tiles) of the input. */
static int64_t padded_floats(const ck_conv2d_params *p, int64_t c_in, int rows) {
    const int max_t = ck_active_kernels()->conv3x3.max_t;
    return rows ? p->n * (p->h + 2) * (p->w + 2) * c_in : image_groups(p, max_t) * p->h * p->w * c_in * max_t;
}

size_t ck_conv3x3_direct_workspace(const ck_conv2d_params *p, int flip) {
    int64_t c_in = flip ? p->k : p->c;
    (void)flip; /* both passes pack the weights: same size */
    size_t bytes = ck_round64((size_t)padded_floats(p, c_in, uses_row_tiles(p)) * sizeof(float));
    bytes += ck_round64((size_t)(9 * p->c * p->k) * sizeof(float));
    return bytes + 64;
}

typedef struct direct_job {
    const ck_conv2d_params *p;
    const ck_conv_direct_kernels *d;
    int64_t c_in, c_out;
    const float *x;   /* (N,H,W,c_in) */
    float *xp;        /* row tiles: (N,H+2,W+2,c_in); batch tiles: (groups,H,W,c_in,max_t) */
    const float *w;   /* block-packed (c_out/32, 3, 3, c_in, 32) */
    const float *bias;
    float *y;         /* (N,H,W,c_out) */
    int64_t groups;   /* batch tiles: image groups of ≤ max_t images */
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

/* Row tiles: items are (image, output row, channel block). */
static void row_tile_items(void *ctx, int64_t begin, int64_t end) {
    const direct_job *j = ctx;
    const int64_t H = j->p->h, W = j->p->w, Ci = j->c_in, Co = j->c_out, Wp = W + 2;
    const int64_t kb_count = Co / j->d->block_k;
    const int64_t tiles = (W + j->d->max_t - 1) / j->d->max_t, base = W / tiles, extra = W % tiles;
    for (int64_t i = begin; i < end; ++i) {
        int64_t kb = i % kb_count, nh = i / kb_count, n = nh / H, h = nh % H;
        int r_lo = h == 0 ? 1 : 0, r_hi = h == H - 1 ? 2 : 3;
        int64_t k0 = kb * j->d->block_k;
        const float *xrow = j->xp + ((n * (H + 2) + h + r_lo) * Wp) * Ci;
        const int64_t bk = j->d->block_k;
        const float *wr = j->w + (kb * 9 + r_lo * 3) * Ci * bk;
        float *yrow = j->y + ((n * H + h) * W) * Co + k0;
        int64_t w0 = 0;
        for (int64_t t = 0; t < tiles; ++t) {
            int T = (int)(base + (t < extra ? 1 : 0));
            j->d->tile(T, xrow + w0 * Ci, Ci, Wp * Ci, Ci, wr, bk, r_hi - r_lo, 3,
                       j->bias ? j->bias + k0 : NULL, yrow + w0 * Co, Co);
            w0 += T;
        }
    }
}

/* Image g·… of balanced groups: group g starts at image *n0 and holds *T ≤ max_t images. */
static void group_span(int64_t n, int64_t groups, int64_t g, int64_t *n0, int *T) {
    int64_t base = n / groups, extra = n % groups;
    *n0 = g * base + (g < extra ? g : extra);
    *T = (int)(base + (g < extra ? 1 : 0));
}

/* Group-pack items (group, pixel): xp[g][pix][c][t] = x[n0 + t][pix][c]. */
static void pack_groups(void *ctx, int64_t begin, int64_t end) {
    const direct_job *j = ctx;
    const int64_t HW = j->p->h * j->p->w, C = j->c_in, M = j->d->max_t;
    for (int64_t i = begin; i < end; ++i) {
        int64_t g = i / HW, pix = i % HW, n0;
        int T;
        group_span(j->p->n, j->groups, g, &n0, &T);
        float *dst = j->xp + i * C * M;
        for (int t = 0; t < T; ++t) {
            const float *src = j->x + ((n0 + t) * HW + pix) * C;
            for (int64_t c = 0; c < C; ++c) dst[c * M + t] = src[c];
        }
    }
}

/* Batch tiles: items are (channel block, image group, output pixel), channel block outermost so
 * that each thread's contiguous share of items keeps one block of weights (9·C·32 floats) hot in
 * its L2 while it streams the images. */
static void batch_tile_items(void *ctx, int64_t begin, int64_t end) {
    const direct_job *j = ctx;
    const int64_t H = j->p->h, W = j->p->w, Ci = j->c_in, Co = j->c_out, M = j->d->max_t;
    const int64_t G = j->groups;
    for (int64_t i = begin; i < end; ++i) {
        int64_t pix = i % (H * W), rest = i / (H * W), g = rest % G, kb = rest / G, n0;
        int T;
        group_span(j->p->n, G, g, &n0, &T);
        int64_t h = pix / W, w = pix % W;
        int r_lo = h == 0 ? 1 : 0, r_hi = h == H - 1 ? 2 : 3;
        int s_lo = w == 0 ? 1 : 0, s_hi = w == W - 1 ? 2 : 3;
        int64_t k0 = kb * j->d->block_k;
        /* tap (r, s) of output pixel (h, w) reads input pixel (h + r − 1, w + s − 1) */
        const float *xs = j->xp + ((g * H + h + r_lo - 1) * W + w + s_lo - 1) * Ci * M;
        const int64_t bk = j->d->block_k;
        const float *ws = j->w + (kb * 9 + r_lo * 3 + s_lo) * Ci * bk;
        j->d->batch_tile(T, xs, Ci * M, W * Ci * M, Ci, ws, bk, r_hi - r_lo, s_hi - s_lo,
                         j->bias ? j->bias + k0 : NULL, j->y + ((n0 * H + h) * W + w) * Co + k0, H * W * Co);
    }
}

typedef struct pack_job {
    const float *w;   /* (3,3,C,K) */
    float *wb;        /* (c_out/bk, 3, 3, c_in, bk) */
    int64_t C, K, c_in, c_out, bk;
    int flip;
} pack_job;

/* Items (output block, tap). */
static void pack_weights(void *ctx, int64_t begin, int64_t end) {
    const pack_job *j = ctx;
    for (int64_t i = begin; i < end; ++i) {
        int64_t kb = i / 9, tap = i % 9;
        float *dst = j->wb + i * j->c_in * j->bk;
        if (!j->flip) {
            const float *src = j->w + tap * j->C * j->K + kb * j->bk; /* rows c, K apart */
            for (int64_t c = 0; c < j->c_in; ++c)
                memcpy(dst + c * j->bk, src + c * j->K, (size_t)j->bk * sizeof(float));
        } else {
            /* dst[k][c'] = w[2−r][2−s][kb·bk + c'][k]: input channel k of the flip is K's index */
            const float *src = j->w + (8 - tap) * j->C * j->K + kb * j->bk * j->K;
            for (int64_t c = 0; c < j->bk; ++c)
                for (int64_t k = 0; k < j->K; ++k) dst[k * j->bk + c] = src[c * j->K + k];
        }
    }
}

ck_status ck_conv3x3_direct(const ck_conv2d_params *p, int flip, const float *x, const float *w,
                            const float *bias, float *y, void *ws) {
    direct_job j = {p, &ck_active_kernels()->conv3x3, flip ? p->k : p->c, flip ? p->c : p->k,
                    x, ws, w, bias, y, 0};
    /* Weights packed per output block, wb[kb][r][s][ci][0..32): the rows of one block of the
     * (9·C, K) matrix are K floats apart, a multiple of 4 KiB for K = 512 (1 KiB for 256), so
     * they would crowd a few L2 sets and be refetched for every tile; packed, a block streams
     * contiguously and stays in L2. With flip, wb is built from w[2−r][2−s][c][k] with the roles
     * of c and k exchanged: dx = conv3x3(dy, flipped w) is the transposed convolution. */
    float *wb = (float *)ws + ck_round64((size_t)padded_floats(p, j.c_in, uses_row_tiles(p)) * sizeof(float)) / sizeof(float);
    j.w = wb;
    pack_job pj = {w, wb, p->c, p->k, j.c_in, j.c_out, j.d->block_k, flip};
    ck_parallel_for(9 * (j.c_out / j.d->block_k), 1, pack_weights, &pj);
    const int64_t kb_count = j.c_out / j.d->block_k;
    if (uses_row_tiles(p)) {
        ck_parallel_for(p->n * (p->h + 2), 8, pad_rows, &j);
        ck_parallel_for(p->n * p->h * kb_count, CK_CONV3X3_ROW_MIN_ITEMS, row_tile_items, &j);
    } else {
        j.groups = image_groups(p, j.d->max_t);
        ck_parallel_for(j.groups * p->h * p->w, 4, pack_groups, &j);
        const int64_t items = kb_count * j.groups * p->h * p->w;
        ck_parallel_for_dynamic(items, batch_tile_chunk(items, ck_get_num_threads()), batch_tile_items, &j);
    }
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

/* The dw tiles [t0, t1) of thread tid (tile = (output block, channel block, tap)). */
static void bwdw_tile_share(int64_t cblocks, int64_t kblocks, int tid, int nthreads, int64_t *t0, int64_t *t1) {
    ck_split_range(9 * cblocks * kblocks, 1, tid, nthreads, t0, t1);
}

static void bwdw_body(void *ctx, int tid, int nthreads) {
    const bwdw_job *j = ctx;
    const int64_t H = j->p->h, W = j->p->w, C = j->p->c, K = j->p->k, Wp = W + 2;
    int64_t t0, t1;
    bwdw_tile_share(j->cblocks, j->kblocks, tid, nthreads, &t0, &t1);
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
                j->d->bwdw_tile(ct, xs, C, dyrow + k0, K, W, j->dw + ((r * 3 + s) * C + c0) * K + k0, K);
            }
        }
    }
}

/* ---- backward-weights of narrow images: x and dy are transposed to pixel-major, channel-blocked
 * (HW, blocks, N, width), so that for one output pixel, tap and channel block the reduction runs
 * over all N images through contiguous memory (in NHWC the N samples of one pixel are H·W·C
 * floats apart, a multiple of 4 KiB that maps them all to one cache set). Threads take output
 * blocks of 32 channels; each accumulates its blocks in a packed dwb[kb][tap][c][32]
 * (L2-resident, unlike 4 KiB-aliased dw rows), sweeping input pixels so that one input pixel's
 * slice serves all (up to 9) taps that read it; padding taps are skipped. ---- */

typedef struct bwdw_batch_job {
    const ck_conv2d_params *p;
    const ck_conv_direct_kernels *d;
    const float *src;  /* pack: x or dy (N,HW,ch) */
    float *dst;        /* pack: (HW,N,ch) */
    int64_t ch, blocks;
    const float *xt;   /* (HW, C blocks, N, ≤ max_ct) */
    const float *dyt;  /* (HW, K/32, N, 32) */
    float *dwb;        /* (K/32, 9, C, 32) */
    float *dw;         /* (3,3,C,K) */
    float beta;
    int64_t cblocks;
    int64_t cgroups, tgroups; /* the work grid (bwdw_batch_grid) */
} bwdw_batch_job;

/* Channel block cb of `blocks` balanced blocks over ch channels: first channel and width. */
static void channel_block(int64_t ch, int64_t blocks, int64_t cb, int64_t *c0, int *ct) {
    *c0 = cb * (ch / blocks) + (cb < ch % blocks ? cb : ch % blocks);
    *ct = (int)(ch / blocks + (cb < ch % blocks ? 1 : 0));
}

/* dst[pix][block][n][0..width) = src[n][pix][block's channels]: each (pixel, block) run of N
 * samples is contiguous, so the leaf streams it sequentially. Items are pixels. */
static void transpose_pixels(void *ctx, int64_t begin, int64_t end) {
    const bwdw_batch_job *j = ctx;
    const int64_t N = j->p->n, HW = j->p->h * j->p->w, ch = j->ch;
    for (int64_t pix = begin; pix < end; ++pix)
        for (int64_t b = 0; b < j->blocks; ++b) {
            int64_t c0;
            int ct;
            channel_block(ch, j->blocks, b, &c0, &ct);
            float *dst = j->dst + pix * N * ch + c0 * N;
            for (int64_t n = 0; n < N; ++n)
                memcpy(dst + n * ct, j->src + (n * HW + pix) * ch + c0, (size_t)ct * sizeof(float));
        }
}

/* The batch variant's work grid: items (output block, channel-block group, tap group), each
 * accumulating and writing only its own dw entries, in the same pixel order whatever the grid,
 * so results do not depend on it. Refined only as far as the team needs (up to 8 items per
 * thread for the dynamic loop): whole output blocks when there are enough of them, then groups
 * of channel blocks (x slices are per channel block anyway; the dy slice is read once per
 * group), then, below 4 items per thread, rows of taps, then single taps. */
static void bwdw_batch_grid(int64_t kblocks, int64_t cblocks, int threads, int64_t *cgroups, int64_t *tgroups) {
    const int64_t want = 8 * (int64_t)(threads > 1 ? threads : 0), least = want / 2;
    int64_t cg = kblocks >= want ? 1 : (want + kblocks - 1) / kblocks;
    *cgroups = cg > cblocks ? cblocks : cg < 1 ? 1 : cg;
    /* tap groups re-read every x slice, measured 1.5-2x slower on conv2 at 2 threads: only
     * when channel groups give fewer than 4 items per thread */
    const int64_t items = kblocks * *cgroups;
    *tgroups = items >= least ? 1 : items * 3 >= least ? 3 : 9;
}

/* Item i of the grid: output block, channel blocks [*cb0, *cb1), taps [*tap0, *tap1). */
static void bwdw_batch_item(const bwdw_batch_job *j, int64_t i, int64_t *kb, int64_t *cb0, int64_t *cb1, int *tap0,
                            int *tap1) {
    const int64_t per_kb = j->cgroups * j->tgroups, cg = (i % per_kb) / j->tgroups, tg = i % j->tgroups;
    *kb = i / per_kb;
    *cb0 = cg * j->cblocks / j->cgroups;
    *cb1 = (cg + 1) * j->cblocks / j->cgroups;
    *tap0 = (int)(tg * 9 / j->tgroups);
    *tap1 = (int)((tg + 1) * 9 / j->tgroups);
}

/* First channel of channel block cb (C for cb == cblocks). */
static int64_t block_start(int64_t C, int64_t cblocks, int64_t cb) {
    int64_t c0;
    int ct;
    if (cb >= cblocks) return C;
    channel_block(C, cblocks, cb, &c0, &ct);
    return c0;
}

/* Items of the grid, taken dynamically (each writes only its own part of dw). */
static void bwdw_batch_items(void *ctx, int64_t i0, int64_t i1) {
    const bwdw_batch_job *j = ctx;
    const int64_t N = j->p->n, H = j->p->h, W = j->p->w, C = j->p->c, K = j->p->k, bk = j->d->block_k;
    for (int64_t i = i0; i < i1; ++i) {
        int64_t kb, cb0, cb1;
        int tap0, tap1;
        bwdw_batch_item(j, i, &kb, &cb0, &cb1, &tap0, &tap1);
        const int64_t c_lo = block_start(C, j->cblocks, cb0), c_hi = block_start(C, j->cblocks, cb1);
        float *blk = j->dwb + kb * 9 * C * bk; /* (9, C, 32) */
        for (int tap = tap0; tap < tap1; ++tap)
            memset(blk + (tap * C + c_lo) * bk, 0, (size_t)((c_hi - c_lo) * bk) * sizeof(float));
        for (int64_t hi = 0; hi < H; ++hi)
            for (int64_t wi = 0; wi < W; ++wi)
                for (int tap = tap0; tap < tap1; ++tap) {
                    /* input pixel (hi, wi) is tap (r, s) of output pixel (hi − r + 1, wi − s + 1) */
                    int64_t ho = hi - tap / 3 + 1, wo = wi - tap % 3 + 1;
                    if (ho < 0 || ho >= H || wo < 0 || wo >= W) continue;
                    const float *xs = j->xt + (hi * W + wi) * N * C;
                    const float *dys = j->dyt + (ho * W + wo) * N * K + kb * N * bk;
                    for (int64_t cb = cb0; cb < cb1; ++cb) {
                        int64_t c0;
                        int ct;
                        channel_block(C, j->cblocks, cb, &c0, &ct);
                        j->d->bwdw_tile(ct, xs + c0 * N, ct, dys, bk, N, blk + (tap * C + c0) * bk, bk);
                    }
                }
        /* dw[tap][c][kb·32 + 0..32) = blk[tap][c][0..32) + beta·dw */
        for (int tap = tap0; tap < tap1; ++tap)
            for (int64_t c = c_lo; c < c_hi; ++c) {
                float *d = j->dw + (tap * C + c) * K + kb * bk;
                const float *b = blk + (tap * C + c) * bk;
                for (int64_t e = 0; e < bk; ++e) d[e] = b[e] + (j->beta == 0.0f ? 0.0f : j->beta * d[e]);
            }
    }
}

static size_t bwdw_batch_workspace(const ck_conv2d_params *p) {
    const int64_t px = p->n * p->h * p->w;
    return ck_round64((size_t)(px * p->c) * sizeof(float)) + ck_round64((size_t)(px * p->k) * sizeof(float)) +
           ck_round64((size_t)(9 * p->c * p->k) * sizeof(float)) + 64;
}

static ck_status bwd_weights_batch(const ck_conv2d_params *p, const float *x, const float *dy, float beta,
                                   float *dw, void *ws) {
    const ck_conv_direct_kernels *d = &ck_active_kernels()->conv3x3;
    const int64_t px = p->n * p->h * p->w;
    float *xt = ws;
    float *dyt = xt + ck_round64((size_t)(px * p->c) * sizeof(float)) / sizeof(float);
    float *dwb = dyt + ck_round64((size_t)(px * p->k) * sizeof(float)) / sizeof(float);
    const int64_t cblocks = (p->c + d->max_ct - 1) / d->max_ct;
    bwdw_batch_job j = {p, d, x, xt, p->c, cblocks, xt, dyt, dwb, dw, beta, cblocks, 1, 1};
    ck_parallel_for(p->h * p->w, 1, transpose_pixels, &j);
    j.src = dy;
    j.dst = dyt;
    j.ch = p->k;
    j.blocks = p->k / d->block_k;
    ck_parallel_for(p->h * p->w, 1, transpose_pixels, &j);
    const int64_t kblocks = p->k / d->block_k;
    bwdw_batch_grid(kblocks, cblocks, ck_get_num_threads(), &j.cgroups, &j.tgroups);
    ck_parallel_for_dynamic(kblocks * j.cgroups * j.tgroups, 1, bwdw_batch_items, &j);
    return CK_OK;
}

size_t ck_conv3x3_direct_bwd_weights_workspace(const ck_conv2d_params *p) {
    return bwdw_uses_row_tiles(p) ? ck_round64((size_t)padded_floats(p, p->c, 1) * sizeof(float)) + 64
                                  : bwdw_batch_workspace(p);
}

int ck_conv3x3_direct_bwd_weights_eligible(const ck_conv2d_params *p) {
    return ck_conv3x3_direct_eligible(p, p->c, p->k);
}

ck_status ck_conv3x3_direct_bwd_weights(const ck_conv2d_params *p, const float *x, const float *dy,
                                        float beta, float *dw, void *ws) {
    if (!bwdw_uses_row_tiles(p)) return bwd_weights_batch(p, x, dy, beta, dw, ws);
    const int64_t count = 9 * p->c * p->k;
    for (int64_t i = 0; i < count; ++i) dw[i] = beta == 0.0f ? 0.0f : beta * dw[i];
    direct_job pj = {p, &ck_active_kernels()->conv3x3, p->c, p->k, x, ws, NULL, NULL, NULL, 0};
    ck_parallel_for(p->n * (p->h + 2), 8, pad_rows, &pj);
    bwdw_job j = {p, pj.d, ws, dy, dw, (p->c + pj.d->max_ct - 1) / pj.d->max_ct, p->k / pj.d->block_k};
    ck_parallel_run(0, bwdw_body, &j);
    return CK_OK;
}

/* ---- work-split report: the drivers' own splits, with work counted in multiply-adds ---- */

typedef struct split_ctx {
    const ck_conv2d_params *p;
    int64_t c_in, kb_count, groups, bk;
    int max_t;
} split_ctx;

/* Taps of a 3x3 window at output row h (padding rows skipped, as the leaves do). */
static int64_t row_taps(int64_t h, int64_t H) { return 3 - (h == 0) - (h == H - 1); }

static double row_item_cost(const void *ctx, int64_t i) {
    const split_ctx *c = ctx;
    int64_t h = (i / c->kb_count) % c->p->h;
    return (double)(c->p->w * 3 * row_taps(h, c->p->h) * c->c_in * c->bk);
}

static double batch_item_cost(const void *ctx, int64_t i) {
    const split_ctx *c = ctx;
    const int64_t H = c->p->h, W = c->p->w;
    int64_t pix = i % (H * W), g = (i / (H * W)) % c->groups, n0;
    int T;
    group_span(c->p->n, c->groups, g, &n0, &T);
    return (double)(T * row_taps(pix / W, H) * row_taps(pix % W, W) * c->c_in * c->bk);
}

/* Output pixels for which tap offset d (0…2) along a side of n pixels stays inside. */
static int64_t inside(int64_t n, int d) { int64_t v = n - (d == 1 ? 0 : 1); return v > 0 ? v : 0; }

static double bwdw_item_cost(const void *ctx, int64_t i) {
    const bwdw_batch_job *j = ctx;
    int64_t kb, cb0, cb1;
    int tap0, tap1;
    bwdw_batch_item(j, i, &kb, &cb0, &cb1, &tap0, &tap1);
    const int64_t channels = block_start(j->p->c, j->cblocks, cb1) - block_start(j->p->c, j->cblocks, cb0);
    int64_t pairs = 0;
    for (int tap = tap0; tap < tap1; ++tap) pairs += inside(j->p->h, tap / 3) * inside(j->p->w, tap % 3);
    return (double)(j->p->n * pairs * channels * j->d->block_k);
}

int ck_conv3x3_direct_work_split(const ck_conv2d_params *p, int pass, int threads, double *work) {
    const ck_conv_direct_kernels *d = &ck_active_kernels()->conv3x3;
    for (int t = 0; t < threads; ++t) work[t] = 0;
    if (pass != 2) {
        const int flip = pass == 1;
        split_ctx c = {p, flip ? p->k : p->c, (flip ? p->c : p->k) / d->block_k, 0, d->block_k, d->max_t};
        if (uses_row_tiles(p)) {
            const int64_t items = p->n * p->h * c.kb_count;
            ck_parallel_for_work(items, CK_CONV3X3_ROW_MIN_ITEMS, threads, row_item_cost, &c, work);
            return ck_parallel_for_threads(items, CK_CONV3X3_ROW_MIN_ITEMS, threads);
        }
        c.groups = image_groups(p, d->max_t);
        const int64_t items = c.kb_count * c.groups * p->h * p->w;
        ck_parallel_for_dynamic_work(items, batch_tile_chunk(items, threads), threads, batch_item_cost, &c, work);
        return threads;
    }
    split_ctx c = {p, p->c, p->k / d->block_k, 0, d->block_k, d->max_t};
    if (!bwdw_uses_row_tiles(p)) {
        bwdw_batch_job j = {.p = p, .d = d, .cblocks = (p->c + d->max_ct - 1) / d->max_ct};
        bwdw_batch_grid(c.kb_count, j.cblocks, threads, &j.cgroups, &j.tgroups);
        ck_parallel_for_dynamic_work(c.kb_count * j.cgroups * j.tgroups, 1, threads, bwdw_item_cost, &j, work);
        return threads;
    }
    const int64_t cblocks = (p->c + d->max_ct - 1) / d->max_ct, H = p->h;
    for (int t = 0; t < threads; ++t) {
        int64_t t0, t1;
        bwdw_tile_share(cblocks, c.kb_count, t, threads, &t0, &t1);
        for (int64_t tile = t0; tile < t1; ++tile) {
            int64_t rest = tile % (9 * cblocks), cb = rest / 9, r = (rest % 9) / 3;
            int64_t ct = p->c / cblocks + (cb < p->c % cblocks ? 1 : 0);
            int64_t rows = H - (r == 0 ? 1 : 0) - (r == 2 ? 1 : 0); /* rows whose tap row is inside */
            work[t] += (double)(p->n * rows * p->w * ct * d->block_k);
        }
    }
    return threads;
}
