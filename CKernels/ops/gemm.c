/*
 * gemm.c — the ISA-neutral SGEMM driver (BLIS-style): argument checks, mapping every call to
 * a row-major C, then blocking, packing and threads around the active table's micro-kernel.
 *
 * Loops, per thread, over its own rectangle of C (the split depends only on the shape and
 * the thread count, so results are reproducible):
 *   jc over nc columns → pc over kc of K → pack B block (kc×nc) →
 *   ic over mc rows → pack A block (mc×kc) → jr over nr → ir over mr → micro-kernel.
 * The k-loop order is fixed (pc ascending, p ascending inside the micro-kernel), so a given
 * C element is computed by the same sequence of operations on every run.
 */
#include "ck_gemm.h"
#include "gemm_pack.h"
#include "gemm_workspace.h"
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
    int split_n;                      /* threads split the columns (else the rows) */
    _Atomic int failed;               /* a thread could not get its packing buffers */
} gemm_args;

static inline int64_t min64(int64_t x, int64_t y) { return x < y ? x : y; }
static inline int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

/* The blocked product on rows [m0,m1) × columns [n0,n1) of C, on one thread. */
static void gemm_rectangle(const gemm_args *g, int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                           float *apack, float *bpack) {
    const ck_gemm_kernels *kern = g->kern;
    const int mr = kern->mr, nr = kern->nr;
    for (int64_t jc = n0; jc < n1; jc += g->nc) {
        const int64_t nc = min64(g->nc, n1 - jc);
        for (int64_t pc = 0; pc < g->k; pc += g->kc) {
            const int64_t kc = min64(g->kc, g->k - pc);
            const float beta = pc == 0 ? g->beta : 1.0f; /* later k-blocks accumulate */
            ck_gemm_pack_b(kc, nc, g->b + pc * g->b_rs + jc * g->b_cs, g->b_rs, g->b_cs, nr, bpack);
            for (int64_t ic = m0; ic < m1; ic += g->mc) {
                const int64_t mc = min64(g->mc, m1 - ic);
                ck_gemm_pack_a(mc, kc, g->a + ic * g->a_rs + pc * g->a_cs, g->a_rs, g->a_cs, mr, apack);
                for (int64_t jr = 0; jr < nc; jr += nr) {
                    const int n_eff = (int)min64(nr, nc - jr);
                    const float *bp = bpack + jr * kc;     /* (kc, nr) */
                    float *c_col = g->c + ic * g->ldc + jc + jr;
                    for (int64_t ir = 0; ir < mc; ir += mr) {
                        const int m_eff = (int)min64(mr, mc - ir);
                        kern->ukernel(kc, g->alpha, apack + ir * kc, bp, beta,
                                      c_col + ir * g->ldc, g->ldc, m_eff, n_eff);
                    }
                }
            }
        }
    }
}

static void gemm_thread(void *ctx, int tid, int nthreads) {
    gemm_args *g = (gemm_args *)ctx;
    int64_t lo, hi;
    ck_split_range(g->split_n ? g->n : g->m, g->split_n ? g->kern->nr : g->kern->mr,
                   tid, nthreads, &lo, &hi);
    if (lo >= hi) return;
    int64_t rows = g->split_n ? g->m : hi - lo, cols = g->split_n ? hi - lo : g->n;
    int64_t a_floats = round_up(min64(g->mc, rows), g->kern->mr) * min64(g->kc, g->k);
    int64_t b_floats = round_up(min64(g->nc, cols), g->kern->nr) * min64(g->kc, g->k);
    float *apack, *bpack;
    if (!ck_gemm_workspace(a_floats, b_floats, &apack, &bpack)) {
        atomic_store(&g->failed, 1);
        return;
    }
    if (g->split_n) gemm_rectangle(g, 0, g->m, lo, hi, apack, bpack);
    else gemm_rectangle(g, lo, hi, 0, g->n, apack, bpack);
}

/* Bytes of L2 the C block and the packed B block may fill together (of 1 MiB per core on
 * Cascade Lake / Skylake-SP; the rest holds the packed A block and stray lines). */
enum { L2_BUDGET_BYTES = 512 * 1024 };

/* When a thread's rows fit in one mc block (the small-M, huge-N VGG shapes), narrow nc so
 * that the C block (rows×nc) and the packed B block (kc×nc) both stay in L2: C is then not
 * re-read from memory for every k-block, and packed B is written to and read from L2 rather
 * than L3. The A block is re-packed per nc columns, which costs little because it is small.
 * Larger M keeps the kernel's wide nc (re-packing a big A would cost more). */
static int64_t small_m_nc(const gemm_args *g, int threads) {
    int64_t rows = g->split_n || threads < 2 ? g->m : (g->m + threads - 1) / threads;
    if (rows > g->mc) return g->nc;
    int64_t kc = min64(g->kc, g->k), nr = g->kern->nr;
    int64_t nc = L2_BUDGET_BYTES / (int64_t)sizeof(float) / (rows + kc) / nr * nr;
    if (nc < nr) nc = nr;
    return min64(nc, g->nc);
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

    const ck_kernel_table *table = ck_active_kernels();
    g.kern = &table->gemm;
    g.mc = g.kern->mc;
    g.kc = g.kern->kc;
    g.nc = g.kern->nc;
    atomic_init(&g.failed, 0);

    /* Split the dimension with more micro-tiles; tiny products stay on one thread. */
    int64_t m_tiles = (g.m + g.kern->mr - 1) / g.kern->mr, n_tiles = (g.n + g.kern->nr - 1) / g.kern->nr;
    g.split_n = n_tiles >= m_tiles;
    int threads = ck_get_num_threads();
    double flops = 2.0 * (double)g.m * (double)g.n * (double)k;
    if (flops < 4.0e6) threads = 1;
    g.nc = small_m_nc(&g, threads);
    ck_parallel_run(threads, gemm_thread, &g);
    return atomic_load(&g.failed) ? CK_ERR_OUT_OF_MEMORY : CK_OK;
}
