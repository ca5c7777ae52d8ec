/*
 * conv3x3_winograd.c — driver of the Winograd convolutions F(2x2, 3x3) and F(4x4, 3x3)
 * (3x3, stride 1, pad 1), one code path for both output tile sizes m (input patch α = m + 2).
 *
 * Each m×m output tile needs α² transform-domain products per (input, output) channel pair
 * (16 per 2x2 tile, 36 per 4x4 tile) instead of 9·m² multiplications: with V = Bᵀ d B (input
 * patch), U = G g Gᵀ (filter),
 *   M[ξ] (tiles × c_out) = V[ξ] (tiles × c_in) · U[ξ] (c_in × c_out)   for the α² positions ξ,
 * and the output tile is Aᵀ M A (ops/winograd_kernels.h).
 *  1. U is computed once per call (filters transformed 64 at a time, vectorised) and packed as
 *     the GEMM micro-kernel's B panels (position, nr-column panel, c_in, nr), so the GEMMs never
 *     repack it.
 *  2. Tiles (n, tile row, tile column), flattened, are cut into blocks of `tb` tiles, normally
 *     sized so a block's V and M (α²·tb·(c_in + c_out) floats) stay in L2; where U is too big
 *     to stay in cache between blocks, in blocks of up to 96 tiles (V and M in L3) so each U
 *     panel is read once for many tiles. For each block a thread: transforms the inputs into V
 *     (leaf), runs the α² GEMMs on the active micro-kernel (packing V[ξ] as A panels), and
 *     transforms M into the output with the bias and epilogue (leaf).
 *  3. Threads take blocks from a shared counter: every block writes only its own tiles and its
 *     arithmetic depends neither on the thread nor on the block size (a tile's GEMM rows are
 *     summed in the same order wherever they sit), so results are bitwise the same for any
 *     thread count (and for more threads than blocks, which simply find no work).
 */
#include <stdatomic.h>
#include <string.h>
#include "conv3x3_winograd.h"
#include "gemm_pack.h"
#include "workspace.h"
#include "winograd_kernels.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

/* Floats one tile block may use for V and M together (768 KiB: most of a 1 MiB L2). */
#define CK_WINO_BLOCK_FLOATS ((int64_t)192 << 10)
#define CK_WINO_MAX_TB 256
/* Transformed filters larger than this (16 MiB, half the L3) no longer stay in cache between
 * blocks: such layers (4x4 images with 256–512 channels) take blocks of up to CK_WINO_BIG_TB
 * tiles instead (measured: F(4x4) on 4x4/512 channels 1.2× faster than with L2-sized blocks). */
#define CK_WINO_BIG_U_FLOATS ((int64_t)4 << 20)
#define CK_WINO_BIG_TB 96

int ck_conv3x3_winograd_eligible(const ck_conv2d_params *p) {
    return p->r == 3 && p->s == 3 && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 1 && p->pad_w == 1;
}

/* Geometry of one Winograd call. */
typedef struct wino_plan {
    int m, alpha, npos;         /* output tile side (2 or 4), input patch side m + 2, positions alpha² */
    int64_t c_in, c_out;
    int64_t th, tw, tiles;      /* tile rows/columns per image, tiles in the batch */
    int64_t tb, tb_pad, blocks; /* tiles per block (tb_pad: rounded up to mr), block count */
    int64_t kpanels;            /* nr-column panels of c_out */
    int64_t pos_stride;         /* floats from U[ξ] to U[ξ + 1]: kpanels panels and 64 bytes, so
                                   the npos rows the filter transform writes at once do not all
                                   fall in one L1 set (a multiple of 4 KiB apart, they did) */
    int64_t u_floats, zero_floats, thread_floats;
    int nthreads;               /* threads that get a block: min(team, blocks) */
} wino_plan;

static int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }
static int64_t floats64(int64_t n) { return (int64_t)(ck_round64((size_t)n * sizeof(float)) / sizeof(float)); }

