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
 *  1. Tiles (n, tile row, tile column), flattened, are cut into `blocks` blocks of ≤ tb tiles.
 *     Two kinds of work items run on a pipeline of two V/U buffers (block b uses buffer b % 2; one
 *     thread uses one buffer):
 *     a. transform: a chunk of a block's tiles (leaves) straight into the SGEMM micro-kernel's
 *        panel layouts, V[ξ] as A panels (C in mr-row panels, tile = reduction index) and U[ξ]
 *        as B panels (K in nr-column panels). Runs once the GEMMs of block b − 2 (the buffer's
 *        previous readers) are done.
 *     b. GEMM: M[ξ] += V[ξ]ᵀ · U[ξ] for one (ξ, K panel, group of C panels) of a block on the
 *        active micro-kernel (block 0 overwrites M, beta = 0). Item i is always done by thread
 *        i mod T, blocks in order, so that thread's part of M stays in its core's cache.
 *     Transform chunks are taken from a shared ticket by any thread that finds its next block
 *     not yet transformed, instead of waiting at a barrier.
 *  2. After one barrier, dw = Gᵀ M G (+ beta·dw), threads over input channels (leaf).
 * Every element of M is summed by one micro-kernel call per block, blocks in order and tiles in
 * order inside the call, and the transforms do not depend on the thread: results are bitwise the
 * same for every thread count.
 */
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include "conv3x3_winograd_wgrad.h"
#include "conv3x3_winograd.h"
#include "workspace.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

/* Tiles per block, measured from 32 to 768 on the VGG16 layers (AMD EPYC Zen 4, 1 MiB L2 per
 * core, SwiftPM's clang build; Benchmarks/README.md). When M (16·C·K floats) is small it stays in
 * L2 across blocks, and so should the V and U panels (≤ 256 KiB per buffer): conv2 and conv3 get
 * the minimum, 32 tiles. Larger M is read and written once per block from L3, yet up to 4 MiB of
 * M 64-tile blocks (panels mostly in L2) beat long ones (384: 5–10 % slower on conv4–conv7); the
 * 512-channel layers' 8–16 MiB of M want longer blocks (192: 5–10 % faster than 64 on conv9). */
#define CK_WGRAD_SMALL_M_FLOATS ((int64_t)128 << 10)
#define CK_WGRAD_SMALL_BLOCK_FLOATS ((int64_t)64 << 10)
#define CK_WGRAD_MIN_TB 32
#define CK_WGRAD_MEDIUM_M_FLOATS ((int64_t)1 << 20)
#define CK_WGRAD_MEDIUM_M_TB 64
#define CK_WGRAD_LARGE_M_TB 192

typedef struct wgrad_plan {
    int64_t C, K;
    int64_t th, tw, tiles;       /* tile rows/columns per image, tiles in the batch */
    int64_t tb, blocks;          /* tiles per block, block count */
    int mr, nr;                  /* micro-tile */
    int64_t cpanels, kpanels;    /* mr-row panels of C, nr-column panels of K */
    int64_t v_pstride, u_pstride; /* floats from one panel to the next */
    int64_t v_floats, u_floats;   /* one buffer (a block's panels); there are two of each */
    int64_t m_floats, zero_floats;
    int64_t counter_floats;      /* the pipeline's counters */
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
    int64_t tb = 16 * pl.C * pl.K <= CK_WGRAD_MEDIUM_M_FLOATS ? CK_WGRAD_MEDIUM_M_TB : CK_WGRAD_LARGE_M_TB;
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
    pl.counter_floats = floats64(2 * pl.blocks * (int64_t)(sizeof(int64_t) / sizeof(float)));
    pl.m_floats = floats64(16 * pl.C * pl.K);
    pl.zero_floats = floats64(pl.C > pl.K ? pl.C : pl.K);
    return pl;
}

size_t ck_conv3x3_winograd_wgrad_workspace(const ck_conv2d_params *p) {
    if (!ck_conv3x3_winograd_eligible(p) || p->n < 1) return 0;
    wgrad_plan pl = make_plan(p);
    return (size_t)(2 * pl.v_floats + 2 * pl.u_floats + pl.m_floats + pl.zero_floats + pl.counter_floats) * sizeof(float) +
           64;
}

