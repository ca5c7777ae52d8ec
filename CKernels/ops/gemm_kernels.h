/*
 * gemm_kernels.h — the SGEMM leaf-kernel contract (internal). The driver (ops/gemm.c) owns
 * blocking, packing and threads; a micro-kernel only multiplies one packed panel pair.
 */
#ifndef CK_GEMM_KERNELS_H
#define CK_GEMM_KERNELS_H

#include <stdint.h>
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

/*
 * Source rows the micro-kernel should prefetch into L2 while it computes, spread over its
 * k loop: nr floats at rows + r*ld for r < count (the unpacked op(B) rows of the panel the
 * driver packs next, so their memory latency hides behind this tile's FMAs). count == 0:
 * nothing. A hint only: a kernel may ignore it, and it never changes results.
 */
typedef struct ck_gemm_prefetch {
    const float *rows;
    int64_t ld;
    int64_t count;
} ck_gemm_prefetch;

/*
 * Micro-kernel: for the top-left m_eff×n_eff part of one mr×nr tile of a row-major C,
 *   C[i*ldc + j] = alpha * Σ_{p<k} Ap[p*mr + i] * Bp[p*nr + j] + beta * C[i*ldc + j]
 * with the sum taken in increasing p (so results do not depend on where the tile sits).
 * Ap is an mr-row panel packed column by column (ap is (k, mr)), Bp an nr-column panel
 * packed row by row (bp is (k, nr)); both 64-byte aligned and zero-padded past m_eff / n_eff.
 * 1 ≤ m_eff ≤ mr, 1 ≤ n_eff ≤ nr, k ≥ 1. When beta == 0, C is never read; C outside the
 * m_eff×n_eff part is never touched. pf is never NULL. Single-threaded, no allocation.
 */
typedef void (*ck_sgemm_ukernel_fn)(int64_t k, float alpha, const float *ap, const float *bp,
                                    float beta, float *c, int64_t ldc, int m_eff, int n_eff,
                                    const ck_gemm_prefetch *pf);

/* Optional packing leaves (NULL: the driver's portable packing). All handle only full
 * panels of a unit-stride source; the driver packs edges and strided sources itself.
 *   pack_a_rows: mr rows of a row-major block, a(i,p) = a[i*lda + p]  → dst is (k, mr)
 *   pack_b_cols: nr columns of a row-major block, b(p,j) = b[p*ldb + j] → dst is (k, nr)
 *   pack_b_rows: nr columns of a transposed B, b(p,j) = b[j*ldb + p]  → dst is (k, nr)
 *                (e.g. the linear layer's backward-data product dy·Wᵀ, where W is in×out) */
typedef void (*ck_sgemm_pack_fn)(int64_t k, const float *src, int64_t ld, float *dst);

typedef struct ck_gemm_kernels {
    const char *name;              /* e.g. "avx512 8x48" */
    int mr, nr;                    /* micro-tile */
    int64_t mc, kc, nc;            /* cache blocking (mc a multiple of mr, nc of nr) */
    ck_sgemm_ukernel_fn ukernel;
    ck_sgemm_pack_fn pack_a_rows;  /* optional */
    ck_sgemm_pack_fn pack_b_cols;  /* optional */
    ck_sgemm_pack_fn pack_b_rows;  /* optional */
} ck_gemm_kernels;

#pragma GCC visibility pop
#endif