static wino_plan make_plan(const ck_conv2d_params *p, int flip) {
    const ck_gemm_kernels *g = &ck_active_kernels()->gemm;
    wino_plan pl;
    pl.m = ck_conv3x3_winograd_tile(p, flip ? CK_CONV2D_BWD_DATA : CK_CONV2D_FWD);
    pl.alpha = pl.m + 2;
    pl.npos = pl.alpha * pl.alpha;
    pl.c_in = flip ? p->k : p->c;
    pl.c_out = flip ? p->c : p->k;
    pl.th = (p->h + pl.m - 1) / pl.m;
    pl.tw = (p->w + pl.m - 1) / pl.m;
    pl.tiles = p->n * pl.th * pl.tw;
    pl.nthreads = ck_get_num_threads();
    int64_t tb = CK_WINO_BLOCK_FLOATS / (pl.npos * (pl.c_in + pl.c_out));
    if (pl.npos * pl.c_in * pl.c_out > CK_WINO_BIG_U_FLOATS) {
        /* U is re-read from memory once per block: take blocks of up to CK_WINO_BIG_TB tiles
         * (V and M then live in L3; the packed A of one position stays ≤ 256 KiB), as many
         * blocks as a multiple of the team so the threads finish together. */
        int64_t big = ((int64_t)64 << 10) / pl.c_in;
        if (big > CK_WINO_BIG_TB) big = CK_WINO_BIG_TB;
        int64_t blocks = (pl.tiles + big - 1) / big;
        blocks = (blocks + pl.nthreads - 1) / pl.nthreads * pl.nthreads;
        int64_t even = round_up((pl.tiles + blocks - 1) / blocks, g->mr);
        if (even > tb) tb = even;
    }
    tb = tb / g->mr * g->mr;
    if (tb < g->mr) tb = g->mr;
    if (tb > CK_WINO_MAX_TB) tb = CK_WINO_MAX_TB;
    if (tb > pl.tiles) tb = pl.tiles; /* small problems: one block */
    if (tb < 1) tb = 1;
    pl.tb = tb;
    pl.tb_pad = round_up(tb, g->mr);
    pl.blocks = (pl.tiles + tb - 1) / tb;
    pl.kpanels = (pl.c_out + g->nr - 1) / g->nr;
    if (pl.nthreads > pl.blocks) pl.nthreads = (int)pl.blocks; /* the others would find no block */
    pl.pos_stride = pl.kpanels * pl.c_in * g->nr + 16;
    pl.u_floats = floats64(pl.npos * pl.pos_stride);
    pl.zero_floats = floats64(pl.c_in);
    /* per thread: V (npos, tb, c_in), packed A (tb_pad, c_in), M (npos, tb, c_out), a scratch row */
    pl.thread_floats = floats64(pl.npos * tb * pl.c_in) + floats64(pl.tb_pad * pl.c_in) +
                       floats64(pl.npos * tb * pl.c_out) + floats64(pl.c_out);
    return pl;
}

size_t ck_conv3x3_winograd_workspace(const ck_conv2d_params *p, int flip) {
    if (!ck_conv3x3_winograd_eligible(p) || p->n < 1) return 0;
    wino_plan pl = make_plan(p, flip);
    return (size_t)(pl.u_floats + pl.zero_floats + pl.nthreads * pl.thread_floats) * sizeof(float) + 64;
}

/* ---- filter transform: U for every (c_in, c_out) pair, packed as B panels ---- */

typedef struct filter_job {
    const float *w;  /* (3,3,C,K) */
    float *up;       /* (npos, kpanels, c_in, nr) */
    int64_t C, K, c_in, c_out, kpanels, pos_stride;
    int nr, flip, m, npos;
} filter_job;

#define CK_WINO_FILTER_CHUNK 64

/* Items are input channels ci. Panel by panel (so the stores run along npos streams, not
 * npos · kpanels), the taps of ≤ CK_WINO_FILTER_CHUNK output channels are gathered and
 * transformed together (vectorised), then copied into row ci of the panels. */
