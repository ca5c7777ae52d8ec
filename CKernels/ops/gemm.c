/*
 * gemm.c — the ISA-neutral SGEMM driver (BLIS-style): argument checks, mapping every call to
 * a row-major C, then blocking, packing and threads around the active table's micro-kernel.
 *
 * Two ways to use several threads (chosen from the shape and the thread count only, so
 * results are reproducible):
 *  - split columns (M < threads·mc, the small-M VGG shapes): each thread owns a band of
 *    columns and runs  jc over nc → pc over kc → ic over mc → jr over nr (packing each B
 *    panel just before it is first used, while the micro-kernels prefetch the next panel's
 *    source rows) → ir over mr → micro-kernel. With one ic block, A is packed once per call.
 *  - split rows (large M): each thread owns a band of rows; the packed B block is shared,
 *    each thread packing part of it between two barriers (shared_b_thread).
 * The k-loop order is fixed (pc ascending, p ascending inside the micro-kernel) and kc
 * depends only on K, so a given C element is computed by the same operations on every run.
 */
#include "ck_gemm.h"
#include "gemm_pack.h"
#include "gemm_workspace.h"
#include "ck_work_split.h"
#include "../runtime/kernel_table.h"
#include "../runtime/parallel.h"

#include <stdatomic.h>

typedef struct gemm_args {
    int64_t m, n, k;                 /* C is m×n row-major */
    float alpha, beta;
    const float *a; int64_t a_rs, a_cs; /* op(A)(i,p) = a[i*a_rs + p*a_cs] */
    const float *b; int64_t b_rs, b_cs; /* op(B)(p,j) = b[p*b_rs + j*b_cs] */
    float *c; int64_t ldc;             /* C(i,j) = c[i*ldc + j] */
    const ck_gemm_kernels *kern;
    int64_t mc, kc, nc;
    float *shared_b;                  /* split rows: the packed B block all threads use */
    int split_n;                      /* threads split the columns (else the rows) */
    _Atomic int failed;               /* a thread could not get its packing buffers */
} gemm_args;

static inline int64_t min64(int64_t x, int64_t y) { return x < y ? x : y; }
static inline int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

/* Pack rows [0,mc) × k-columns [0,kc) of the A block at a: the table's leaf for full panels
 * of a row-major source, the portable routine for the rest. dst is (ceil(mc/mr), kc, mr). */
static void pack_a_block(const gemm_args *g, int64_t mc, int64_t kc, const float *a, float *dst) {
    const int mr = g->kern->mr;
    int64_t done = 0;
    if (g->kern->pack_a_rows && g->a_cs == 1)
        for (; done + mr <= mc; done += mr) g->kern->pack_a_rows(kc, a + done * g->a_rs, g->a_rs, dst + done * kc);
    if (done < mc) ck_gemm_pack_a(mc - done, kc, a + done * g->a_rs, g->a_rs, g->a_cs, mr, dst + done * kc);
}

/* Pack one panel (kc × cols, cols ≤ nr) of the B block at b. dst is (kc, nr). */
static void pack_b_panel(const gemm_args *g, int64_t kc, int64_t cols, const float *b, float *dst) {
    if (cols == g->kern->nr && g->b_cs == 1 && g->kern->pack_b_cols) g->kern->pack_b_cols(kc, b, g->b_rs, dst);
    else if (cols == g->kern->nr && g->b_rs == 1 && g->kern->pack_b_rows) g->kern->pack_b_rows(kc, b, g->b_cs, dst);
    else ck_gemm_pack_b(kc, cols, b, g->b_rs, g->b_cs, g->kern->nr, dst);
}

/* The k-block length: kc at most, K split into equal blocks (multiples of 4, so the micro-
 * kernels' unrolled loops have no short tail block), e.g. K = 576 → 3 × 192, not 256+256+64. */
static int64_t balanced_kc(int64_t k, int64_t kc_max) {
    int64_t blocks = (k + kc_max - 1) / kc_max;
    return min64(kc_max, round_up((k + blocks - 1) / blocks, 4));
}

/* The unpacked source rows of the B panel packed after the one at (jc, pc, jr) in this
 * thread's loop order (columns [n0, n1)), when B rows are contiguous: the micro-kernels
 * prefetch them while they compute, so packing finds them in L2. */
