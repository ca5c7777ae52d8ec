/*
 * conv3x3_winograd.c — driver of the Winograd F(2x2, 3x3) convolution (3x3, stride 1, pad 1).
 *
 * Each 2x2 output tile needs 16 transform-domain products per (input, output) channel pair
 * instead of 36 multiplications: with V = Bᵀ d B (input patch), U = G g Gᵀ (filter),
 *   M[ξ] (tiles × c_out) = V[ξ] (tiles × c_in) · U[ξ] (c_in × c_out)   for the 16 positions ξ,
 * and the output tile is Aᵀ M A (ops/winograd_kernels.h).
 *  1. U is computed once per call and packed as the GEMM micro-kernel's B panels
 *     (position, nr-column panel, c_in, nr), so the GEMMs never repack it.
 *  2. Tiles (n, tile row, tile column), flattened, are cut into blocks of `tb` tiles sized so a
 *     block's V and M (16·tb·(c_in + c_out) floats) stay in L2. For each block a thread:
 *     transforms the inputs into V (leaf), runs the 16 GEMMs on the active micro-kernel
 *     (packing V[ξ] as A panels), and transforms M into the output, adding the bias (leaf).
 *  3. Threads take blocks from a shared counter: every block writes only its own tiles and its
 *     arithmetic does not depend on the thread, so results are bitwise the same for any thread
 *     count (and for more threads than blocks, which simply find no work).
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

int ck_conv3x3_winograd_eligible(const ck_conv2d_params *p) {
    return p->r == 3 && p->s == 3 && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 1 && p->pad_w == 1;
}

/* Geometry of one Winograd call. */
typedef struct wino_plan {
    int64_t c_in, c_out;
    int64_t th, tw, tiles;      /* tile rows/columns per image, tiles in the batch */
    int64_t tb, tb_pad, blocks; /* tiles per block (tb_pad: rounded up to mr), block count */
    int64_t kpanels;            /* nr-column panels of c_out */
    int64_t u_floats, zero_floats, thread_floats;
    int nthreads;
} wino_plan;

static int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }
static int64_t floats64(int64_t n) { return (int64_t)(ck_round64((size_t)n * sizeof(float)) / sizeof(float)); }

static wino_plan make_plan(const ck_conv2d_params *p, int flip) {
    const ck_gemm_kernels *g = &ck_active_kernels()->gemm;
    wino_plan pl;
    pl.c_in = flip ? p->k : p->c;
    pl.c_out = flip ? p->c : p->k;
    pl.th = (p->h + 1) / 2;
    pl.tw = (p->w + 1) / 2;
    pl.tiles = p->n * pl.th * pl.tw;
    int64_t tb = CK_WINO_BLOCK_FLOATS / (16 * (pl.c_in + pl.c_out));
    tb = tb / g->mr * g->mr;
    if (tb < g->mr) tb = g->mr;
    if (tb > CK_WINO_MAX_TB) tb = CK_WINO_MAX_TB;
    if (tb > pl.tiles) tb = pl.tiles; /* small problems: one block */
    if (tb < 1) tb = 1;
    pl.tb = tb;
    pl.tb_pad = round_up(tb, g->mr);
    pl.blocks = (pl.tiles + tb - 1) / tb;
    pl.kpanels = (pl.c_out + g->nr - 1) / g->nr;
    pl.u_floats = floats64(16 * pl.kpanels * pl.c_in * g->nr);
    pl.zero_floats = floats64(pl.c_in);
    /* per thread: V (16, tb, c_in), packed A (tb_pad, c_in), M (16, tb, c_out), a scratch row */
    pl.thread_floats = floats64(16 * tb * pl.c_in) + floats64(pl.tb_pad * pl.c_in) +
                       floats64(16 * tb * pl.c_out) + floats64(pl.c_out);
    pl.nthreads = ck_get_num_threads();
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
    float *up;       /* (16, kpanels, c_in, nr) */
    int64_t C, K, c_in, c_out, kpanels;
    int nr, flip;
} filter_job;