static void filter_rows(void *ctx, int64_t begin, int64_t end) {
    const filter_job *j = ctx;
    const int64_t nr = j->nr, panel = j->c_in * nr, pos_stride = j->pos_stride;
    float g[9 * CK_WINO_FILTER_CHUNK], u[36 * CK_WINO_FILTER_CHUNK];
    for (int64_t jb = 0; jb < j->kpanels; ++jb)
        for (int64_t ci = begin; ci < end; ++ci)
            for (int64_t c0 = 0; c0 < nr; c0 += CK_WINO_FILTER_CHUNK) {
                const int64_t cnt = nr - c0 < CK_WINO_FILTER_CHUNK ? nr - c0 : CK_WINO_FILTER_CHUNK;
                const int64_t first = jb * nr + c0; /* output channel of column 0 */
                const int64_t real = j->c_out - first < cnt ? (j->c_out - first > 0 ? j->c_out - first : 0) : cnt;
                for (int t = 0; t < 9; ++t) { /* forward: w[t][ci][co]; flipped: w[8−t][co][ci]; 0 past c_out */
                    float *gt = g + t * CK_WINO_FILTER_CHUNK;
                    if (j->flip) {
                        const float *src = j->w + ((8 - t) * j->C + first) * j->K + ci;
                        for (int64_t f = 0; f < real; ++f) gt[f] = src[f * j->K];
                    } else {
                        memcpy(gt, j->w + (t * j->C + ci) * j->K + first, (size_t)real * sizeof(float));
                    }
                    for (int64_t f = real; f < cnt; ++f) gt[f] = 0.0f;
                }
                if (j->m == 4) ck_winograd_filter_rows_4x4(cnt, g, CK_WINO_FILTER_CHUNK, u, CK_WINO_FILTER_CHUNK);
                else ck_winograd_filter_rows_2x2(cnt, g, CK_WINO_FILTER_CHUNK, u, CK_WINO_FILTER_CHUNK);
                float *dst = j->up + jb * panel + ci * nr + c0;
                for (int xi = 0; xi < j->npos; ++xi)
                    memcpy(dst + xi * pos_stride, u + xi * CK_WINO_FILTER_CHUNK, (size_t)cnt * sizeof(float));
            }
}

/* ---- tile blocks ---- */

typedef struct wino_job {
    const ck_conv2d_params *p;
    const ck_kernel_table *t;
    wino_plan pl;
    const float *x;    /* (N,H,W,c_in) */
    const float *up;   /* packed U */
    const float *zero; /* c_in zeros */
    const float *bias;
    int relu;          /* epilogue: y = max(conv + bias, 0) */
    float *y;          /* (N,H,W,c_out) */
    float *pre;        /* epilogue: conv + bias, or NULL */
    float *thread_ws;  /* nthreads × thread_floats */
    _Atomic int64_t next_block;
} wino_job;

/* Tile `tile` (flattened n, tile row, tile column) → image and top-left output pixel. */
static void tile_origin(const wino_plan *pl, int64_t tile, int64_t *n, int64_t *h0, int64_t *w0) {
    int64_t per_image = pl->th * pl->tw, r = tile % per_image;
    *n = tile / per_image;
    *h0 = pl->m * (r / pl->tw);
    *w0 = pl->m * (r % pl->tw);
}

