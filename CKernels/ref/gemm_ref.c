/*
 * gemm_ref.c — the portable scalar SGEMM: the plain triple loop (the in-library oracle,
 * ck_sgemm_reference) and the reference micro-kernel used by the `ref` ISA path.
 */
#include "ck_gemm.h"
#include "../runtime/kernel_table.h"

static inline float elem(ck_layout layout, ck_transpose t, const float *x, int64_t ld,
                         int64_t i, int64_t j) {
    /* element (i, j) of op(X) */
    int row_major = layout == CK_ROW_MAJOR;
    int trans = t == CK_TRANS;
    int64_t r = trans ? j : i, c = trans ? i : j;
    return row_major ? x[r * ld + c] : x[c * ld + r];
}

ck_status ck_sgemm_reference(ck_layout layout, ck_transpose trans_a, ck_transpose trans_b,
                             int64_t m, int64_t n, int64_t k,
                             float alpha, const float *a, int64_t lda,
                             const float *b, int64_t ldb,
                             float beta, float *c, int64_t ldc) {
    if (layout != CK_ROW_MAJOR && layout != CK_COL_MAJOR) return CK_ERR_BAD_ARGUMENT;
    if ((trans_a != CK_NO_TRANS && trans_a != CK_TRANS) || (trans_b != CK_NO_TRANS && trans_b != CK_TRANS))
        return CK_ERR_BAD_ARGUMENT;
    if (m < 0 || n < 0 || k < 0) return CK_ERR_BAD_DIMENSION;
    if (m == 0 || n == 0) return CK_OK;
    if (!c) return CK_ERR_NULL_POINTER;
    int read_ab = alpha != 0.0f && k > 0;
    if (read_ab && (!a || !b)) return CK_ERR_NULL_POINTER;
    int row_major = layout == CK_ROW_MAJOR;
    for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
            float acc = 0.0f;
            if (read_ab)
                for (int64_t p = 0; p < k; ++p)
                    acc += elem(layout, trans_a, a, lda, i, p) * elem(layout, trans_b, b, ldb, p, j);
            float *cij = row_major ? &c[i * ldc + j] : &c[j * ldc + i];
            float prior = beta == 0.0f ? 0.0f : beta * *cij;
            *cij = alpha * acc + prior;
        }
    }
    return CK_OK;
}
