/*
 * ck_gemm.h — single-precision general matrix multiply with BLAS semantics.
 */
#ifndef CK_GEMM_H
#define CK_GEMM_H

#include "ck_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Storage order of a matrix (values equal to CBLAS's). */
typedef enum ck_layout { CK_ROW_MAJOR = 101, CK_COL_MAJOR = 102 } ck_layout;

/** Whether an operand is used as stored or transposed (values equal to CBLAS's). */
typedef enum ck_transpose { CK_NO_TRANS = 111, CK_TRANS = 112 } ck_transpose;

/**
 * C ← alpha · op(A) · op(B) + beta · C, with op(X) = X or Xᵀ; C is m×n, op(A) m×k, op(B) k×n.
 *
 * Exactly BLAS/CBLAS sgemm semantics: `layout` says how all three matrices are stored;
 * lda/ldb/ldc are the distances between consecutive rows (row-major) or columns
 * (column-major) and may exceed the minimum. When beta == 0, C is not read, so NaN or Inf
 * already in C does not propagate. When alpha == 0 or k == 0, A and B are not read.
 * m, n or k may be zero. Threaded over ck_get_num_threads() threads; results are
 * bitwise identical across runs for a fixed ISA and thread count.
 *
 * Errors: CK_ERR_BAD_DIMENSION (negative size), CK_ERR_BAD_LEADING_DIMENSION,
 * CK_ERR_BAD_ARGUMENT (layout/transpose), CK_ERR_NULL_POINTER (a pointer that must be
 * read or written is NULL), CK_ERR_OUT_OF_MEMORY (packing buffers).
 */
CK_API ck_status ck_sgemm(ck_layout layout, ck_transpose trans_a, ck_transpose trans_b,
                          int64_t m, int64_t n, int64_t k,
                          float alpha, const float *a, int64_t lda,
                          const float *b, int64_t ldb,
                          float beta, float *c, int64_t ldc);

/** The plain triple-loop reference SGEMM (same contract, single thread, no blocking):
 *  the in-library oracle used by tests and by the `ref` ISA path's drivers. */
CK_API ck_status ck_sgemm_reference(ck_layout layout, ck_transpose trans_a, ck_transpose trans_b,
                                    int64_t m, int64_t n, int64_t k,
                                    float alpha, const float *a, int64_t lda,
                                    const float *b, int64_t ldb,
                                    float beta, float *c, int64_t ldc);

#ifdef __cplusplus
}
#endif
#endif /* CK_GEMM_H */
