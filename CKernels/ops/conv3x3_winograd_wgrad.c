/*
 * conv3x3_winograd_wgrad.c — driver of the Winograd F(2x2, 3x3) backward-weights pass
 * (3x3, stride 1, pad 1).
 *
 * The gradient of the forward y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A with respect to the filter g is
 *   dg = Gᵀ M G,   M[ξ] (C × K) = Σ_tiles V[ξ][tile][c] · U[ξ][tile][k]
 * with V = Bᵀ d B (the forward's input transform of the tile's 4x4 patch) and U = A dy Aᵀ (the
 * tile's 2x2 output gradient; outputs past an odd image's edge count as 0). So per position ξ,
 * M[ξ] is a GEMM whose reduction runs over the tiles: 16 multiplications per tile and channel
 * pair instead of direct's 36 (fewer padding taps).
 *  1. Tiles (n, tile row, tile column), flattened, are cut into `blocks` blocks of ≤ tb tiles,
 *     taken in increasing order. For each block the team
 *     a. transforms the block's tiles (items: chunks of tiles; leaves) straight into the SGEMM
 *        micro-kernel's panel layouts: V[ξ] as A panels (C in mr-row panels, tile = reduction
 *        index) and U[ξ] as B panels (K in nr-column panels);
 *     b. after a barrier, accumulates M[ξ] += V[ξ]ᵀ · U[ξ] on the active micro-kernel (items:
 *        (ξ, K panel, group of C panels); the first block overwrites M, beta = 0);
 *     c. meets a barrier before the next block overwrites V and U.
 *  2. dw = Gᵀ M G (+ beta·dw), threads over input channels (leaf).
 * Threads take items from shared counters (a thread whose core is taken by another process does
 * fewer), but every element of M is summed by one micro-kernel call per block, blocks in order and
 * tiles in order inside the call, and the transforms do not depend on the thread: results are
 * bitwise the same for every thread count.
 */
#include <stdatomic.h>
#include <string.h>
#include "conv3x3_winograd_wgrad.h"
#include "conv3x3_winograd.h"
#include "workspace.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

/* Tiles per block (measured with `ck-bench wino` on the VGG16 layers, AMD EPYC Zen 4, 1 MiB L2
 * per core; Benchmarks/README.md). When M (16·C·K floats) is small it stays in L2 across blocks,
 * and so should a block's V and U panels (≤ 512 KiB together): conv2's 64 channels give tb ≈ 50.
 * When M is large it is read and written once per block from L3, so blocks are long (the panels
 * then come from L3 too, once per position, and are reused from L2 within it). */
#define CK_WGRAD_SMALL_M_FLOATS ((int64_t)128 << 10)
#define CK_WGRAD_SMALL_BLOCK_FLOATS ((int64_t)128 << 10)
#define CK_WGRAD_MIN_TB 32
#define CK_WGRAD_LONG_TB 384

typedef struct wgrad_plan {
    int64_t C, K;
    int64_t th, tw, tiles;       /* tile rows/columns per image, tiles in the batch */
    int64_t tb, blocks;          /* tiles per block, block count */
    int mr, nr;                  /* micro-tile */
    int64_t cpanels, kpanels;    /* mr-row panels of C, nr-column panels of K */
    int64_t v_pstride, u_pstride; /* floats from one panel to the next */
    int64_t v_floats, u_floats, m_floats, zero_floats;
} wgrad_plan;

static int64_t floats64(int64_t n) { return (int64_t)(ck_round64((size_t)n * sizeof(float)) / sizeof(float)); }

/* Panel stride for panels of n floats: a whole, odd number of cache lines. The transform of one
 * tile writes one row into each of the 16·panels panels; with a stride of an even number of lines
 * (tb·mr·4 bytes is a multiple of 2 KiB for the usual tb), those rows fall into a few L1 sets and
 * evict each other; with an odd number they spread over all sets. */
static int64_t panel_stride(int64_t n) {
    int64_t lines = (n * (int64_t)sizeof(float) + 63) / 64;
    if (lines % 2 == 0) ++lines;
    return lines * 64 / (int64_t)sizeof(float);
}