typedef struct wgrad_job {
    const ck_conv2d_params *p;
    const ck_kernel_table *t;
    wgrad_plan pl;
    const float *x, *dy;
    float beta;
    float *dw;
    int slots;         /* buffers in use: 2 (pipeline), or 1 for one thread (then every block
                        * reuses the same, cache-warm buffer) */
    float *v[2];       /* (16, cpanels, tb, mr): A panels of V[ξ]ᵀ, block b in v[b % slots] */
    float *u[2];       /* (16, kpanels, tb, nr): B panels of U[ξ] */
    float *m;          /* (16, C, K) */
    const float *zero; /* max(C, K) zeros */
    int64_t tile_chunk, chunks;      /* transform items: `chunks` chunks of tiles per block */
    int64_t cgroup, cgroups, items;  /* GEMM items: (ξ, K panel, group of cgroup C panels) */
    _Atomic int64_t next_chunk;      /* tickets over all blocks: chunk t is chunk t % chunks of block t / chunks */
    _Atomic int64_t *chunks_done;    /* per block: transform chunks finished */
    _Atomic int64_t *items_done;     /* per block: GEMM items finished */
} wgrad_job;

/* Transform tiles [i0, i1) of block blk into its panels. */
static void transform_tiles(const wgrad_job *j, int64_t blk, int64_t i0, int64_t i1) {
    const ck_conv2d_params *p = j->p;
    const wgrad_plan *pl = &j->pl;
    const int64_t H = p->h, W = p->w, C = pl->C, K = pl->K, mr = pl->mr, nr = pl->nr;
    const int64_t per_image = pl->th * pl->tw;
    const int64_t v_stride = pl->cpanels * pl->v_pstride, u_stride = pl->kpanels * pl->u_pstride;
    float *const v = j->v[blk % j->slots], *const u = j->u[blk % j->slots];
    for (int64_t i = i0; i < i1; ++i) {
        const int64_t tile = blk * pl->tb + i, n = tile / per_image, r = tile % per_image;
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
        j->t->winograd_wgrad.input(C, px, v + i * mr, v_stride, mr, pl->v_pstride);
        j->t->winograd_wgrad.dy(K, py, u + i * nr, u_stride, nr, pl->u_pstride);
    }
}

/* Tiles in block blk. */
static int64_t block_tiles(const wgrad_plan *pl, int64_t blk) {
    const int64_t t0 = blk * pl->tb;
    return pl->tiles - t0 < pl->tb ? pl->tiles - t0 : pl->tb;
}

/* GEMM item `item` of block blk: M[ξ] rows of C panels [cp0, cp1), columns of K panel kp,
 * += V[ξ]ᵀ · U[ξ] over the block's tiles (block 0: =). */
static void gemm_item(const wgrad_job *j, int64_t blk, int64_t item) {
    const wgrad_plan *pl = &j->pl;
    const ck_gemm_kernels *g = &j->t->gemm;
    const int64_t C = pl->C, K = pl->K, mr = pl->mr, nr = pl->nr;
    const int64_t cg = item % j->cgroups, kp = (item / j->cgroups) % pl->kpanels, xi = item / (j->cgroups * pl->kpanels);
    const int64_t cp0 = cg * j->cgroup, cp1 = cp0 + j->cgroup < pl->cpanels ? cp0 + j->cgroup : pl->cpanels;
    const float *bp = j->u[blk % j->slots] + (xi * pl->kpanels + kp) * pl->u_pstride, *v = j->v[blk % j->slots];
    const int64_t cnt = block_tiles(pl, blk);
    const float beta = blk == 0 ? 0.0f : 1.0f;
    const int n_eff = (int)(K - kp * nr < nr ? K - kp * nr : nr);
    float *mx = j->m + xi * C * K + kp * nr;
    for (int64_t cp = cp0; cp < cp1; ++cp) {
        const int m_eff = (int)(C - cp * mr < mr ? C - cp * mr : mr);
        /* M is read and written once per block, mostly from L3: the micro-kernel prefetches the
         * next call's tile of M while it computes this one (a hint; results do not change). */
        const int64_t next_rows = cp + 1 < cp1 ? (C - (cp + 1) * mr < mr ? C - (cp + 1) * mr : mr) : 0;
        const ck_gemm_prefetch pf = {next_rows ? mx + (cp + 1) * mr * K : j->zero, K, next_rows};
        g->ukernel(cnt, 1.0f, v + (xi * pl->cpanels + cp) * pl->v_pstride, bp, beta, mx + cp * mr * K, K, m_eff,
                   n_eff, &pf);
    }
}

/* Claim ticket *expected of `ticket` if it is still the next one (another thread may take it
 * first: then nothing is claimed). */
static int claim(_Atomic int64_t *ticket, int64_t expected) {
    return atomic_compare_exchange_strong(ticket, &expected, expected + 1);
}

/* Transform the next chunk of tiles if its buffer is free (the block that used it last is fully
 * multiplied); 0 when there is none to take now. */