static ck_gemm_prefetch next_b_panel(const gemm_args *g, int64_t n1, int64_t jc, int64_t nc,
                                     int64_t pc, int64_t kc, int64_t jr) {
    ck_gemm_prefetch pf = {g->b, g->b_rs, 0};
    if (g->b_cs != 1) return pf;
    const int nr = g->kern->nr;
    if (jr + nr < nc) {
        pf.rows = g->b + pc * g->b_rs + jc + jr + nr;
        pf.count = kc;
    } else if (pc + kc < g->k) {
        pf.rows = g->b + (pc + kc) * g->b_rs + jc;
        pf.count = min64(g->kc, g->k - pc - kc);
    } else if (jc + nc < n1) {
        pf.rows = g->b + jc + nc;
        pf.count = min64(g->kc, g->k);
    }
    return pf;
}

/* The blocked product on rows [m0,m1) × columns [n0,n1) of C, on one thread.
 * B panels are packed just before their first use (the first ic block), each while the
 * micro-kernels prefetch the next one's source; with a single ic block only one panel
 * buffer is needed, and A (all k-blocks of the thread's rows) is packed once up front. */
static void gemm_rectangle(const gemm_args *g, int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                           float *apack, float *bpack) {
    const ck_gemm_kernels *kern = g->kern;
    const int mr = kern->mr, nr = kern->nr;
    const int64_t rows = m1 - m0, rows_padded = round_up(rows, mr);
    const int single_ic = rows <= g->mc;
    if (single_ic)
        for (int64_t pc = 0; pc < g->k; pc += g->kc)
            pack_a_block(g, rows, min64(g->kc, g->k - pc), g->a + m0 * g->a_rs + pc * g->a_cs,
                         apack + rows_padded * pc);
    for (int64_t jc = n0; jc < n1; jc += g->nc) {
        const int64_t nc = min64(g->nc, n1 - jc);
        for (int64_t pc = 0; pc < g->k; pc += g->kc) {
            const int64_t kc = min64(g->kc, g->k - pc);
            const float beta = pc == 0 ? g->beta : 1.0f; /* later k-blocks accumulate */
            const float *b_blk = g->b + pc * g->b_rs + jc * g->b_cs;
            for (int64_t ic = m0; ic < m1; ic += g->mc) {
                const int64_t mc = min64(g->mc, m1 - ic);
                const float *ap = apack + rows_padded * pc;
                if (!single_ic) {
                    pack_a_block(g, mc, kc, g->a + ic * g->a_rs + pc * g->a_cs, apack);
                    ap = apack;
                }
                const int first_ic = ic == m0;
                const int64_t calls = (mc + mr - 1) / mr;
                float *c_blk = g->c + ic * g->ldc + jc;
                for (int64_t jr = 0; jr < nc; jr += nr) {
                    const int n_eff = (int)min64(nr, nc - jr);
                    float *bp = bpack + (single_ic ? 0 : jr * kc); /* (kc, nr) */
                    ck_gemm_prefetch next = {g->b, 0, 0};
                    if (first_ic) {
                        pack_b_panel(g, kc, n_eff, b_blk + jr * g->b_cs, bp);
                        next = next_b_panel(g, n1, jc, nc, pc, kc, jr);
                    }
                    const int64_t per_call = (next.count + calls - 1) / calls;
                    for (int64_t ir = 0, call = 0; ir < mc; ir += mr, ++call) {
                        int64_t r0 = min64(call * per_call, next.count);
                        ck_gemm_prefetch pf = {next.rows + r0 * next.ld, next.ld,
                                               min64(per_call, next.count - r0)};
                        kern->ukernel(kc, g->alpha, ap + ir * kc, bp, beta, c_blk + ir * g->ldc + jr,
                                      g->ldc, (int)min64(mr, mc - ir), n_eff, &pf);
                    }
                }
            }
        }
    }
}

/* The band of thread tid: columns [lo, hi) when split_n, else rows (the split the threads
 * and the work-split report share). */
static void thread_band(const gemm_args *g, int tid, int nthreads, int64_t *lo, int64_t *hi) {
    ck_split_range(g->split_n ? g->n : g->m, g->split_n ? g->kern->nr : g->kern->mr, tid, nthreads, lo, hi);
}

