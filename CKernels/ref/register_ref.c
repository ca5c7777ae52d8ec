/* register_ref.c — fills a kernel table with the portable scalar kernels. */
#include "../runtime/kernel_table.h"

void ck_sgemm_ref_4x4(int64_t k, float alpha, const float *ap, const float *bp,
                      float beta, float *c, int64_t ldc, int m_eff, int n_eff);

void ck_register_ref(ck_kernel_table *t) {
    t->gemm = (ck_gemm_kernels){.name = "ref 4x4", .mr = 4, .nr = 4,
                                .mc = 64, .kc = 256, .nc = 256, .ukernel = ck_sgemm_ref_4x4};
}
