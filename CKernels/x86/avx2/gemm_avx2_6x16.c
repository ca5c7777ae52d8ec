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

/* The 12 accumulators are named variables: when they were an array indexed in the loop, gcc 12
 * kept the array in memory and stored all 12 registers every iteration (45 instead of ~110
 * GFLOP/s on Zen 4); clang kept them in registers either way. */
#define CK_ROW_FMA(r, c0, c1)                                   \
    do {                                                        \
        __m256 av = _mm256_broadcast_ss(ap + p * MR + (r));     \
        c0 = _mm256_fmadd_ps(av, b0, c0);                       \
        c1 = _mm256_fmadd_ps(av, b1, c1);                       \
    } while (0)

static inline __attribute__((always_inline)) CK_TARGET_AVX2 void
accumulate(int64_t k, const float *restrict ap, const float *restrict bp, __m256 acc[MR][2]) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int64_t p = 0; p < k; ++p) {
        __m256 b0 = _mm256_load_ps(bp + p * NR), b1 = _mm256_load_ps(bp + p * NR + 8);
        _mm_prefetch((const char *)(bp + p * NR + 8 * NR), _MM_HINT_T0);
        CK_ROW_FMA(0, c00, c01);
        CK_ROW_FMA(1, c10, c11);
        CK_ROW_FMA(2, c20, c21);
        CK_ROW_FMA(3, c30, c31);
        CK_ROW_FMA(4, c40, c41);
        CK_ROW_FMA(5, c50, c51);
    }
    acc[0][0] = c00, acc[0][1] = c01, acc[1][0] = c10, acc[1][1] = c11, acc[2][0] = c20, acc[2][1] = c21;
    acc[3][0] = c30, acc[3][1] = c31, acc[4][0] = c40, acc[4][1] = c41, acc[5][0] = c50, acc[5][1] = c51;
}
#undef CK_ROW_FMA

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