static void gemm_thread(void *ctx, int tid, int nthreads) {
    gemm_args *g = (gemm_args *)ctx;
    int64_t lo, hi;
    thread_band(g, tid, nthreads, &lo, &hi);
    if (lo >= hi) return;
    int64_t rows = g->split_n ? g->m : hi - lo, cols = g->split_n ? hi - lo : g->n;
    int64_t a_floats = rows <= g->mc ? round_up(rows, g->kern->mr) * g->k /* all k-blocks */
                                     : g->mc * min64(g->kc, g->k);
    int64_t b_floats = (rows <= g->mc ? g->kern->nr : round_up(min64(g->nc, cols), g->kern->nr)) *
                       min64(g->kc, g->k);
    float *apack, *bpack;
    if (!ck_gemm_workspace(a_floats, b_floats, &apack, &bpack)) {
        atomic_store(&g->failed, 1);
        return;
    }
    if (g->split_n) gemm_rectangle(g, 0, g->m, lo, hi, apack, bpack);
    else gemm_rectangle(g, lo, hi, 0, g->n, apack, bpack);
}

/* Large M on several threads: each thread owns a band of rows of C; the packed B block is
 * shared: every thread packs its share of the block's panels, a barrier, every thread
 * multiplies its rows by the whole block, a barrier before the block is packed again.
 * Every thread runs the same jc/pc loops and reaches every barrier, whatever its share
 * (even an empty one, or when its own workspace could not be had), so none can wait
 * forever. */
static void shared_b_thread(void *ctx, int tid, int nthreads) {
    gemm_args *g = (gemm_args *)ctx;
    const ck_gemm_kernels *kern = g->kern;
    const int mr = kern->mr, nr = kern->nr;
    int64_t lo, hi;
    thread_band(g, tid, nthreads, &lo, &hi); /* rows (split_n is 0 here) */
    /* A thread whose row band is empty (a team larger than m / mr) still packs its share of B
     * and meets every barrier, but computes nothing: it needs no A workspace. */
    const int empty_band = lo >= hi;
    float *apack = NULL, *unused = NULL;
    const int have_a = empty_band || ck_gemm_workspace(g->mc * min64(g->kc, g->k), 0, &apack, &unused);
    if (!have_a) atomic_store(&g->failed, 1);
    /* micro-kernel calls per block; the prefetch below divides by it (never 0) */
    const int64_t calls = empty_band ? 1 : ((hi - lo + mr - 1) / mr) * ((min64(g->nc, g->n) + nr - 1) / nr);
    for (int64_t jc = 0; jc < g->n; jc += g->nc) {
        const int64_t nc = min64(g->nc, g->n - jc);
        int64_t q0, q1; /* this thread's panels of the block */
        ck_split_range((nc + nr - 1) / nr, 1, tid, nthreads, &q0, &q1);
        for (int64_t pc = 0; pc < g->k; pc += g->kc) {
            const int64_t kc = min64(g->kc, g->k - pc);
            const float beta = pc == 0 ? g->beta : 1.0f; /* later k-blocks accumulate */
            const float *b_blk = g->b + pc * g->b_rs + jc * g->b_cs;
            for (int64_t q = q0; q < q1; ++q)
                pack_b_panel(g, kc, min64(nr, nc - q * nr), b_blk + q * nr * g->b_cs, g->shared_b + q * nr * kc);
            ck_parallel_barrier();
            /* While computing, the micro-kernels prefetch the source rows of this thread's
             * share of the next block, so that its packing reads L2, not memory. */
            const int64_t next_pc = pc + kc < g->k ? pc + kc : 0, next_jc = pc + kc < g->k ? jc : jc + nc;
            int64_t nq0 = 0, nq1 = 0, next_kc = min64(g->kc, g->k - next_pc);
            if (next_jc < g->n && g->b_cs == 1)
                ck_split_range((min64(g->nc, g->n - next_jc) + nr - 1) / nr, 1, tid, nthreads, &nq0, &nq1);
            const float *next_blk = g->b + next_pc * g->b_rs + next_jc;
            const int64_t next_rows = (nq1 - nq0) * next_kc, per_call = (next_rows + calls - 1) / calls;
            int64_t call = 0;
            for (int64_t ic = lo; have_a && ic < hi; ic += g->mc) {
                const int64_t mc = min64(g->mc, hi - ic);
                pack_a_block(g, mc, kc, g->a + ic * g->a_rs + pc * g->a_cs, apack);
                float *c_blk = g->c + ic * g->ldc + jc;
                for (int64_t jr = 0; jr < nc; jr += nr)
                    for (int64_t ir = 0; ir < mc; ir += mr, ++call) {
                        /* rows [idx, idx + per_call) of the share, clipped to one panel */
                        const int64_t idx = min64(call * per_call, next_rows);
                        const int64_t panel = nq0 + (next_kc > 0 ? idx / next_kc : 0), row = next_kc > 0 ? idx % next_kc : 0;
                        const ck_gemm_prefetch pf = {next_blk + row * g->b_rs + panel * nr, g->b_rs,
                                                     idx < next_rows ? min64(per_call, next_kc - row) : 0};
                        kern->ukernel(kc, g->alpha, apack + ir * kc, g->shared_b + jr * kc, beta,
                                      c_blk + ir * g->ldc + jr, g->ldc, (int)min64(mr, mc - ir),
                                      (int)min64(nr, nc - jr), &pf);
                    }
            }
            ck_parallel_barrier();
        }
    }
}

