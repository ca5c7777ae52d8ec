/* register_avx512.c — overrides the AVX2 kernels with the AVX-512 leaves. */
#include "../../runtime/kernel_table.h"

void ck_sgemm_avx512_8x48(int64_t k, float alpha, const float *ap, const float *bp,
                          float beta, float *c, int64_t ldc, int m_eff, int n_eff);

void ck_register_avx512(ck_kernel_table *t) {
    t->gemm = (ck_gemm_kernels){.name = "avx512 8x48", .mr = 8, .nr = 48,
                                .mc = 256, .kc = 256, .nc = 4800, .ukernel = ck_sgemm_avx512_8x48};
}