static wgrad_plan make_plan(const ck_conv2d_params *p) {
    const ck_gemm_kernels *g = &ck_active_kernels()->gemm;
    wgrad_plan pl;
    pl.C = p->c;
    pl.K = p->k;
    pl.th = (p->h + 1) / 2;
    pl.tw = (p->w + 1) / 2;
    pl.tiles = p->n * pl.th * pl.tw;
    pl.mr = g->mr;
    pl.nr = g->nr;
    pl.cpanels = (pl.C + pl.mr - 1) / pl.mr;
    pl.kpanels = (pl.K + pl.nr - 1) / pl.nr;
    int64_t tb = CK_WGRAD_LONG_TB;
    if (16 * pl.C * pl.K <= CK_WGRAD_SMALL_M_FLOATS) {
        tb = CK_WGRAD_SMALL_BLOCK_FLOATS / (16 * (pl.cpanels * pl.mr + pl.kpanels * pl.nr));
        if (tb < CK_WGRAD_MIN_TB) tb = CK_WGRAD_MIN_TB;
    }
    pl.blocks = (pl.tiles + tb - 1) / tb;
    pl.tb = (pl.tiles + pl.blocks - 1) / pl.blocks; /* blocks of (nearly) equal size */
    pl.v_pstride = panel_stride(pl.tb * pl.mr);
    pl.u_pstride = panel_stride(pl.tb * pl.nr);
    pl.v_floats = 16 * pl.cpanels * pl.v_pstride;
    pl.u_floats = 16 * pl.kpanels * pl.u_pstride;
    pl.m_floats = floats64(16 * pl.C * pl.K);
    pl.zero_floats = floats64(pl.C > pl.K ? pl.C : pl.K);
    return pl;
}

size_t ck_conv3x3_winograd_wgrad_workspace(const ck_conv2d_params *p) {
    if (!ck_conv3x3_winograd_eligible(p) || p->n < 1) return 0;
    wgrad_plan pl = make_plan(p);
    return (size_t)(pl.v_floats + pl.u_floats + pl.m_floats + pl.zero_floats) * sizeof(float) + 64;
}

typedef struct wgrad_job {
    const ck_conv2d_params *p;
    const ck_kernel_table *t;
    wgrad_plan pl;
    const float *x, *dy;
    float beta;
    float *dw;
    float *v;          /* (16, cpanels, tb, mr): A panels of V[ξ]ᵀ */
    float *u;          /* (16, kpanels, tb, nr): B panels of U[ξ] */
    float *m;          /* (16, C, K) */
    const float *zero; /* max(C, K) zeros */
    int64_t tile_chunk;              /* transform items: chunks of tiles of a block */
    int64_t cgroup, cgroups;         /* GEMM items: (ξ, K panel, group of cgroup C panels) */
    _Atomic int64_t next_chunk, next_item;
} wgrad_job;

/* Transform tiles [i0, i1) of the block starting at tile t0 into the panels. */
static void transform_tiles(const wgrad_job *j, int64_t t0, int64_t i0, int64_t i1) {
    const ck_conv2d_params *p = j->p;
    const wgrad_plan *pl = &j->pl;
    const int64_t H = p->h, W = p->w, C = pl->C, K = pl->K, mr = pl->mr, nr = pl->nr;
    const int64_t per_image = pl->th * pl->tw;
    const int64_t v_stride = pl->cpanels * pl->v_pstride, u_stride = pl->kpanels * pl->u_pstride;
    for (int64_t i = i0; i < i1; ++i) {
        const int64_t tile = t0 + i, n = tile / per_image, r = tile % per_image;
        const int64_t h0 = 2 * (r / pl->tw), w0 = 2 * (r % pl->tw);
        const float *px[16], *py[4];
        for (int a = 0; a < 4; ++a)
            for (int b = 0; b < 4; ++b) {
                int64_t h = h0 - 1 + a, w = w0 - 1 + b;
                px[4 * a + b] = h >= 0 && h < H && w >= 0 && w < W ? j->x + ((n * H + h) * W + w) * C : j->zero;
            }
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b) {
                int64_t h = h0 + a, w = w0 + b;
                py[2 * a + b] = h < H && w < W ? j->dy + ((n * H + h) * W + w) * K : j->zero;
            }
        j->t->winograd_wgrad.input(C, px, j->v + i * mr, v_stride, mr, pl->v_pstride);
        j->t->winograd_wgrad.dy(K, py, j->u + i * nr, u_stride, nr, pl->u_pstride);
    }
}

/* M[ξ] rows of C panels [cp0, cp1), columns of K panel kp, += V[ξ]ᵀ · U[ξ] over `cnt` tiles. */
static void gemm_item(const wgrad_job *j, int64_t item, int64_t cnt, float beta) {
    const wgrad_plan *pl = &j->pl;
    const ck_gemm_kernels *g = &j->t->gemm;
    const int64_t C = pl->C, K = pl->K, mr = pl->mr, nr = pl->nr;
    const int64_t cg = item % j->cgroups, kp = (item / j->cgroups) % pl->kpanels, xi = item / (j->cgroups * pl->kpanels);
    const int64_t cp0 = cg * j->cgroup, cp1 = cp0 + j->cgroup < pl->cpanels ? cp0 + j->cgroup : pl->cpanels;
    const float *bp = j->u + (xi * pl->kpanels + kp) * pl->u_pstride;
    const int n_eff = (int)(K - kp * nr < nr ? K - kp * nr : nr);
    float *mx = j->m + xi * C * K + kp * nr;
    for (int64_t cp = cp0; cp < cp1; ++cp) {
        const int m_eff = (int)(C - cp * mr < mr ? C - cp * mr : mr);
        /* M is read and written once per block, mostly from L3: the micro-kernel prefetches the
         * next call's tile of M while it computes this one (a hint; results do not change). */
        const int64_t next_rows = cp + 1 < cp1 ? (C - (cp + 1) * mr < mr ? C - (cp + 1) * mr : mr) : 0;
        const ck_gemm_prefetch pf = {next_rows ? mx + (cp + 1) * mr * K : j->zero, K, next_rows};
        g->ukernel(cnt, 1.0f, j->v + (xi * pl->cpanels + cp) * pl->v_pstride, bp, beta, mx + cp * mr * K, K, m_eff,
                   n_eff, &pf);
    }
}