/* Items are input channels ci: row ci of every (position, panel) block. */
static void filter_rows(void *ctx, int64_t begin, int64_t end) {
    const filter_job *j = ctx;
    const int64_t nr = j->nr, panel = j->c_in * nr;
    for (int64_t ci = begin; ci < end; ++ci) {
        for (int64_t co = 0; co < j->kpanels * nr; ++co) {
            float u[16] = {0};
            if (co < j->c_out) {
                float g[9];
                for (int t = 0; t < 9; ++t) /* forward: w[t][ci][co]; flipped: w[8−t][co][ci] */
                    g[t] = j->flip ? j->w[((8 - t) * j->C + co) * j->K + ci] : j->w[(t * j->C + ci) * j->K + co];
                ck_winograd_filter_2x2(g, u);
            }
            const int64_t jb = co / nr, col = co % nr;
            for (int xi = 0; xi < 16; ++xi) j->up[(xi * j->kpanels + jb) * panel + ci * nr + col] = u[xi];
        }
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
    *h0 = 2 * (r / pl->tw);
    *w0 = 2 * (r % pl->tw);
}

static void run_block(const wino_job *j, int64_t blk, float *v, float *apack, float *m, float *scratch) {
    const ck_conv2d_params *p = j->p;
    const wino_plan *pl = &j->pl;
    const ck_gemm_kernels *g = &j->t->gemm;
    const int64_t H = p->h, W = p->w, ci = pl->c_in, co = pl->c_out, tb = pl->tb;
    const int64_t t0 = blk * tb, cnt = pl->tiles - t0 < tb ? pl->tiles - t0 : tb;

    /* 1. input transform: V[ξ][i][c] */
    for (int64_t i = 0; i < cnt; ++i) {
        int64_t n, h0, w0;
        tile_origin(pl, t0 + i, &n, &h0, &w0);
        const float *px[16];
        for (int a = 0; a < 4; ++a)
            for (int b = 0; b < 4; ++b) {
                int64_t h = h0 - 1 + a, w = w0 - 1 + b;
                px[4 * a + b] = h >= 0 && h < H && w >= 0 && w < W ? j->x + ((n * H + h) * W + w) * ci : j->zero;
            }
        j->t->winograd.input(ci, px, v + i * ci, tb * ci);
    }

    /* 2. the 16 GEMMs M[ξ] (cnt × co) = V[ξ] (cnt × ci) · U[ξ] (ci × co) */
    const ck_gemm_prefetch no_prefetch = {j->zero, 0, 0};
    const int mr = g->mr, nr = g->nr;
    for (int xi = 0; xi < 16; ++xi) {
        const float *vx = v + xi * tb * ci;
        int64_t done = 0;
        if (g->pack_a_rows)
            for (; done + mr <= cnt; done += mr) g->pack_a_rows(ci, vx + done * ci, ci, apack + done * ci);
        if (done < cnt) ck_gemm_pack_a(cnt - done, ci, vx + done * ci, ci, 1, mr, apack + done * ci);
        float *mx = m + xi * tb * co;
        for (int64_t jb = 0; jb < pl->kpanels; ++jb) {
            const float *bp = j->up + (xi * pl->kpanels + jb) * ci * nr;
            const int n_eff = (int)(co - jb * nr < nr ? co - jb * nr : nr);
            for (int64_t ir = 0; ir < cnt; ir += mr) {
                const int m_eff = (int)(cnt - ir < mr ? cnt - ir : mr);
                g->ukernel(ci, 1.0f, apack + ir * ci, bp, 0.0f, mx + ir * co + jb * nr, co, m_eff, n_eff,
                           &no_prefetch);
            }
        }
    }

    /* 3. output transform (+ bias) into the 2x2 output pixels */
    for (int64_t i = 0; i < cnt; ++i) {
        int64_t n, h0, w0;
        tile_origin(pl, t0 + i, &n, &h0, &w0);
        float *ys[4], *zs[4];
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) {
                int64_t h = h0 + a, w = w0 + b, off = ((n * H + h) * W + w) * co;
                int inside = h < H && w < W;
                ys[2 * a + b] = inside ? j->y + off : scratch;
                zs[2 * a + b] = inside && j->pre ? j->pre + off : scratch;
            }
        j->t->winograd.output(co, m + i * co, tb * co, j->bias, j->relu, ys, j->pre ? zs : NULL);
    }
}

static void block_body(void *ctx, int tid, int nthreads) {
    wino_job *j = ctx;
    (void)nthreads;
    const wino_plan *pl = &j->pl;
    float *v = j->thread_ws + tid * pl->thread_floats;
    float *apack = v + floats64(16 * pl->tb * pl->c_in);
    float *m = apack + floats64(pl->tb_pad * pl->c_in);
    float *scratch = m + floats64(16 * pl->tb * pl->c_out);
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
    filter_job fj = {w, up, p->c, p->k, j.pl.c_in, j.pl.c_out, j.pl.kpanels, t->gemm.nr, flip};
    ck_parallel_for(j.pl.c_in, 4, filter_rows, &fj);
    atomic_store(&j.next_block, 0);
    int threads = j.pl.nthreads;
    if (threads > j.pl.blocks) threads = (int)j.pl.blocks;
    ck_parallel_run(threads, block_body, &j);
    return CK_OK;
}
