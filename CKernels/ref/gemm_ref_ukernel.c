/*
 * gemm_ref_ukernel.c — the portable scalar SGEMM micro-kernel (4×4), so the `ref` ISA path
 * runs through the same blocked, packed, threaded driver as the SIMD paths.
 */
#include "../runtime/kernel_table.h"
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

enum { REF_MR = 4, REF_NR = 4 };

void ck_sgemm_ref_4x4(int64_t k, float alpha, const float *ap, const float *bp,
                      float beta, float *c, int64_t ldc, int m_eff, int n_eff,
                      const ck_gemm_prefetch *pf) {
    (void)pf; /* a hint this kernel does not use */
    float acc[REF_MR][REF_NR] = {{0}}; /* acc is (mr, nr) */
    for (int64_t p = 0; p < k; ++p)
        for (int i = 0; i < REF_MR; ++i)
            for (int j = 0; j < REF_NR; ++j)
                acc[i][j] += ap[p * REF_MR + i] * bp[p * REF_NR + j];
    for (int i = 0; i < m_eff; ++i)
        for (int j = 0; j < n_eff; ++j) {
            float *cij = &c[i * ldc + j];
            float prior = beta == 0.0f ? 0.0f : beta * *cij; /* beta == 0: C is not read */
            *cij = alpha * acc[i][j] + prior;
        }
}