static void wgrad_body(void *ctx, int tid, int nthreads) {
    wgrad_job *j = ctx;
    const wgrad_plan *pl = &j->pl;
    const int64_t gemm_items = 16 * pl->kpanels * j->cgroups;
    for (int64_t blk = 0; blk < pl->blocks; ++blk) {
        const int64_t t0 = blk * pl->tb, cnt = pl->tiles - t0 < pl->tb ? pl->tiles - t0 : pl->tb;
        const int64_t chunks = (cnt + j->tile_chunk - 1) / j->tile_chunk;
        for (;;) {
            const int64_t q = atomic_fetch_add(&j->next_chunk, 1);
            if (q >= chunks) break;
            const int64_t i1 = (q + 1) * j->tile_chunk;
            transform_tiles(j, t0, q * j->tile_chunk, i1 < cnt ? i1 : cnt);
        }
        if (nthreads > 1) ck_parallel_barrier();
        if (tid == 0) atomic_store(&j->next_chunk, 0); /* nobody transforms until the next barrier */
        for (;;) {
            const int64_t item = atomic_fetch_add(&j->next_item, 1);
            if (item >= gemm_items) break;
            gemm_item(j, item, cnt, blk == 0 ? 0.0f : 1.0f);
        }
        if (nthreads > 1) ck_parallel_barrier();
        if (tid == 0) atomic_store(&j->next_item, 0); /* nobody multiplies until the next barrier */
    }
    /* dw = Gᵀ M G (+ beta·dw), a static share of the input channels each */
    int64_t c0, c1;
    ck_split_range(pl->C, 1, tid, nthreads, &c0, &c1);
    for (int64_t c = c0; c < c1; ++c)
        j->t->winograd_wgrad.weights(pl->K, j->m + c * pl->K, pl->C * pl->K, j->beta, j->dw + c * pl->K,
                                     pl->C * pl->K);
}

ck_status ck_conv3x3_winograd_wgrad(const ck_conv2d_params *p, const float *x, const float *dy, float beta,
                                    float *dw, void *ws) {
    const ck_kernel_table *t = ck_active_kernels();
    wgrad_job j = {.p = p, .t = t, .pl = make_plan(p), .x = x, .dy = dy, .beta = beta, .dw = dw};
    const wgrad_plan *pl = &j.pl;
    j.v = ws;
    j.u = j.v + pl->v_floats;
    j.m = j.u + pl->u_floats;
    float *zero = j.m + pl->m_floats;
    memset(zero, 0, (size_t)pl->zero_floats * sizeof(float));
    j.zero = zero;
    /* The micro-kernel reads whole panels: rows past C and columns past K stay zero (the leaves
     * write only the real channels), so clear the last panels once. */
    for (int xi = 0; xi < 16; ++xi) {
        if (pl->C % pl->mr)
            memset(j.v + (xi * pl->cpanels + pl->cpanels - 1) * pl->v_pstride, 0, (size_t)pl->v_pstride * sizeof(float));
        if (pl->K % pl->nr)
            memset(j.u + (xi * pl->kpanels + pl->kpanels - 1) * pl->u_pstride, 0, (size_t)pl->u_pstride * sizeof(float));
    }
    int threads = ck_get_num_threads();
    /* Items: a few per thread per block, so the shared counters can even out a slow thread. */
    j.tile_chunk = pl->tb / (8 * threads);
    if (j.tile_chunk < 1) j.tile_chunk = 1;
    const int64_t per_panel_row = 16 * pl->kpanels; /* items with one group holding every C panel */
    int64_t groups = (8 * threads + per_panel_row - 1) / per_panel_row;
    if (groups > pl->cpanels) groups = pl->cpanels;
    if (groups < 1) groups = 1;
    j.cgroup = (pl->cpanels + groups - 1) / groups;
    j.cgroups = (pl->cpanels + j.cgroup - 1) / j.cgroup;
    atomic_store(&j.next_chunk, 0);
    atomic_store(&j.next_item, 0);
    ck_parallel_run(threads, wgrad_body, &j);
    return CK_OK;
}
