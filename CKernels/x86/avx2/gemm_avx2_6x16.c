/*
 * gemm_avx2_6x16.c — the AVX2+FMA SGEMM micro-kernel: a 6×16 tile of row-major C in 12 ymm
 * accumulators (6 rows × 2 vectors of 8 columns), the classic Haswell shape: 12 chains
 * cover FMA latency × ports (≥ 10), 2 B loads + 6 broadcasts per 12 FMAs, and 12 + 2 + 1
 * of the 16 ymm registers. Edge tiles are computed whole into a local tile (the packed
 * panels are zero-padded) and only their valid part is merged into C.
 */
#include "../../runtime/kernel_table.h"

#include <immintrin.h>
#pragma GCC visibility push(hidden) /* internal: not exported by libckernels (see ck_api.h) */

#define CK_TARGET_AVX2 __attribute__((target("avx2,fma")))

enum { MR = 6, NR = 16 };

static inline __attribute__((always_inline)) CK_TARGET_AVX2 void
accumulate(int64_t k, const float *restrict ap, const float *restrict bp, __m256 acc[MR][2]) {
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int64_t p = 0; p < k; ++p) {
        __m256 b0 = _mm256_load_ps(bp + p * NR), b1 = _mm256_load_ps(bp + p * NR + 8);
        _mm_prefetch((const char *)(bp + p * NR + 8 * NR), _MM_HINT_T0);
        for (int r = 0; r < MR; ++r) {
            __m256 av = _mm256_broadcast_ss(ap + p * MR + r);
            acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
        }
    }
}

CK_TARGET_AVX2 void ck_sgemm_avx2_6x16(int64_t k, float alpha, const float *ap, const float *bp,
                                       float beta, float *c, int64_t ldc, int m_eff, int n_eff,
                                       const ck_gemm_prefetch *pf) {
    (void)pf; /* a hint this kernel does not use */
    __m256 acc[MR][2];
    accumulate(k, ap, bp, acc);
    const __m256 alpha_v = _mm256_set1_ps(alpha), beta_v = _mm256_set1_ps(beta);
    if (m_eff == MR && n_eff == NR) {
        for (int r = 0; r < MR; ++r)
            for (int v = 0; v < 2; ++v) {
                float *cv = c + r * ldc + 8 * v;
                __m256 x = _mm256_mul_ps(alpha_v, acc[r][v]);
                if (beta != 0.0f) x = _mm256_fmadd_ps(beta_v, _mm256_loadu_ps(cv), x);
                _mm256_storeu_ps(cv, x);
            }
        return;
    }
    float part[MR * NR] __attribute__((aligned(32))); /* part is (MR, NR): alpha·AB */
    for (int r = 0; r < MR; ++r)
        for (int v = 0; v < 2; ++v) _mm256_store_ps(part + r * NR + 8 * v, _mm256_mul_ps(alpha_v, acc[r][v]));
    for (int r = 0; r < m_eff; ++r)
        for (int j = 0; j < n_eff; ++j) {
            float *cij = c + r * ldc + j;
            /* same rounding as the vector path: fma(beta, c, alpha·ab) */
            *cij = beta == 0.0f ? part[r * NR + j] : __builtin_fmaf(beta, *cij, part[r * NR + j]);
        }
}