static int transform_next(wgrad_job *j) {
    const wgrad_plan *pl = &j->pl;
    const int64_t t = atomic_load(&j->next_chunk);
    if (t >= pl->blocks * j->chunks) return 0;
    const int64_t blk = t / j->chunks, q = t % j->chunks;
    if (blk >= j->slots && atomic_load(&j->items_done[blk - j->slots]) != j->items) return 0;
    if (!claim(&j->next_chunk, t)) return 1; /* another thread took it: look again */
    const int64_t cnt = block_tiles(pl, blk), i0 = q * j->tile_chunk, i1 = i0 + j->tile_chunk;
    if (i0 < cnt) transform_tiles(j, blk, i0, i1 < cnt ? i1 : cnt);
    atomic_fetch_add(&j->chunks_done[blk], 1);
    return 1;
}

/* GEMM item i belongs to thread i mod nthreads in every block, so each thread's part of M stays
 * in its own core's cache from block to block. (When any thread took the next item, consecutive
 * blocks moved M's tiles between the cores' caches, and 2 threads were no faster than 1 on
 * conv2 and conv6.) Transform chunks are shared: a thread whose next block is not transformed
 * yet transforms. */
static void wgrad_body(void *ctx, int tid, int nthreads) {
    wgrad_job *j = ctx;
    const wgrad_plan *pl = &j->pl;
    const int64_t mine = j->items > tid ? (j->items - tid + nthreads - 1) / nthreads : 0;
    for (int64_t blk = 0; blk < pl->blocks; ++blk) {
        while (atomic_load(&j->chunks_done[blk]) != j->chunks)
            if (!transform_next(j)) sched_yield(); /* the other threads' items in flight finish first */
        for (int64_t item = tid; item < j->items; item += nthreads) gemm_item(j, blk, item);
        atomic_fetch_add(&j->items_done[blk], mine);
    }
    if (nthreads > 1) ck_parallel_barrier(); /* M is complete */
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
    float *base = ws;
    j.v[0] = base;
    j.v[1] = j.v[0] + pl->v_floats;
    j.u[0] = j.v[1] + pl->v_floats;
    j.u[1] = j.u[0] + pl->u_floats;
    j.m = j.u[1] + pl->u_floats;
    float *zero = j.m + pl->m_floats;
    memset(zero, 0, (size_t)pl->zero_floats * sizeof(float));
    j.zero = zero;
    _Atomic int64_t *counters = (_Atomic int64_t *)(void *)(zero + pl->zero_floats);
    j.chunks_done = counters;
    j.items_done = counters + pl->blocks;
    for (int64_t i = 0; i < 2 * pl->blocks; ++i) atomic_init(&counters[i], 0);
    /* The micro-kernel reads whole panels: rows past C and columns past K stay zero (the leaves
     * write only the real channels), so clear the last panels once. */
    for (int buf = 0; buf < 2; ++buf)
        for (int xi = 0; xi < 16; ++xi) {
            if (pl->C % pl->mr)
                memset(j.v[buf] + (xi * pl->cpanels + pl->cpanels - 1) * pl->v_pstride, 0,
                       (size_t)pl->v_pstride * sizeof(float));
            if (pl->K % pl->nr)
                memset(j.u[buf] + (xi * pl->kpanels + pl->kpanels - 1) * pl->u_pstride, 0,
                       (size_t)pl->u_pstride * sizeof(float));
        }
    int threads = ck_get_num_threads();
    j.slots = threads > 1 ? 2 : 1; /* the blocks (and so the sums) are the same either way */
    /* Items: a few per thread per block. */
    j.tile_chunk = pl->tb / (8 * threads);
    /* A multiple of 16 tiles: a tile is mr floats of each V panel (24–32 bytes), so chunks of
     * other sizes share cache lines with the neighbouring chunk, which another thread writes at
     * the same time. With 3-tile chunks that false sharing made the transforms 3.5x slower at
     * 2 threads (perf: 56 % of the time against 16 % at 1 thread, conv2 no faster than 1 thread). */
    j.tile_chunk = j.tile_chunk < 16 ? 16 : (j.tile_chunk + 15) / 16 * 16;
    const int64_t per_panel_row = 16 * pl->kpanels; /* items with one group holding every C panel */
    int64_t groups = (8 * threads + per_panel_row - 1) / per_panel_row;
    if (groups > pl->cpanels) groups = pl->cpanels;
    if (groups < 1) groups = 1;
    j.cgroup = (pl->cpanels + groups - 1) / groups;
    j.cgroups = (pl->cpanels + j.cgroup - 1) / j.cgroup;
    j.chunks = (pl->tb + j.tile_chunk - 1) / j.tile_chunk;
    j.items = 16 * pl->kpanels * j.cgroups;
    atomic_init(&j.next_chunk, 0);
    ck_parallel_run(threads, wgrad_body, &j);
    return CK_OK;
}
