/*
 * gemm_kernels.h — the SGEMM leaf-kernel contract (internal). The driver (ops/gemm.c) owns
 * blocking, packing and threads; a micro-kernel only multiplies one packed panel pair.
 */
#ifndef CK_GEMM_KERNELS_H
#define CK_GEMM_KERNELS_H

#include <stdint.h>

/*
 * Micro-kernel: for the full mr×nr tile,
 *   C[i*rs_c + j*cs_c] = alpha * Σ_p Ap[p*mr + i] * Bp[p*nr + j] + beta * C[...]
 * Ap is an mr-row panel packed column by column, Bp an nr-column panel packed row by row,
 * both 64-byte aligned. When beta == 0, C is never read. Single-threaded, no allocation.
 */
typedef void (*ck_sgemm_ukernel_fn)(int64_t k, float alpha, const float *ap, const float *bp,
                                    float beta, float *c, int64_t rs_c, int64_t cs_c);

typedef struct ck_gemm_kernels {
    const char *name;              /* e.g. "avx512 16x28" */
    int mr, nr;                    /* micro-tile */
    int64_t mc, kc, nc;            /* cache blocking (multiples of mr / nr) */
    ck_sgemm_ukernel_fn ukernel;
} ck_gemm_kernels;

#endif