static void run_block(const wino_job *j, int64_t blk, float *v, float *apack, float *mm, float *scratch) {
    const ck_conv2d_params *p = j->p;
    const wino_plan *pl = &j->pl;
    const ck_gemm_kernels *g = &j->t->gemm;
    const int m = pl->m, alpha = pl->alpha, npos = pl->npos;
    const int64_t H = p->h, W = p->w, ci = pl->c_in, co = pl->c_out, tb = pl->tb;
    const int64_t t0 = blk * tb, cnt = pl->tiles - t0 < tb ? pl->tiles - t0 : tb;
    /* the leaves of this tile size (the 2x2 and 4x4 pointer types are the same C type) */
    const ck_winograd_input_fn input = m == 4 ? j->t->winograd_4x4.input : j->t->winograd.input;
    const ck_winograd_output_fn output = m == 4 ? j->t->winograd_4x4.output : j->t->winograd.output;

    /* 1. input transform: V[ξ][i][c] */
    for (int64_t i = 0; i < cnt; ++i) {
        int64_t n, h0, w0;
        tile_origin(pl, t0 + i, &n, &h0, &w0);
        const float *px[36];
        for (int a = 0; a < alpha; ++a)
            for (int b = 0; b < alpha; ++b) {
                int64_t h = h0 - 1 + a, w = w0 - 1 + b;
                px[alpha * a + b] = h >= 0 && h < H && w >= 0 && w < W ? j->x + ((n * H + h) * W + w) * ci : j->zero;
            }
        input(ci, px, v + i * ci, tb * ci);
    }

    /* 2. the npos GEMMs M[ξ] (cnt × co) = V[ξ] (cnt × ci) · U[ξ] (ci × co) */
    const ck_gemm_prefetch no_prefetch = {j->zero, 0, 0};
    const int mr = g->mr, nr = g->nr;
    for (int xi = 0; xi < npos; ++xi) {
        const float *vx = v + xi * tb * ci;
        int64_t done = 0;
        if (g->pack_a_rows)
            for (; done + mr <= cnt; done += mr) g->pack_a_rows(ci, vx + done * ci, ci, apack + done * ci);
        if (done < cnt) ck_gemm_pack_a(cnt - done, ci, vx + done * ci, ci, 1, mr, apack + done * ci);
        float *mx = mm + xi * tb * co;
        for (int64_t jb = 0; jb < pl->kpanels; ++jb) {
            const float *bp = j->up + xi * pl->pos_stride + jb * ci * nr;
            const int n_eff = (int)(co - jb * nr < nr ? co - jb * nr : nr);
            for (int64_t ir = 0; ir < cnt; ir += mr) {
                const int m_eff = (int)(cnt - ir < mr ? cnt - ir : mr);
                g->ukernel(ci, 1.0f, apack + ir * ci, bp, 0.0f, mx + ir * co + jb * nr, co, m_eff, n_eff,
                           &no_prefetch);
            }
        }
    }

    /* 3. output transform (+ bias, epilogue) into the m×m output pixels */
    for (int64_t i = 0; i < cnt; ++i) {
        int64_t n, h0, w0;
        tile_origin(pl, t0 + i, &n, &h0, &w0);
        float *ys[16], *zs[16];
        for (int a = 0; a < m; ++a)
            for (int b = 0; b < m; ++b) {
                int64_t h = h0 + a, w = w0 + b, off = ((n * H + h) * W + w) * co;
                int inside = h < H && w < W;
                ys[m * a + b] = inside ? j->y + off : scratch;
                zs[m * a + b] = inside && j->pre ? j->pre + off : scratch;
            }
        output(co, mm + i * co, tb * co, j->bias, j->relu, ys, j->pre ? zs : NULL);
    }
}

static void block_body(void *ctx, int tid, int nthreads) {
    wino_job *j = ctx;
    (void)nthreads;
    const wino_plan *pl = &j->pl;
    float *v = j->thread_ws + tid * pl->thread_floats;
    float *apack = v + floats64(pl->npos * pl->tb * pl->c_in);
    float *m = apack + floats64(pl->tb_pad * pl->c_in);
    float *scratch = m + floats64(pl->npos * pl->tb * pl->c_out);
    for (;;) {
        int64_t blk = atomic_fetch_add(&j->next_block, 1);
        if (blk >= pl->blocks) return;
        run_block(j, blk, v, apack, m, scratch);
    }
}

ck_status ck_conv3x3_winograd(const ck_conv2d_params *p, int flip, const float *x, const float *w,
                              const float *bias, int relu, float *pre, float *y, void *ws) {
    const ck_kernel_table *t = ck_active_kernels();
    wino_job j = {.p = p, .t = t, .pl = make_plan(p, flip), .x = x, .bias = bias, .relu = relu, .y = y, .pre = pre};
    float *base = ws;
    float *up = base, *zero = up + j.pl.u_floats;
    j.up = up;
    j.zero = zero;
    j.thread_ws = zero + j.pl.zero_floats;
    memset(zero, 0, (size_t)j.pl.c_in * sizeof(float));
    filter_job fj = {w, up, p->c, p->k, j.pl.c_in, j.pl.c_out, j.pl.kpanels, j.pl.pos_stride, t->gemm.nr, flip, j.pl.m, j.pl.npos};
    ck_parallel_for(j.pl.c_in, 4, filter_rows, &fj);
    atomic_store(&j.next_block, 0);
    ck_parallel_run(j.pl.nthreads, block_body, &j);
    return CK_OK;
}