/* Bytes of L2 the C block may fill (of 1 MiB per core on Cascade Lake / Skylake-SP; the
 * rest holds the packed A slice, the B panel and stray lines). */
enum { L2_BUDGET_BYTES = 512 * 1024 };

/* When a thread's rows fit in one mc block (the small-M, huge-N VGG shapes), narrow nc so
 * that the C block (rows×nc) stays in L2 while it accumulates over the k-blocks. */
static int64_t small_m_nc(const gemm_args *g, int threads) {
    int64_t rows = g->split_n || threads < 2 ? g->m : (g->m + threads - 1) / threads;
    if (rows > g->mc) return g->nc;
    int64_t nr = g->kern->nr;
    int64_t nc = L2_BUDGET_BYTES / (int64_t)sizeof(float) / rows / nr * nr;
    if (nc < nr) nc = nr;
    return min64(nc, g->nc);
}

/* How much longer the busiest thread works than an even split of `count` items in units. */
static double imbalance(int64_t count, int64_t unit, int threads) {
    int64_t tiles = (count + unit - 1) / unit;
    return (double)((tiles + threads - 1) / threads * unit * threads) / (double)count;
}

/* Blocking and the thread split of the row-major product g->m × g->n × g->k with `threads`
 * available: sets kern, mc, kc, nc and split_n; returns the threads to use. Threads split the
 * columns (each packs only its own B panels; A is small or shared through L3) unless that
 * leaves them clearly uneven; tiny products stay on one thread. */
static int plan(gemm_args *g, int threads) {
    g->kern = &ck_active_kernels()->gemm;
    g->mc = g->kern->mc;
    g->kc = balanced_kc(g->k, g->kern->kc);
    g->nc = g->kern->nc;
    double flops = 2.0 * (double)g->m * (double)g->n * (double)g->k;
    if (flops < 4.0e6) threads = 1;
    double imb_n = imbalance(g->n, g->kern->nr, threads), imb_m = imbalance(g->m, g->kern->mr, threads);
    g->split_n = imb_n <= 1.1 || imb_n <= imb_m;
    if (g->m >= threads * g->mc) g->split_n = 0; /* full mc bands each: rows, sharing packed B */
    g->nc = small_m_nc(g, threads);
    return threads;
}

int ck_gemm_work_split(int64_t m, int64_t n, int64_t k, int threads, double *work) {
    for (int t = 0; t < threads; ++t) work[t] = 0;
    if (m <= 0 || n <= 0 || k <= 0 || threads < 1) return 1;
    gemm_args g = {.m = m, .n = n, .k = k};
    int used = plan(&g, threads);
    for (int t = 0; t < used; ++t) {
        int64_t lo, hi;
        thread_band(&g, t, used, &lo, &hi);
        work[t] = 2.0 * (double)(hi - lo) * (double)(g.split_n ? m : n) * (double)k; /* flops */
    }
    return used;
}

