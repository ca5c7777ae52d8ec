/*
 * gemm.c — the ISA-neutral SGEMM driver: argument checks, then blocking, packing and
 * threads around the active table's micro-kernel.
 * TEMPORARY: forwards to the reference until the blocked driver lands.
 */
#include "ck_gemm.h"
#include "../runtime/kernel_table.h"

ck_status ck_sgemm(ck_layout layout, ck_transpose trans_a, ck_transpose trans_b,
                   int64_t m, int64_t n, int64_t k,
                   float alpha, const float *a, int64_t lda,
                   const float *b, int64_t ldb,
                   float beta, float *c, int64_t ldc) {
    return ck_sgemm_reference(layout, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