/* C ← beta·C (alpha == 0 or k == 0: A and B are not read; beta == 0: C is not read). */
static void scale_c(int64_t m, int64_t n, float beta, float *c, int64_t ldc) {
    for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
            c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
}

/* Strides of op(X)(r, s) for a stored matrix X. */
static void operand_strides(ck_layout layout, ck_transpose t, int64_t ld, int64_t *rs, int64_t *cs) {
    int along_rows = (layout == CK_ROW_MAJOR) == (t == CK_NO_TRANS);
    *rs = along_rows ? ld : 1;
    *cs = along_rows ? 1 : ld;
}

ck_status ck_sgemm(ck_layout layout, ck_transpose trans_a, ck_transpose trans_b,
                   int64_t m, int64_t n, int64_t k,
                   float alpha, const float *a, int64_t lda,
                   const float *b, int64_t ldb,
                   float beta, float *c, int64_t ldc) {
    if (layout != CK_ROW_MAJOR && layout != CK_COL_MAJOR) return CK_ERR_BAD_ARGUMENT;
    if ((trans_a != CK_NO_TRANS && trans_a != CK_TRANS) || (trans_b != CK_NO_TRANS && trans_b != CK_TRANS))
        return CK_ERR_BAD_ARGUMENT;
    if (m < 0 || n < 0 || k < 0) return CK_ERR_BAD_DIMENSION;
    const int row_major = layout == CK_ROW_MAJOR;
    /* CBLAS: the leading dimension is at least the stored row (row-major) or column length. */
    int64_t a_rows = trans_a == CK_NO_TRANS ? m : k, a_cols = trans_a == CK_NO_TRANS ? k : m;
    int64_t b_rows = trans_b == CK_NO_TRANS ? k : n, b_cols = trans_b == CK_NO_TRANS ? n : k;
    int64_t min_lda = row_major ? a_cols : a_rows, min_ldb = row_major ? b_cols : b_rows;
    int64_t min_ldc = row_major ? n : m;
    if (lda < (min_lda > 1 ? min_lda : 1) || ldb < (min_ldb > 1 ? min_ldb : 1) ||
        ldc < (min_ldc > 1 ? min_ldc : 1))
        return CK_ERR_BAD_LEADING_DIMENSION;
    if (m == 0 || n == 0) return CK_OK;
    if (!c) return CK_ERR_NULL_POINTER;
    const int read_ab = alpha != 0.0f && k > 0;
    if (read_ab && (!a || !b)) return CK_ERR_NULL_POINTER;

    gemm_args g = {.alpha = alpha, .beta = beta, .c = c, .ldc = ldc, .k = k};
    int64_t a_rs, a_cs, b_rs, b_cs;
    operand_strides(layout, trans_a, lda, &a_rs, &a_cs);
    operand_strides(layout, trans_b, ldb, &b_rs, &b_cs);
    if (row_major) {
        g.m = m; g.n = n;
        g.a = a; g.a_rs = a_rs; g.a_cs = a_cs;
        g.b = b; g.b_rs = b_rs; g.b_cs = b_cs;
    } else {
        /* Column-major C is row-major Cᵀ (n×m) = op(B)ᵀ·op(A)ᵀ: swap the operands. */
        g.m = n; g.n = m;
        g.a = b; g.a_rs = b_cs; g.a_cs = b_rs;
        g.b = a; g.b_rs = a_cs; g.b_cs = a_rs;
    }
    if (!read_ab) {
        scale_c(g.m, g.n, beta, c, ldc);
        return CK_OK;
    }

    atomic_init(&g.failed, 0);
    int threads = plan(&g, ck_get_num_threads());
    if (threads > 1 && !g.split_n) {
        g.shared_b = ck_gemm_shared_workspace(round_up(min64(g.nc, g.n), g.kern->nr) * min64(g.kc, k));
        if (!g.shared_b) return CK_ERR_OUT_OF_MEMORY;
        ck_parallel_run(threads, shared_b_thread, &g);
    } else {
        ck_parallel_run(threads, gemm_thread, &g);
    }
    return atomic_load(&g.failed) ? CK_ERR_OUT_OF_MEMORY : CK_OK;
}
